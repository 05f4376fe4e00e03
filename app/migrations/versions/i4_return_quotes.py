"""return authorization version 2: the itemised quote per unit and the branch manager's answer to
it, the application's kind (repair or returned goods) and route, the confirmation, the withdrawal
or cancellation of an approval never shipped, and the handling of returned goods

Revision ID: i4_return_quotes
Revises: i3_flag_notices
"""
import sqlalchemy as sa
from alembic import op

revision = "i4_return_quotes"
down_revision = "i3_flag_notices"
branch_labels = None
depends_on = None

UNIT_COLUMNS = ("quote_repair", "quote_materials", "quote_added_parts", "quote_upgrade")


def upgrade():
    with op.batch_alter_table("return_units") as batch_op:
        for name in UNIT_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Numeric(12, 2), nullable=True))
        batch_op.add_column(sa.Column("quote_answer", sa.String(16), nullable=True))
        batch_op.add_column(sa.Column("quote_answered_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("quote_answered_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_return_units_quote_answered_by_id_users", "users",
                                    ["quote_answered_by_id"], ["id"])
    with op.batch_alter_table("return_authorizations") as batch_op:
        batch_op.add_column(sa.Column("request_kind", sa.String(16), nullable=False, server_default="repair"))
        batch_op.add_column(sa.Column("route", sa.String(16), nullable=True))
        batch_op.add_column(sa.Column("confirmed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("confirmation_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("shipment_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("end_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("returned_goods_handling", sa.Text(), nullable=True))
        batch_op.create_foreign_key("fk_return_authorizations_confirmed_by_id_users", "users",
                                    ["confirmed_by_id"], ["id"])


def downgrade():
    with op.batch_alter_table("return_authorizations") as batch_op:
        batch_op.drop_constraint("fk_return_authorizations_confirmed_by_id_users", type_="foreignkey")
        for name in ("returned_goods_handling", "end_reason", "shipment_due_at", "confirmation_reason",
                     "confirmed_by_id", "route", "request_kind"):
            batch_op.drop_column(name)
    with op.batch_alter_table("return_units") as batch_op:
        batch_op.drop_constraint("fk_return_units_quote_answered_by_id_users", type_="foreignkey")
        for name in ("quote_answered_by_id", "quote_answered_at", "quote_answer", *UNIT_COLUMNS):
            batch_op.drop_column(name)
