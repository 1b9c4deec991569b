SELECT count(*) FROM job_posting_sources WHERE employer_slug IS NULL
