"""deadlines: the admin's working-day calendar and overdue records

Revision ID: a4_deadlines
Revises: 38d3e72ea3ec
"""
import sqlalchemy as sa
from alembic import op

revision = "a4_deadlines"
down_revision = "38d3e72ea3ec"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("is_working", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(100), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "overdue_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("process_key", sa.String(64), nullable=False),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instances.id"), nullable=False),
        sa.Column("business_key", sa.String(64), nullable=True),
        sa.Column("task_name", sa.String(128), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("miss_in_month", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
    )
    op.create_index("ix_overdue_records_month", "overdue_records", ["month"])
    op.create_index("ix_overdue_records_person_id", "overdue_records", ["person_id"])
    op.create_index("ix_overdue_records_instance_id", "overdue_records", ["instance_id"])


def downgrade():
    op.drop_table("overdue_records")
    op.drop_table("calendar_days")
