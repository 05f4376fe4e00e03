"""quality complaints (8D): the register of product-quality complaints of business customers

Revision ID: i3_quality_complaints
Revises: h2_search
"""
import sqlalchemy as sa
from alembic import op

revision = "i3_quality_complaints"
down_revision = "i3_callback2"
branch_labels = None
depends_on = None

TEXTS = ("response", "onsite_findings", "temporary_measure", "root_cause", "permanent_measure", "d1_team",
         "d2_problem", "d3_containment", "d4_root_cause", "d5_corrective_actions", "d6_validation", "d7_prevention",
         "d8_closure", "effect_remarks", "clarification_remarks")
TIMES = ("onsite_due_at", "temporary_due_at", "permanent_due_at", "onsite_at", "temporary_done_at",
         "permanent_done_at", "report_at", "closed_at")


def upgrade():
    op.create_table(
        "quality_complaints",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(20), nullable=False, unique=True),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instances.id"), nullable=True),
        sa.Column("complaint_number", sa.String(20), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("customer_name", sa.String(100), nullable=False),
        sa.Column("contact_person", sa.String(100), nullable=False),
        sa.Column("contact_phone", sa.String(32), nullable=False),
        sa.Column("product", sa.String(100), nullable=False),
        sa.Column("batch_number", sa.String(64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("customer_request", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("onsite_needed", sa.Boolean(), nullable=True),
        sa.Column("mould_change", sa.Boolean(), nullable=True),
        sa.Column("effect", sa.String(20), nullable=True),
        sa.Column("misses", sa.Integer(), nullable=False),
        sa.Column("closure_type", sa.String(16), nullable=True),
        *(sa.Column(name, sa.Text(), nullable=False) for name in TEXTS),
        *(sa.Column(name, sa.DateTime(timezone=True), nullable=True) for name in TIMES),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_quality_complaints_instance_id", "quality_complaints", ["instance_id"])
    op.create_index("ix_quality_complaints_complaint_number", "quality_complaints", ["complaint_number"])
    op.create_index("ix_quality_complaints_status", "quality_complaints", ["status"])
    op.create_index("ix_quality_complaints_closure_type", "quality_complaints", ["closure_type"])


def downgrade():
    op.drop_table("quality_complaints")
