"""Backing up the whole database into one file and restoring it: pg_dump/pg_restore for
PostgreSQL, SQLite's online backup API for SQLite. Both are consistent while the service runs.
Errors are BackupError, whose message names the file and the reason (never a password)."""
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from flask import current_app
from sqlalchemy import inspect
from sqlalchemy.engine import URL

from ..extensions import db

PG_MAGIC, SQLITE_MAGIC = b"PGDMP", b"SQLite format 3\x00"


class BackupError(Exception):
    pass


@dataclass
class Facts:
    """What a backup holds, as told to the operator."""
    kind: str
    revision: str
    instances: int
    active_instances: int
    open_tasks: int
    size: int = 0
    migration: str = "current"  # "current" or "older": an older one needs `flask db upgrade`


def _read_facts(kind: str, scalar) -> Facts:
    """The revision and counts, read through `scalar(sql)` from a live or copied database."""
    return Facts(kind=kind, revision=scalar("SELECT min(version_num) FROM alembic_version"),
                 instances=scalar("SELECT count(*) FROM process_instances"),
                 active_instances=scalar("SELECT count(*) FROM process_instances "
                                         "WHERE status IN ('running', 'waiting')"),
                 open_tasks=scalar("SELECT count(*) FROM open_tasks"))


def _url() -> URL:
    return db.engine.url


def _kind() -> str:
    name = _url().get_backend_name()
    if name not in ("postgresql", "sqlite"):
        raise BackupError(f"backups of {name} databases are not supported")
    return name


def _file_kind(path: Path) -> str:
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError as err:
        raise BackupError(f"{path}: cannot read: {err.strerror}") from None
    if head.startswith(PG_MAGIC):
        return "postgresql"
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    raise BackupError(f"{path}: not a backup made by `flask backup` "
                      f"(neither a pg_dump custom archive nor a SQLite database)")


# --- PostgreSQL -------------------------------------------------------------------------------

def find_tool(name: str) -> str:
    """pg_dump/pg_restore: PG_BIN_DIR if set, else on PATH, else the newest /usr/lib/postgresql/*/bin."""
    configured = current_app.config.get("PG_BIN_DIR")
    candidates = [Path(configured) / name] if configured else []
    on_path = shutil.which(name)
    candidates += [Path(on_path)] if on_path else []
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: _version_key(p.parent.name),
                      reverse=True)
    candidates += [folder / name for folder in versions]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise BackupError(f"{name} not found (looked in PG_BIN_DIR, PATH and /usr/lib/postgresql/*/bin): "
                      f"install the PostgreSQL client programs or set PG_BIN_DIR")


def _version_key(name: str) -> tuple:
    return tuple(int(part) for part in re.findall(r"\d+", name))


def _libpq() -> tuple[str, dict]:
    """The database as libpq wants it, the password passed in the environment, never on the command line."""
    url = _url()
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _run(args: list[str], env: dict, what: str, path: Path) -> str:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        message = result.stderr.strip().splitlines()
        reason = "; ".join(line.removeprefix(f"{Path(args[0]).name}: ") for line in message[:3]) or "failed"
        password = _url().password
        if password:
            reason = reason.replace(str(password), "***")
        raise BackupError(f"{path}: {what} failed: {reason}")
    return result.stdout


def _pg_backup(path: Path, partial: Path) -> Facts:
    tool = find_tool("pg_dump")
    conninfo, env = _libpq()
    # One snapshot for the counts and the dump: what we print is what the file holds.
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
            facts = _read_facts("postgresql", lambda sql: conn.exec_driver_sql(sql).scalar())
            _run([tool, "--format=custom", f"--snapshot={snapshot}", f"--file={partial}", "--dbname", conninfo],
                 env, "pg_dump", path)
    return facts


def _pg_revision(path: Path) -> str:
    tool = find_tool("pg_restore")
    _run([tool, "--list", str(path)], dict(os.environ), "reading the archive", path)
    script = _run([tool, "--data-only", "--table=alembic_version", "--file=-", str(path)], dict(os.environ),
                  "reading the archive", path)
    lines = script.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and index + 1 < len(lines):
            if lines[index + 1] != "\\.":
                return lines[index + 1].strip()
    raise BackupError(f"{path}: holds no alembic revision: not a backup of this service")


def _pg_restore(path: Path) -> None:
    tool = find_tool("pg_restore")
    conninfo, env = _libpq()
    _run([tool, "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error",
          "--dbname", conninfo, str(path)], env, "pg_restore", path)


# --- SQLite -----------------------------------------------------------------------------------

def _sqlite_file() -> Path:
    name = _url().database
    if not name or name == ":memory:":
        raise BackupError("the configured SQLite database is in memory: nothing to back up or restore into")
    return Path(name)


def _sqlite_readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)


def _sqlite_backup(partial: Path) -> Facts:
    source = sqlite3.connect(_sqlite_file(), timeout=30)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)  # all pages in one step: one read transaction, a consistent copy
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, readable read-only
        return _read_facts("sqlite", lambda sql: copy.execute(sql).fetchone()[0])
    finally:
        copy.close()
        source.close()


def _sqlite_revision(path: Path) -> str:
    try:
        con = _sqlite_readonly(path)
        try:
            if con.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{path}: the SQLite file is damaged (quick_check failed)")
            return con.execute("SELECT min(version_num) FROM alembic_version").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error as err:
        raise BackupError(f"{path}: not a readable backup of this service: {err}") from None


def _sqlite_restore(path: Path) -> None:
    source = _sqlite_readonly(path)
    target = sqlite3.connect(_sqlite_file(), timeout=30)
    try:
        source.backup(target)  # replaces the whole target database in one transaction
    finally:
        target.close()
        source.close()


# --- the two commands -------------------------------------------------------------------------

def backup(path: Path) -> Facts:
    """Write a consistent backup of the configured database to `path` (replaced only when complete)."""
    kind = _kind()
    partial = path.with_name(path.name + ".partial")
    try:
        partial.unlink(missing_ok=True)
        facts = _pg_backup(path, partial) if kind == "postgresql" else _sqlite_backup(partial)
        os.replace(partial, path)
    except OSError as err:
        raise BackupError(f"{path}: cannot write: {err.strerror}") from None
    except sqlite3.Error as err:
        raise BackupError(f"{path}: SQLite backup failed: {err}") from None
    finally:
        partial.unlink(missing_ok=True)
    facts.size = path.stat().st_size
    return facts


def _migration_state(path: Path, revision: str | None) -> str:
    config = Config()
    config.set_main_option("script_location", current_app.extensions["migrate"].directory)
    script = ScriptDirectory.from_config(config)
    if not revision:
        raise BackupError(f"{path}: holds no alembic revision: not a backup of this service")
    if revision in script.get_heads():
        return "current"
    try:
        known = script.get_revision(revision)
    except (RevisionError, CommandError):
        known = None
    if known is None:
        raise BackupError(f"{path}: made at database revision {revision}, which this code does not know "
                          f"(newer code made it): restore it with that code")
    return "older"


def target_tables() -> list[str]:
    db.session.rollback()
    return inspect(db.engine).get_table_names()


def restore(path: Path, force: bool = False) -> Facts:
    """Replace the configured database with the backup at `path`."""
    kind = _kind()
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    file_kind = _file_kind(path)
    if file_kind != kind:
        raise BackupError(f"{path}: is a {file_kind} backup, but the configured database is {kind}")
    revision = _pg_revision(path) if kind == "postgresql" else _sqlite_revision(path)
    migration = _migration_state(path, revision)
    tables = target_tables()
    if tables and not force:
        raise BackupError(f"{path}: not restored: the target database is not empty ({len(tables)} tables); "
                          f"restoring replaces everything in it: add --force if that is what you want")
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold a lock on what is replaced
    try:
        _pg_restore(path) if kind == "postgresql" else _sqlite_restore(path)
    except sqlite3.Error as err:
        raise BackupError(f"{path}: restore failed: {err}") from None
    with db.engine.connect() as conn:
        facts = _read_facts(kind, lambda sql: conn.exec_driver_sql(sql).scalar())
    facts.size, facts.migration = path.stat().st_size, migration
    return facts
