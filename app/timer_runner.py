"""The timer runner (`flask timers --loop`): fires each timer on the second. Like a request's
end in db_session.py, its transactions end here, one per instance: services/timers.py only
finds and fires. Between passes it sleeps until the earliest waiting timer; on PostgreSQL a
save that brings a timer earlier wakes it at once (LISTEN/NOTIFY), elsewhere it looks again
within a second."""
import logging
import time
from datetime import timedelta

from .clock import now
from .extensions import db
from .services import callback_reports, health, loaners, monthly_reports, notices, runs, texts, timers
from . import logs

log = logging.getLogger(__name__)
POLL_WITHOUT_NOTICES = 1.0  # seconds: how late a timer set by another process may be seen on SQLite
HEARTBEAT_EVERY = timedelta(seconds=10)  # /healthz reads it; a write per pass would be a write per second


def start_reports() -> None:
    """The 1st of the month: the month before gets its report procedure (once, whichever runner
    is first; services/monthly_reports.py), in a transaction of its own; Monday: last week's
    callback report is sent (once; services/callback_reports.py), in another."""
    try:
        monthly_reports.start_due()
        db.session.commit()
    except Exception:  # the timers go on; the next pass tries again
        db.session.rollback()
        log.exception("the monthly report could not be started")
    try:
        callback_reports.send_due()  # Monday: last week's callback report to its managers, once
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("the weekly callback report could not be sent")


def check_loans() -> None:
    """Spare units lent and not returned in time: their lenders are told, once per loan
    (services/loaners.py), in a transaction of its own."""
    try:
        loaners.check_overdue()
        db.session.commit()
    except Exception:  # the timers go on; the next pass tries again
        db.session.rollback()
        log.exception("the overdue loans could not be checked")


def run_pass(limit: int = 1000) -> int:
    """Fire what is due now, committing per instance; returns how many instances moved on. A
    failing instance is held in error and the pass goes on with the next one."""
    fired, done = 0, set()
    for _ in range(limit):
        instance = timers.next_due(done)
        if instance is None:
            db.session.rollback()
            break
        instance_id = instance.id
        done.add(instance_id)  # once per pass: a timer still due after firing waits for the next pass
        try:
            fired += timers.fire(instance)
            db.session.commit()
        except Exception as err:  # whatever one instance does, the others' timers still fire
            db.session.rollback()
            log.exception("timer of instance %s failed", instance_id)
            try:
                timers.hold(instance_id, err)
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("instance %s could not be marked in error", instance_id)
    return fired


class Wakeup:
    """Sleeping until the next timer, or until a save brings one earlier (PostgreSQL)."""

    def __init__(self):
        self.url = db.engine.url
        self.listens = self.url.get_backend_name() == "postgresql"
        self.connection = None

    def _listening(self):
        """The connection that listens for notices, opened (again) when there is none."""
        if self.connection is None:
            import psycopg
            self.connection = psycopg.connect(
                self.url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True)
            self.connection.execute(f"LISTEN {runs.TIMERS_CHANNEL}")
        return self.connection

    def wait(self, seconds: float) -> bool:
        """Sleep at most `seconds`; True when a notice woke it. Without notices (SQLite, or the
        listening connection lost: opened again next time) it looks again within a second."""
        if self.listens:
            try:
                return any(True for _ in self._listening().notifies(timeout=seconds, stop_after=1))
            except Exception:  # the database went away: the next pass says so, the runner goes on
                log.warning("timer runner: not listening for notices; looking again within a second")
                self.close()
        time.sleep(min(seconds, POLL_WITHOUT_NOTICES))
        return False

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            finally:
                self.connection = None


def run(loop: bool, interval: float, echo) -> None:
    """One pass, or passes for ever: `interval` is the longest sleep between them."""
    wakeup, beat = (Wakeup() if loop else None), None
    try:
        while True:
            try:
                fired = run_pass()
                start_reports()
                check_loans()
                notices.deliver_due()  # the notices of the tasks that arrived, also from the pages' requests
                texts.deliver_due()  # the text messages to customers the steps queued (the callback's apology)
                logs.clear()  # the pass's log lines named each instance; this one is done
                if beat is None or now() - beat >= HEARTBEAT_EVERY:
                    health.record_pass()  # for /healthz: a pass completed
                    beat = now()
                db.session.commit()
                pause = timers.seconds_to_next(interval)
                db.session.rollback()  # no transaction held open while asleep
            except Exception:  # a database hiccup must not stop the deadlines for good
                if not loop:
                    raise
                db.session.rollback()
                log.exception("timer run failed; trying again in %s s", interval)
                fired, pause = 0, interval
            if fired or not loop:
                echo(f"timers: {fired} instance(s) moved on")
            if not loop:
                break
            wakeup.wait(pause)
    finally:
        if wakeup is not None:
            wakeup.close()
