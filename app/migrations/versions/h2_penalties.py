"""penalties: the penalty register (处罚台账) and the reward fund's spending (快乐基金)

Revision ID: h2_penalties
Revises: g1_forms
"""
import sqlalchemy as sa
from alembic import op

revision = "h2_penalties"
down_revision = "h2_deliveries"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "penalties",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("breach", sa.String(32), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("overdue_record_id", sa.Integer(), sa.ForeignKey("overdue_records.id"), nullable=True, unique=True),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instances.id"), nullable=True),
        sa.Column("business_key", sa.String(64), nullable=True),
        sa.Column("rules_version_id", sa.Integer(), sa.ForeignKey("process_versions.id"), nullable=True),
        sa.Column("rule", sa.String(128), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("waive_reason", sa.Text(), nullable=True),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_penalties_month", "penalties", ["month"])
    op.create_index("ix_penalties_person_id", "penalties", ["person_id"])
    op.create_index("ix_penalties_instance_id", "penalties", ["instance_id"])
    op.create_index("ix_penalties_status", "penalties", ["status"])
    op.create_table(
        "fund_spending",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_fund_spending_month", "fund_spending", ["month"])


def downgrade():
    op.drop_table("fund_spending")
    op.drop_table("penalties")
