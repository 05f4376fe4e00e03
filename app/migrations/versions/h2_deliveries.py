"""deliveries: the delivery register (交车登记), the complaint rate's denominator and the source of
准时交车率 / 准时竣工率 / 估价准确率; and on the complaint what the honest KPIs need: the first
round's deadline and handling time (a send-back renews the deadline, the timeliness rate counts
the first round) and the closure type (satisfied / unresolved / withdrawn).

Existing complaints get their first round from what they have: the current deadline and handling
time (exact unless a round was sent back), and 'satisfied' when closed after a satisfied callback.

Revision ID: h2_deliveries
Revises: g1_forms
"""
import sqlalchemy as sa
from alembic import op

revision = "h2_deliveries"
down_revision = "g1_forms"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("repair_order", sa.String(40), nullable=False),
        sa.Column("plate", sa.String(32), nullable=False, server_default=""),
        sa.Column("customer_name", sa.String(100), nullable=False, server_default=""),
        sa.Column("department", sa.String(64), nullable=True),
        sa.Column("service_advisor", sa.String(64), nullable=True),
        sa.Column("promised_delivery_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("promised_completion_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("estimate_amount", sa.Numeric(12, 2), nullable=True),
        sa.Column("final_amount", sa.Numeric(12, 2), nullable=True),
        sa.Column("source", sa.String(16), nullable=False, server_default="entered"),
        sa.Column("entered_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("repair_order", name="uq_deliveries_repair_order"),
    )
    op.create_index("ix_deliveries_delivered_at", "deliveries", ["delivered_at"])
    with op.batch_alter_table("complaints") as batch_op:
        batch_op.add_column(sa.Column("first_deadline_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("first_handled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closure_type", sa.String(16), nullable=True))
        batch_op.create_index("ix_complaints_first_deadline_at", ["first_deadline_at"])
    complaints = sa.table("complaints", sa.column("deadline_at"), sa.column("handled_at"), sa.column("status"),
                          sa.column("callback_satisfied", sa.Boolean), sa.column("first_deadline_at"),
                          sa.column("first_handled_at"), sa.column("closure_type"))
    op.execute(complaints.update().values(first_deadline_at=complaints.c.deadline_at,
                                          first_handled_at=complaints.c.handled_at))
    op.execute(complaints.update().where(complaints.c.status == "closed",
                                         complaints.c.callback_satisfied.is_(True)).values(closure_type="satisfied"))


def downgrade():
    with op.batch_alter_table("complaints") as batch_op:
        batch_op.drop_index("ix_complaints_first_deadline_at")
        batch_op.drop_column("closure_type")
        batch_op.drop_column("first_handled_at")
        batch_op.drop_column("first_deadline_at")
    op.drop_index("ix_deliveries_delivered_at", table_name="deliveries")
    op.drop_table("deliveries")
