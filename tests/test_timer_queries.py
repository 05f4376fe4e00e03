"""The timer runner's two queries (the next due instance, the earliest timer) read the timer
column's index in time order, so that a pass costs what is due, not what waits
(bench/timers.py, "timer pass cost"). Asserted on SQLite's plan, which is deterministic: without
statistics SQLite would take the status index and sort every waiting instance. PostgreSQL keeps
statistics and picks its own plan from them, so a plan there is no fixed fact to assert (the
bench measures it: flat at 1,000× more waiting); this test therefore runs once, on a SQLite
database of its own, not per `app` database."""
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.services import timers


def test_the_runner_finds_due_and_earliest_timers_through_the_timer_index(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'plans.sqlite'}", "SECRET_KEY": "plans"})
    statements = []
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        sa.event.listen(db.engine, "before_cursor_execute",
                        lambda conn, cursor, sql, params, *rest: statements.append((sql, params)))
        timers.next_due({1, 2})
        timers.earliest()
        plans = []
        raw = db.engine.raw_connection()
        try:
            for sql, params in [(sql, params) for sql, params in statements if sql.startswith("SELECT")]:
                plans.append(" / ".join(row[3] for row in raw.cursor().execute("EXPLAIN QUERY PLAN " + sql, params)))
        finally:
            raw.close()
        db.engine.dispose()

    assert len(plans) == 2, statements
    for plan in plans:
        assert "INDEX ix_process_instances_next_timer_at" in plan, plan
        assert "TEMP B-TREE" not in plan, plan  # read in time order: nothing sorted
