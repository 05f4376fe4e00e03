"""lists: saved filters per person, and the indexes of the inbox's and the ledger's orders
(keyset pagination reads a range of one of them)

Revision ID: f9_lists
Revises: e8_backup
"""
import sqlalchemy as sa
from alembic import op

revision = "f9_lists"
down_revision = "f9_claims"
branch_labels = None
depends_on = None

INDEXES = (("ix_complaints_received_id", "complaints", ["received_at", "id"]),
           ("ix_complaints_deadline_id", "complaints", ["deadline_at", "id"]),
           ("ix_complaints_status_received_id", "complaints", ["status", "received_at", "id"]),
           ("ix_complaints_responsible_user_id", "complaints", ["responsible_user_id"]),
           ("ix_open_tasks_lane_due", "open_tasks", ["lane", "due_at", "created_at", "id"]),
           ("ix_open_tasks_lane_created", "open_tasks", ["lane", "created_at", "id"]))


def upgrade():
    # New indexes and a new table: CREATE INDEX works on SQLite without batch mode.
    op.create_table(
        "saved_filters",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("list_name", sa.String(32), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("query", sa.String(1000), nullable=False),
        sa.UniqueConstraint("user_id", "list_name", "name", name="uq_saved_filters_user_list_name"),
    )
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_table("saved_filters")
