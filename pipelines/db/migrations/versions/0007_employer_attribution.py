"""Board domains never identify an employer: learned boards, and each sighting's stated employer.

Revision ID: 0007_employer_attribution
Revises: 0006_scoring_state
Create Date: 2026-11-25
"""

from pipelines.db.migrations.sql_files import sql_revision

revision = "0007_employer_attribution"
down_revision = "0006_scoring_state"
branch_labels = None
depends_on = None

upgrade, downgrade = sql_revision(revision)
