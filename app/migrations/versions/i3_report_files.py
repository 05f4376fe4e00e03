"""report_files: the monthly report as a procedure — one row per month (unique: started once)
and the files a signed month was frozen into (bytes and sha256)

Revision ID: i3_report_files
Revises: h2_search
"""
import sqlalchemy as sa
from alembic import op

revision = "i3_report_files"
down_revision = "i3_org_units"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "monthly_reports",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("business_key", sa.String(16), nullable=False, unique=True),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instances.id"), nullable=False, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("analysis", sa.Text(), nullable=True),
        sa.Column("improvements", sa.Text(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("send_back_reason", sa.Text(), nullable=True),
        sa.Column("gm_signed_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("gm_signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("group_signed_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("group_signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "report_files",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("month", sa.String(7), sa.ForeignKey("monthly_reports.month"), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("media_type", sa.String(128), nullable=False),
        sa.Column("file_name", sa.String(128), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("month", "format"),
    )
    op.create_index("ix_report_files_month", "report_files", ["month"])


def downgrade():
    op.drop_table("report_files")
    op.drop_table("monthly_reports")
