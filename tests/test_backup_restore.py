"""`flask backup` and `flask restore` on both databases: a database with cases on their way is
backed up, restored into a fresh empty database, and the cases go on there."""
import sqlite3
import uuid
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from app import create_app
from app.extensions import db
from return_authorization import ReturnCase
from procedures import Case, moved_clock

SH = timezone(timedelta(hours=8))
START = datetime(2026, 9, 18, 10, tzinfo=SH)  # Friday; one working day later is the adjusted Sunday 20th


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def _set_revision(app, revision: str) -> None:
    with app.app_context():
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
        db.session.commit()


def test_a_restored_backup_carries_the_running_cases_on(app, api, tmp_path, empty_database_url):
    with moved_clock(api, START):
        complaint = Case(api)
        complaint.classify(category="parts", severity="general", deadline_days=1)
        parts_task = complaint.open_task("handle_parts")["id"]
        assert api.as_("parts_manager").post(f"/tasks/{parts_task}/claim").status_code == 200
        returned = ReturnCase(api)
        assert returned.open_names() == ["review_request"]

    target = tmp_path / "nightly.backup"
    made = _cli(app, "backup", str(target))
    assert made.exit_code == 0, made.output
    assert target.is_file() and not (tmp_path / "nightly.backup.partial").exists()
    kind = "sqlite" if empty_database_url.startswith("sqlite") else "postgresql"
    assert f"({kind}, {target.stat().st_size} bytes)" in made.output
    with app.app_context():
        revision = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    assert f"database revision: {revision}\n" in made.output
    assert "open tasks:" in made.output and ":postgres@" not in made.output
    if kind == "sqlite":  # one self-contained file, readable without its -wal beside it
        con = sqlite3.connect(target.resolve().as_uri() + "?mode=ro", uri=True)
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        con.close()

    restored = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url,
                           "SECRET_KEY": "test-" + uuid.uuid4().hex})
    try:
        result = _cli(restored, "restore", str(target))
        assert result.exit_code == 0, result.output
        assert f"restored: {target} ({kind})" in result.output and ":postgres@" not in result.output
        assert "db upgrade" not in result.output

        again = type(api)(restored.test_client())  # the API client of conftest, on the restored app
        with moved_clock(again, START + timedelta(minutes=5)) as clock:
            inbox = again.as_("branch_manager").get("/tasks", query_string={"process_key": "return_authorization"})
            on_restored = ReturnCase.__new__(ReturnCase)
            on_restored.api, on_restored.id = again, returned.id
            assert on_restored.open_task("review_request")["id"] in [t["id"] for t in inbox.get_json()["items"]]
            on_restored.complete("branch_manager", "review_request", {"review_decision": "approve"})
            assert on_restored.open_names() == ["approve_request"]
            assert returned.open_names() == ["review_request"]  # the original database is untouched

            moved = Case.__new__(Case)
            moved.api, moved.id = again, complaint.id
            assert moved.open_names() == ["handle_parts"]
            assert moved.open_task("handle_parts")["claimed_by"] == "parts_manager"
            clock.to(START + timedelta(days=2, minutes=1))
            fired = _cli(restored, "timers")
            assert fired.exit_code == 0, fired.output
            assert moved.open_names() == ["escalate_handle_parts", "handle_parts"]
    finally:
        with restored.app_context():
            db.engine.dispose()


def test_restore_refuses_a_non_empty_target_a_newer_backup_and_a_file_that_is_no_backup(app, tmp_path,
                                                                                       empty_database_url):
    target = tmp_path / "db.backup"
    assert _cli(app, "backup", str(target)).exit_code == 0
    with app.app_context():
        before = db.session.scalar(sa.text("SELECT count(*) FROM process_instances"))

    refused = _cli(app, "restore", str(target))
    assert refused.exit_code == 1
    assert f"{target}: not restored: the target database is not empty" in refused.output
    assert "--force" in refused.output and "Traceback" not in refused.output

    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"this is no backup at all\n" * 10)
    result = _cli(app, "restore", str(junk), "--force")
    assert result.exit_code == 1 and f"{junk}: not a backup made by `flask backup`" in result.output
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(target.read_bytes()[:200])
    result = _cli(app, "restore", str(truncated), "--force")
    assert result.exit_code == 1 and str(truncated) in result.output and "Traceback" not in result.output
    assert _cli(app, "restore", str(tmp_path / "missing.backup")).output.strip().endswith("no such file")

    # A backup made by newer code (a revision this code does not know) is refused; an older one
    # is restored with the advice to upgrade.
    fresh = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "t"})
    try:
        assert _cli(fresh, "restore", str(target)).exit_code == 0
        _set_revision(fresh, "z9_future")
        newer = tmp_path / "newer.backup"
        assert _cli(fresh, "backup", str(newer)).exit_code == 0
        result = _cli(fresh, "restore", str(newer), "--force")
        assert result.exit_code == 1
        assert f"{newer}: made at database revision z9_future, which this code does not know" in result.output
        _set_revision(fresh, "c6_drafts")
        older = tmp_path / "older.backup"
        assert _cli(fresh, "backup", str(older)).exit_code == 0
        result = _cli(fresh, "restore", str(older), "--force")
        assert result.exit_code == 0, result.output
        assert "revision c6_drafts, older than this code: run `flask --app app db upgrade`" in result.output
    finally:
        with fresh.app_context():
            db.engine.dispose()

    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM process_instances")) == before

