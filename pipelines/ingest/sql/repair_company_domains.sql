SELECT domain FROM companies WHERE domain IS NOT NULL
