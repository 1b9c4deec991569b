"""Job-posting ingestion: file ledger, quarantine, source sightings, normalised posting fields.

Revision ID: 0003_ingestion
Revises: 0002_simulation_ledger
Create Date: 2026-11-25
"""

from pipelines.db.migrations.sql_files import sql_revision

revision = "0003_ingestion"
down_revision = "0002_simulation_ledger"
branch_labels = None
depends_on = None

upgrade, downgrade = sql_revision(revision)
