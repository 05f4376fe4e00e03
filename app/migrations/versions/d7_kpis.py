"""kpis: the deliveries of each month, the complaint rate's denominator

Revision ID: d7_kpis
Revises: c6_drafts
"""
import sqlalchemy as sa
from alembic import op

revision = "d7_kpis"
down_revision = "c6_drafts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "monthly_deliveries",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("deliveries", sa.Integer(), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("monthly_deliveries")
