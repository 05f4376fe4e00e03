"""The service's health as a load balancer or monitor asks for it: does the database answer,
and did the timer runner complete a pass recently? The runner records each pass here."""
from flask import current_app
from sqlalchemy import select, text, update

from ..clock import now
from ..extensions import db
from ..models import RunnerHeartbeat

TIMERS = "timers"


def record_pass(name: str = TIMERS) -> None:
    """Note a completed pass of a runner, in the runner's own transaction."""
    moment = now()
    updated = db.session.execute(update(RunnerHeartbeat).where(RunnerHeartbeat.name == name)
                                 .values(last_pass_at=moment)).rowcount
    if not updated:
        db.session.add(RunnerHeartbeat(name=name, last_pass_at=moment))
        db.session.flush()


def check() -> tuple[bool, dict]:
    """(healthy, report); the report names the part that failed and gives no internals."""
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
        last = db.session.scalar(select(RunnerHeartbeat.last_pass_at).where(RunnerHeartbeat.name == TIMERS))
    except Exception:  # noqa: BLE001  (any database failure is 'unavailable'; the log has the detail)
        current_app.logger.exception("health check: the database did not answer")
        db.session.rollback()
        database, last = "unavailable", None
    timers = {"last_pass_at": last, "age_seconds": None}
    if last is not None:
        timers["age_seconds"] = int((now() - last).total_seconds())
    limit = current_app.config["TIMERS_MAX_AGE_SECONDS"]
    if database != "ok":
        timers["status"] = "unknown"
    elif last is None:
        timers["status"] = "never_ran"
    else:
        timers["status"] = "ok" if timers["age_seconds"] <= limit else "stale"
    failed = [part for part, ok in (("database", database == "ok"), ("timers", timers["status"] == "ok")) if not ok]
    report = {"status": "ok" if not failed else "unavailable", "database": database, "timers": timers}
    if failed:
        report["failed"] = failed
    return not failed, report
