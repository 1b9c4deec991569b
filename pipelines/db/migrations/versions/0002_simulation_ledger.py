"""Ledger of simulated months (idempotent app-activity simulation).

Revision ID: 0002_simulation_ledger
Revises: 0001_seed_schema
Create Date: 2026-11-25
"""

from pipelines.db.migrations.sql_files import sql_revision

revision = "0002_simulation_ledger"
down_revision = "0001_seed_schema"
branch_labels = None
depends_on = None

upgrade, downgrade = sql_revision(revision)
