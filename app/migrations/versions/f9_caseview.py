"""caseview: comments and attachments on a case

Revision ID: f9_caseview
Revises: e8_backup
"""
import sqlalchemy as sa
from alembic import op

revision = "f9_caseview"
down_revision = "e8_backup"
branch_labels = None
depends_on = None


def upgrade():
    # New tables only: nothing to alter, so SQLite needs no batch mode here.
    op.create_table(
        "case_comments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instances.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_case_comments_instance_id", "case_comments", ["instance_id"])
    op.create_table(
        "case_attachments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instances.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_case_attachments_instance_id", "case_attachments", ["instance_id"])


def downgrade():
    op.drop_index("ix_case_attachments_instance_id", "case_attachments")
    op.drop_table("case_attachments")
    op.drop_index("ix_case_comments_instance_id", "case_comments")
    op.drop_table("case_comments")
