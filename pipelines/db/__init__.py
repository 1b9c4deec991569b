"""The transactional schema: SQLAlchemy models, Alembic migrations, server selection, PII, GDPR."""
