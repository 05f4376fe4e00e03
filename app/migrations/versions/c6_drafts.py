"""drafts: procedure files proposed by process owners, checked, waiting for an admin

Revision ID: c6_drafts
Revises: b5_returns_callbacks
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c6_drafts"
down_revision = "b5_returns_callbacks"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "process_drafts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("process_key", sa.String(64), nullable=False),
        sa.Column("files", JSON, nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("problems", JSON, nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deployed_version_id", sa.Integer(), sa.ForeignKey("process_versions.id"), nullable=True),
    )
    op.create_index("ix_process_drafts_process_key", "process_drafts", ["process_key"])
    op.create_index("ix_process_drafts_created_at", "process_drafts", ["created_at"])


def downgrade():
    op.drop_index("ix_process_drafts_created_at", table_name="process_drafts")
    op.drop_index("ix_process_drafts_process_key", table_name="process_drafts")
    op.drop_table("process_drafts")
