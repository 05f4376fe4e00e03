"""customer visits: visit plans per customer class and the visit of each period (客户拜访)

Revision ID: i3_customer_visits
Revises: h2_search
"""
import sqlalchemy as sa
from alembic import op

revision = "i3_customer_visits"
down_revision = "i3_quality_complaints"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "visit_plans",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instances.id"), nullable=True),
        sa.Column("customer_name", sa.String(100), nullable=False),
        sa.Column("contact_person", sa.String(100), nullable=False),
        sa.Column("contact_phone", sa.String(32), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("visit_class", sa.String(16), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("responsible_role", sa.String(64), nullable=False),
        sa.Column("responsible_person", sa.String(64), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_visit_plans_instance_id", "visit_plans", ["instance_id"])
    op.create_index("ix_visit_plans_visit_class", "visit_plans", ["visit_class"])
    op.create_index("ix_visit_plans_status", "visit_plans", ["status"])
    op.create_table(
        "customer_visits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_id", sa.Integer(), sa.ForeignKey("visit_plans.id"), nullable=False),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instances.id"), nullable=True),
        sa.Column("period_number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=True),
        sa.Column("met_with", sa.String(200), nullable=False),
        sa.Column("topics", sa.Text(), nullable=False),
        sa.Column("customer_opinions", sa.Text(), nullable=False),
        sa.Column("issues_raised", sa.Text(), nullable=False),
        sa.Column("next_actions", sa.Text(), nullable=False),
        sa.Column("complaint_number", sa.String(20), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
    )
    for column in ("plan_id", "instance_id", "opened_at", "due_at", "status"):
        op.create_index(f"ix_customer_visits_{column}", "customer_visits", [column])


def downgrade():
    op.drop_table("customer_visits")
    op.drop_table("visit_plans")
