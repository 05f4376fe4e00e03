"""returns and callbacks: the return authorization register, refused shipments, the
callback log, and the link from a complaint to the callback it was opened from

Revision ID: b5_returns_callbacks
Revises: a4_deadlines
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "b5_returns_callbacks"
# Chained after the deadlines migration (issue 4), which adds its tables from the same parent.
down_revision = "a4_deadlines"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "callbacks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instances.id"), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("callbacks.id"), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("source_ref", sa.String(64), nullable=False),
        sa.Column("customer_name", sa.String(100), nullable=False),
        sa.Column("contact_phone", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("repair_summary", sa.Text(), nullable=False),
        sa.Column("picked_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("reached", sa.Boolean(), nullable=True),
        sa.Column("repair_quality", sa.String(16), nullable=True),
        sa.Column("service_quality", sa.String(16), nullable=True),
        sa.Column("satisfied", sa.Boolean(), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.Column("apology", sa.Text(), nullable=True),
        sa.Column("complaint_number", sa.String(20), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_callbacks_instance_id", "callbacks", ["instance_id"])
    op.create_index("ix_callbacks_source", "callbacks", ["source"])
    op.create_index("ix_callbacks_due_at", "callbacks", ["due_at"])
    op.create_index("ix_callbacks_status", "callbacks", ["status"])
    op.create_table(
        "callback_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("callback_id", sa.Integer(), sa.ForeignKey("callbacks.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reached", sa.Boolean(), nullable=False),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.Column("caller_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
    )
    op.create_index("ix_callback_attempts_callback_id", "callback_attempts", ["callback_id"])
    op.create_table(
        "return_authorizations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(20), nullable=True, unique=True),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instances.id"), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("branch", sa.String(100), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("fault_description", sa.Text(), nullable=False),
        sa.Column("purchase_date", sa.Date(), nullable=False),
        sa.Column("warranty_card", sa.Boolean(), nullable=False),
        sa.Column("dealer_seal", sa.Boolean(), nullable=False),
        sa.Column("customer_name", sa.String(100), nullable=False),
        sa.Column("contact_phone", sa.String(32), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("send_backs", sa.Integer(), nullable=False),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("approval_reason", sa.Text(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rejected_by_role", sa.String(64), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_quantity", sa.Integer(), nullable=True),
        sa.Column("received_model", sa.String(100), nullable=True),
        sa.Column("receipt_mismatch", sa.Text(), nullable=True),
        sa.Column("mismatch_reply", sa.Text(), nullable=True),
        sa.Column("quote_amount", sa.Numeric(12, 2), nullable=True),
        sa.Column("quote_answer_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("quote_answer", sa.String(16), nullable=True),
        sa.Column("repair_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("repair_rounds", sa.Integer(), nullable=False),
        sa.Column("repaired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("repaired_on_time", sa.Boolean(), nullable=True),
        sa.Column("repair_report", sa.Text(), nullable=True),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("waybill_number", sa.String(64), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("callback_id", sa.Integer(), sa.ForeignKey("callbacks.id"), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_return_authorizations_instance_id", "return_authorizations", ["instance_id"])
    op.create_index("ix_return_authorizations_status", "return_authorizations", ["status"])
    op.create_index("ix_return_authorizations_branch", "return_authorizations", ["branch"])
    op.create_index("ix_return_authorizations_requested_by_id", "return_authorizations", ["requested_by_id"])
    op.create_index("ix_return_authorizations_submitted_at", "return_authorizations", ["submitted_at"])
    op.create_table(
        "return_units",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("return_authorizations.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("serial", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("in_warranty", sa.Boolean(), nullable=True),
        sa.Column("warranty_reason", sa.String(32), nullable=True),
        sa.Column("damage", sa.String(32), nullable=True),
        sa.Column("serial_intact", sa.Boolean(), nullable=True),
    )
    op.create_index("ix_return_units_request_id", "return_units", ["request_id"])
    op.create_index("ix_return_units_serial", "return_units", ["serial"])
    op.create_table(
        "refused_shipments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rma_number", sa.String(20), nullable=True),
        sa.Column("branch", sa.String(100), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("serial_numbers", JSON, nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_refused_shipments_arrived_at", "refused_shipments", ["arrived_at"])
    # batch mode: SQLite cannot add a foreign key to an existing table without rebuilding it
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("source_callback_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_complaints_source_callback_id", "callbacks", ["source_callback_id"], ["id"])
        batch.create_index("ix_complaints_source_callback_id", ["source_callback_id"])


def downgrade():
    with op.batch_alter_table("complaints") as batch:
        batch.drop_index("ix_complaints_source_callback_id")
        batch.drop_constraint("fk_complaints_source_callback_id", type_="foreignkey")
        batch.drop_column("source_callback_id")
    op.drop_table("refused_shipments")
    op.drop_table("return_units")
    op.drop_table("return_authorizations")
    op.drop_table("callback_attempts")
    op.drop_table("callbacks")
