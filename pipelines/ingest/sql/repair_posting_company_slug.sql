SELECT c.slug FROM job_postings p JOIN companies c ON c.id = p.company_id WHERE p.id = %(posting_id)s
