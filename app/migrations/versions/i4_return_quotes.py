"""return authorization version 2: the itemised quote per unit and the branch manager's answer to
it, the application's kind (repair or returned goods) and route, the confirmation, the withdrawal
or cancellation of an approval never shipped, and the handling of returned goods

Revision ID: i4_return_quotes
Revises: i3_flag_notices
"""
import sqlalchemy as sa
from alembic import op

revision = "i4_return_quotes"
down_revision = "i4_unit_scoping"
branch_labels = None
depends_on = None

UNIT_COLUMNS = ("quote_repair", "quote_materials", "quote_added_parts", "quote_upgrade")


UNIT_MORE = (("quote_answer", sa.String(16)), ("quote_answered_at", sa.DateTime(timezone=True)),
             ("quote_answered_by_id", sa.Integer()))
REQUEST_COLUMNS = (("route", sa.String(16)), ("confirmed_by_id", sa.Integer()), ("confirmation_reason", sa.Text()),
                   ("shipment_due_at", sa.DateTime(timezone=True)), ("end_reason", sa.Text()),
                   ("returned_goods_handling", sa.Text()))
# Plain ADD COLUMN, never a batch rebuild: on SQLite a rebuilt return_authorizations would lose the
# triggers that keep its full-text index (app/models/search.py). The foreign keys are PostgreSQL's.
FOREIGN_KEYS = (("fk_return_units_quote_answered_by_id_users", "return_units", "quote_answered_by_id"),
                ("fk_return_authorizations_confirmed_by_id_users", "return_authorizations", "confirmed_by_id"))


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    for name in UNIT_COLUMNS:
        op.add_column("return_units", sa.Column(name, sa.Numeric(12, 2), nullable=True))
    for name, kind in UNIT_MORE:
        op.add_column("return_units", sa.Column(name, kind, nullable=True))
    op.add_column("return_authorizations",
                  sa.Column("request_kind", sa.String(16), nullable=False, server_default="repair"))
    for name, kind in REQUEST_COLUMNS:
        op.add_column("return_authorizations", sa.Column(name, kind, nullable=True))
    if _postgresql():
        for constraint, table, column in FOREIGN_KEYS:
            op.create_foreign_key(constraint, table, "users", [column], ["id"])


def downgrade():
    if _postgresql():
        for constraint, table, _ in FOREIGN_KEYS:
            op.drop_constraint(constraint, table, type_="foreignkey")
    for name in ("request_kind", *(n for n, _ in REQUEST_COLUMNS)):
        op.drop_column("return_authorizations", name)
    for name in (*UNIT_COLUMNS, *(n for n, _ in UNIT_MORE)):
        op.drop_column("return_units", name)
