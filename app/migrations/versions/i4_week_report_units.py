"""weekly callback reports per organisation unit: a report sent is one row per week and unit (the
unit whose figures were sent; the group's: every unit's). The weeks already sent were the group's.

Revision ID: i4_week_report_units
Revises: i4_return_quotes
"""
import sqlalchemy as sa
from alembic import op

revision = "i4_week_report_units"
down_revision = "i4_return_quotes"
branch_labels = None
depends_on = None


def _table(name: str, with_unit: bool) -> None:
    columns = [sa.Column("week", sa.Date(), primary_key=True)]  # the report's Monday (service time zone)
    if with_unit:
        columns.append(sa.Column("unit_id", sa.Integer(), sa.ForeignKey("org_units.id"), primary_key=True))
    columns += [sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
                sa.Column("recipients", sa.Integer(), nullable=False, server_default="0")]
    op.create_table(name, *columns)


def upgrade():
    # a new key: the table is made again (on SQLite and PostgreSQL alike) and the weeks sent copied
    _table("callback_week_reports_by_unit", with_unit=True)
    op.execute("INSERT INTO callback_week_reports_by_unit (week, unit_id, sent_at, recipients) "
               "SELECT r.week, u.id, r.sent_at, r.recipients FROM callback_week_reports r "
               "JOIN org_units u ON u.code = 'group'")
    op.drop_table("callback_week_reports")
    op.rename_table("callback_week_reports_by_unit", "callback_week_reports")


def downgrade():
    _table("callback_week_reports_by_week", with_unit=False)
    op.execute("INSERT INTO callback_week_reports_by_week (week, sent_at, recipients) "
               "SELECT week, MAX(sent_at), SUM(recipients) FROM callback_week_reports GROUP BY week")
    op.drop_table("callback_week_reports")
    op.rename_table("callback_week_reports_by_week", "callback_week_reports")
