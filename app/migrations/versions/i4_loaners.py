"""loaners: the loaner register (备用机台账), spare units lent while a customer's unit is repaired

Revision ID: i4_loaners
Revises: i3_flag_notices
"""
import sqlalchemy as sa
from alembic import op

revision = "i4_loaners"
down_revision = "i3_flag_notices"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "loaners",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("loaner_serial", sa.String(64), nullable=False),
        sa.Column("loaner_unit_serial", sa.String(64), nullable=False),
        sa.Column("customer", sa.String(100), nullable=False),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("return_authorizations.id"), nullable=True),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instances.id"), nullable=True),
        sa.Column("agreed_return_date", sa.Date(), nullable=True),
        sa.Column("unit_shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("lent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lent_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("returned_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("return_note", sa.Text(), nullable=False),
        sa.Column("overdue_noticed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("org_units.id"), nullable=True),
    )
    for column in ("loaner_serial", "loaner_unit_serial", "request_id", "instance_id", "due_at", "returned_at"):
        op.create_index(f"ix_loaners_{column}", "loaners", [column])
    op.create_index("ix_loaners_unit_lent_id", "loaners", ["unit_id", "lent_at", "id"])


def downgrade():
    op.drop_table("loaners")
