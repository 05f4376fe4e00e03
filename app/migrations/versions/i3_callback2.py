"""callback version 2: the customer's preferred channel and time and the service advisor on the
callback log, and the outbox of text messages to customers (the apology to a dissatisfied one).

Revision ID: i3_callback2
Revises: h2_search
"""
import sqlalchemy as sa
from alembic import op

revision = "i3_callback2"
down_revision = "i3_report_files"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("callbacks") as batch_op:
        batch_op.add_column(sa.Column("preferred_channel", sa.String(16), nullable=False, server_default="phone"))
        batch_op.add_column(sa.Column("preferred_call_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("service_advisor", sa.String(64), nullable=False, server_default=""))
        batch_op.create_index("ix_callbacks_service_advisor", ["service_advisor"])
    op.create_table(
        "text_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("callback_id", sa.Integer(), sa.ForeignKey("callbacks.id", ondelete="CASCADE"), nullable=True),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instances.id"), nullable=True),
        sa.Column("purpose", sa.String(16), nullable=False, server_default="apology"),
        sa.Column("recipient", sa.String(32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False, server_default=""),
        sa.Column("status", sa.String(8), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_text_messages_callback_id", "text_messages", ["callback_id"])
    op.create_index("ix_text_messages_status", "text_messages", ["status"])
    op.create_index("ix_text_messages_next_attempt_at", "text_messages", ["next_attempt_at"])


def downgrade():
    op.drop_table("text_messages")
    with op.batch_alter_table("callbacks") as batch_op:
        batch_op.drop_index("ix_callbacks_service_advisor")
        batch_op.drop_column("service_advisor")
        batch_op.drop_column("preferred_call_at")
        batch_op.drop_column("preferred_channel")
