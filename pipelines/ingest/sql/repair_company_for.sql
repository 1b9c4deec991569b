WITH created AS (
  INSERT INTO companies (name, slug) VALUES (%(name)s, %(slug)s)
  ON CONFLICT (slug) DO NOTHING
  RETURNING id
)
SELECT id FROM created
UNION ALL
SELECT id FROM companies WHERE slug = %(slug)s
LIMIT 1
