"""search: a search text (Chinese bigrams, suffixes of phones and plates) on complaints and
return authorizations, indexed by FTS5 on SQLite and GIN on PostgreSQL (app/models/search.py
says why), filled here for the rows there are; and the ledger's filters indexed in its
default order (newest first), replacing their single-column indexes.

Revision ID: h2_search
Revises: g1_forms
"""
import sqlalchemy as sa
from alembic import op

from app.models.search import document_tokens, index_statements

revision = "h2_search"
down_revision = "h2_penalties"
branch_labels = None
depends_on = None

SEARCHED = {"complaints": ("number", "customer_name", "contact_phone", "vehicle", "description", "result"),
            "return_authorizations": ("number", "model", "branch", "fault_description")}
FILTERS = ("category", "severity", "channel", "responsible_role", "responsible_user_id")  # status has one
OLD_INDEXES = {"category": "ix_complaints_category", "severity": "ix_complaints_severity",
               "channel": "ix_complaints_channel", "responsible_role": "ix_complaints_responsible_role",
               "responsible_user_id": "ix_complaints_responsible_user_id"}
BATCH = 5_000


def _fill(connection, table: str, fields: tuple) -> None:
    rows = connection.execute(sa.text(f"SELECT id, {', '.join(fields)} FROM {table} ORDER BY id"))
    update = sa.text(f"UPDATE {table} SET search_text = :text WHERE id = :id")
    while chunk := rows.fetchmany(BATCH):
        connection.execute(update, [{"id": row[0], "text": document_tokens(*row[1:])} for row in chunk])


def upgrade():
    connection = op.get_bind()
    postgres = connection.dialect.name == "postgresql"
    for table, fields in SEARCHED.items():
        op.add_column(table, sa.Column("search_text", sa.Text(), nullable=True))
        _fill(connection, table, fields)
        for statement in index_statements(table, connection.dialect.name):
            op.execute(statement)
        if not postgres:
            op.execute(f"INSERT INTO {table}_search({table}_search) VALUES ('rebuild')")
    for column in FILTERS:
        op.drop_index(OLD_INDEXES[column], table_name="complaints")
        op.create_index(f"ix_complaints_{column}_received_id", "complaints", [column, "received_at", "id"])


def downgrade():
    for column in FILTERS:
        op.drop_index(f"ix_complaints_{column}_received_id", table_name="complaints")
        op.create_index(OLD_INDEXES[column], "complaints", [column])
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in SEARCHED:
        if postgres:
            op.drop_index(f"ix_{table}_search", table_name=table)
            op.drop_column(table, "search_vector")
        else:
            for trigger in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER {table}_search_{trigger}")
            op.execute(f"DROP TABLE {table}_search")
        with op.batch_alter_table(table) as batch:
            batch.drop_column("search_text")
