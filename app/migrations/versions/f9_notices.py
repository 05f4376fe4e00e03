"""notices: each person's notification preference and the outbox of task notices

Revision ID: f9_notices
Revises: e8_backup
"""
import sqlalchemy as sa
from alembic import op

revision = "f9_notices"
down_revision = "f9_caseview"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("notify_by", sa.String(8), nullable=False, server_default="none"))
        batch_op.add_column(sa.Column("notify_to", sa.String(500), nullable=True))
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("task_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("address", sa.String(500), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("given_up_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
    )
    op.create_index("ix_notices_user_id", "notices", ["user_id"])
    op.create_index("ix_notices_next_attempt_at", "notices", ["next_attempt_at"])


def downgrade():
    op.drop_index("ix_notices_next_attempt_at", table_name="notices")
    op.drop_index("ix_notices_user_id", table_name="notices")
    op.drop_table("notices")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("notify_to")
        batch_op.drop_column("notify_by")
