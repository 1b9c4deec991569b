UPDATE companies SET domain = NULL
 WHERE domain IN (SELECT domain FROM board_domains)
RETURNING id
