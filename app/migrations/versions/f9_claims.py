"""claims: since when a task is held, and the drafts people save of task forms

Revision ID: f9_claims
Revises: e8_backup
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "f9_claims"
down_revision = "f9_notices"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    with op.batch_alter_table("open_tasks") as batch_op:
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "task_drafts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instances.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("task_id", "user_id", name="uq_task_drafts_task_user"),
    )
    op.create_index("ix_task_drafts_instance_id", "task_drafts", ["instance_id"])


def downgrade():
    op.drop_index("ix_task_drafts_instance_id", table_name="task_drafts")
    op.drop_table("task_drafts")
    with op.batch_alter_table("open_tasks") as batch_op:
        batch_op.drop_column("claimed_at")
