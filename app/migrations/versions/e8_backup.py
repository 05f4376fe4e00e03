"""backup: the runners' heartbeat (last completed pass), read by /healthz

Revision ID: e8_backup
Revises: d7_kpis
"""
import sqlalchemy as sa
from alembic import op

revision = "e8_backup"
down_revision = "e8_errors"
branch_labels = None
depends_on = None


def upgrade():
    # A new table only: nothing to alter, so SQLite needs no batch mode here.
    op.create_table(
        "runner_heartbeats",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("last_pass_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("runner_heartbeats")
