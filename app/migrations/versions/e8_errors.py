"""errors: an instance in error keeps where and why it failed and the action to replay

The status column (String(16), unconstrained) takes the new values `error` and
`suspended` as it is; these columns say where, why and since when, and what to replay.

Revision ID: e8_errors
Revises: d7_kpis
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "e8_errors"
down_revision = "d7_kpis"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    with op.batch_alter_table("process_instances") as batch_op:
        batch_op.add_column(sa.Column("error_element_id", sa.String(128), nullable=True))
        batch_op.add_column(sa.Column("error_message", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("error_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("pending_action", JSON, nullable=True))


def downgrade():
    op.execute("UPDATE process_instances SET status = 'running' WHERE status IN ('error', 'suspended')")
    with op.batch_alter_table("process_instances") as batch_op:
        batch_op.drop_column("pending_action")
        batch_op.drop_column("error_at")
        batch_op.drop_column("error_message")
        batch_op.drop_column("error_element_id")
