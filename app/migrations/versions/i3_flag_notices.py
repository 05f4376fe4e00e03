"""notices: a notice need not be about a task (the penalty flags told to the general manager)

Revision ID: i3_flag_notices
Revises: h2_search
"""
import sqlalchemy as sa
from alembic import op

revision = "i3_flag_notices"
down_revision = "i3_customer_visits"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notices") as batch_op:
        batch_op.alter_column("task_id", existing_type=sa.String(64), nullable=True)


def downgrade():
    op.execute("UPDATE notices SET task_id = '' WHERE task_id IS NULL")
    with op.batch_alter_table("notices") as batch_op:
        batch_op.alter_column("task_id", existing_type=sa.String(64), nullable=False)
