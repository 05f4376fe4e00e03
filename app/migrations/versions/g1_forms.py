"""forms: forms are definitions kept with a procedure's files; each stored version (and draft)
gets the shipped definition (processes/forms/<form key>.form) of every form its diagram names,
so the cases running on it keep their forms. A version's sha256 is its files' digest again.

The definitions are read from the processes/forms/ this code ships with: run the upgrade with
the release that brings them (they equal the form classes they replace).

Revision ID: g1_forms
Revises: g1_facts
"""
import hashlib
import json
import re
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "g1_forms"
down_revision = "g1_facts"
branch_labels = None
depends_on = None

SHIPPED = Path(__file__).resolve().parents[3] / "processes" / "forms"
FORM_REF = re.compile(r'name="(?:form|shows)"\s+value="([^"]+)"')  # a task's form, and those its page shows


def _digest(files: dict) -> str:  # as app/services/deployments._digest
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return digest.hexdigest()


def _with_forms(files: dict) -> dict | None:
    """`files` with the shipped definitions of the forms its diagrams name; None if none is missing."""
    named = {key for name, text in files.items() if name.endswith(".bpmn")
             for found in FORM_REF.findall(text) for key in found.split()}
    added = {}
    for key in sorted(named):
        path = SHIPPED / f"{key}.form"
        if f"{key}.form" not in files and path.is_file():
            added[path.name] = path.read_text(encoding="utf-8")
    return {**files, **added} if added else None


def _files(value) -> dict:
    return json.loads(value) if isinstance(value, str) else dict(value or {})


def upgrade():
    bind = op.get_bind()
    versions = sa.table("process_versions", sa.column("id", sa.Integer), sa.column("files", sa.JSON),
                        sa.column("sha256", sa.String))
    for row in bind.execute(sa.select(versions.c.id, versions.c.files)).all():
        files = _with_forms(_files(row.files))
        if files is not None:
            bind.execute(versions.update().where(versions.c.id == row.id).values(files=files, sha256=_digest(files)))
    drafts = sa.table("process_drafts", sa.column("id", sa.Integer), sa.column("files", sa.JSON))
    for row in bind.execute(sa.select(drafts.c.id, drafts.c.files)).all():
        files = _with_forms(_files(row.files))
        if files is not None:
            bind.execute(drafts.update().where(drafts.c.id == row.id).values(files=files))


def downgrade():
    # The definitions stay in the files: older code ignores them... but cannot parse them as XML,
    # so they are taken out again (a version's digest is its files' again).
    bind = op.get_bind()
    for table_name, has_sha in (("process_versions", True), ("process_drafts", False)):
        columns = [sa.column("id", sa.Integer), sa.column("files", sa.JSON)] + ([sa.column("sha256", sa.String)]
                                                                             if has_sha else [])
        table = sa.table(table_name, *columns)
        for row in bind.execute(sa.select(table.c.id, table.c.files)).all():
            files = _files(row.files)
            kept = {name: text for name, text in files.items() if not name.endswith(".form")}
            if kept != files:
                values = {"files": kept, **({"sha256": _digest(kept)} if has_sha else {})}
                bind.execute(table.update().where(table.c.id == row.id).values(**values))
