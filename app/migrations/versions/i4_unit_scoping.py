"""unit scoping: quality complaints, visit plans and customer visits carry the organisation unit
of their case (a visit plan's unit is its visits'), read through an index per unit; a delivery
carries the unit it was entered in (the KPIs per unit, the group's until now); the cases the
timer runner started without a unit (the monthly report) are the group's; the weekly callback
reports sent (one row per week, its key the Monday).

Revision ID: i4_unit_scoping
Revises: i3_flag_notices
"""
import sqlalchemy as sa
from alembic import op

revision = "i4_unit_scoping"
down_revision = "i4_loaners"
branch_labels = None
depends_on = None

CARRIERS = ("quality_complaints", "visit_plans", "customer_visits", "deliveries")
INDEXES = {"ix_quality_complaints_unit_received_id": ("quality_complaints", ["unit_id", "received_at", "id"]),
           "ix_visit_plans_unit_created_id": ("visit_plans", ["unit_id", "created_at", "id"]),
           "ix_customer_visits_unit_opened_id": ("customer_visits", ["unit_id", "opened_at", "id"]),
           "ix_deliveries_unit_id": ("deliveries", ["unit_id"])}


def upgrade():
    connection = op.get_bind()
    root = connection.scalar(sa.text("SELECT id FROM org_units WHERE code = 'group'"))
    # a case nobody started for a unit (the timer runner's monthly report) is the group's
    connection.execute(sa.text("UPDATE process_instances SET unit_id = :root WHERE unit_id IS NULL"), {"root": root})
    connection.execute(sa.text("UPDATE open_tasks SET unit_id = (SELECT p.unit_id FROM process_instances p "
                               "WHERE p.id = open_tasks.instance_id) WHERE unit_id IS NULL"))
    for table in CARRIERS:
        if connection.dialect.name == "sqlite":  # a column with its reference, no table rebuilt
            op.execute(f"ALTER TABLE {table} ADD COLUMN unit_id INTEGER REFERENCES org_units (id)")
        else:
            op.add_column(table, sa.Column("unit_id", sa.Integer(), nullable=True))
            op.create_foreign_key(f"fk_{table}_unit_id", table, "org_units", ["unit_id"], ["id"])
        if table == "deliveries":  # the delivery register so far: the group's (its figures as before)
            connection.execute(sa.text("UPDATE deliveries SET unit_id = :root"), {"root": root})
            continue
        # the case's unit; a row without a case (none are written so) the group's
        connection.execute(sa.text(f"UPDATE {table} SET unit_id = COALESCE((SELECT p.unit_id FROM process_instances p "
                                   f"WHERE p.id = {table}.instance_id), :root)"), {"root": root})
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)
    op.create_table(
        "callback_week_reports",
        sa.Column("week", sa.Date(), primary_key=True),  # the report's Monday (service time zone)
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade():
    op.drop_table("callback_week_reports")
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in CARRIERS:
        if sqlite:  # a referencing column is dropped by rebuilding the table
            with op.batch_alter_table(table) as batch:
                batch.drop_column("unit_id")
        else:
            op.drop_constraint(f"fk_{table}_unit_id", table, type_="foreignkey")
            op.drop_column(table, "unit_id")
