"""Job-posting ingestion: file ledger, quarantine, source sightings, normalised posting fields.

Revision ID: 0003_ingestion
Revises: 0002_simulation_ledger
Create Date: 2026-11-25
"""

from pipelines.db.migrations.sql_files import run_sql_file

revision = "0003_ingestion"
down_revision = "0002_simulation_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0003_ingestion.up.sql")


def downgrade() -> None:
    run_sql_file("0003_ingestion.down.sql")
