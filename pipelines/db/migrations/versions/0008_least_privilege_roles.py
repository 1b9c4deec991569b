"""Least-privilege roles: the pipeline writes without DDL, analysts read marts and staging only.

Revision ID: 0008_least_privilege_roles
Revises: 0007_employer_attribution
Create Date: 2026-11-25
"""

from pipelines.db.migrations.sql_files import sql_revision

revision = "0008_least_privilege_roles"
down_revision = "0007_employer_attribution"
branch_labels = None
depends_on = None

upgrade, downgrade = sql_revision(revision)
