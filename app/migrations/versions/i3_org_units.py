"""org_units: organisation units (the group, branches, stores, dealers), the unit of each person,
case, open task and record, and the lists' indexes per unit. The group's unit is made here and
everything there is belongs to it (nobody loses sight of anything on upgrade).

Revision ID: i3_org_units
Revises: h2_search
"""
import sqlalchemy as sa
from alembic import op

revision = "i3_org_units"
down_revision = "h2_search"
branch_labels = None
depends_on = None

CARRIERS = ("users", "process_instances", "open_tasks", "complaints", "return_authorizations", "callbacks",
            "overdue_records", "penalties")
INDEXES = {"ix_open_tasks_unit_lane_due": ("open_tasks", ["unit_id", "lane", "due_at", "created_at", "id"]),
           "ix_open_tasks_unit_lane_created": ("open_tasks", ["unit_id", "lane", "created_at", "id"]),
           "ix_complaints_unit_received_id": ("complaints", ["unit_id", "received_at", "id"]),
           "ix_return_authorizations_unit_submitted_id": ("return_authorizations", ["unit_id", "submitted_at", "id"]),
           "ix_callbacks_unit_created_id": ("callbacks", ["unit_id", "created_at", "id"]),
           "ix_callbacks_unit_due_id": ("callbacks", ["unit_id", "due_at", "id"]),
           "ix_overdue_records_unit_recorded_id": ("overdue_records", ["unit_id", "recorded_at", "id"]),
           "ix_users_unit_id": ("users", ["unit_id"]),
           "ix_penalties_unit_id": ("penalties", ["unit_id"])}


def upgrade():
    op.create_table(
        "org_units",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(32), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_en", sa.String(100), nullable=False, server_default=""),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("org_units.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_org_units_parent_id", "org_units", ["parent_id"])
    connection = op.get_bind()
    connection.execute(sa.text("INSERT INTO org_units (code, name, name_en, kind) "
                               "VALUES ('group', '集团总部', 'Group headquarters', 'group')"))
    root = connection.scalar(sa.text("SELECT id FROM org_units WHERE code = 'group'"))
    for table in CARRIERS:
        if connection.dialect.name == "sqlite":  # a column with its reference, no table rebuilt (the FTS triggers stay)
            op.execute(f"ALTER TABLE {table} ADD COLUMN unit_id INTEGER REFERENCES org_units (id)")
        else:
            op.add_column(table, sa.Column("unit_id", sa.Integer(), nullable=True))
            op.create_foreign_key(f"fk_{table}_unit_id", table, "org_units", ["unit_id"], ["id"])
        connection.execute(sa.text(f"UPDATE {table} SET unit_id = :root"), {"root": root})
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade():
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
    op.drop_index("ix_org_units_parent_id", table_name="org_units")
    op.drop_table("org_units")
