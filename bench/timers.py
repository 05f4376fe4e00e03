"""Timer lateness: how long after its due second a timer fires, with the timer runner running
beside the service (`flask timers --loop --interval 30`) as in production. Real time: timers due
3 s after each start, cases started over a few seconds while the runner sleeps.

    .venv/bin/python bench/timers.py [--quick] [--cases 20] [--database-url URL]

On a fresh SQLite file and a fresh PostgreSQL database (on the server BENCH_POSTGRES_URL names,
bench/databases.py; there a save that brings a timer earlier wakes the runner by NOTIFY), or
only on the empty database `--database-url` names. Prints a row per database for bench/all.py."""
import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import databases  # noqa: E402
from bench.table import row  # noqa: E402

PROBE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="timer_bench" name="timer bench" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="customer_dept">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>wait</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>"PT3S"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""
DELAY = timedelta(seconds=3)


def prepared(url: str, key: str, duration: str):
    """The app on a migrated database with the demo users and the probe deployed as `key`,
    its timer waiting `duration` (ISO 8601)."""
    from bench.databases import prepared_app
    from app.extensions import db
    from app.services import deployments
    app = prepared_app(url, deploy=False)
    with app.app_context():
        deployments.deploy({f"{key}.bpmn": PROBE.replace("timer_bench", key).replace("PT3S", duration)})
        db.session.commit()
    return app


def lateness(url: str, args) -> list[float]:
    """Seconds each fired timer came after its due time (fewer than args.cases: some never fired)."""
    from app.extensions import db
    from app.models import ProcessInstance
    app = prepared(url, "timer_bench", "PT3S")
    runner = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "timers", "--loop",
                               "--interval", str(args.interval)], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env={**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"})
    try:
        time.sleep(2)  # the runner started and went to sleep on an empty timer table
        client = app.test_client()
        token = client.post("/api/v1/auth/token", json={"username": "customer_dept", "password": "demo"}).get_json()
        headers = {"Authorization": "Bearer " + token["token"]}
        due = {}  # instance id -> when its timer is due, as the start answered
        for _ in range(args.cases):
            started = client.post("/api/v1/processes/timer_bench/instances", json={"data": {}}, headers=headers)
            with app.app_context():
                due[started.get_json()["id"]] = db.session.get(ProcessInstance, started.get_json()["id"]).next_timer_at
            time.sleep(4.0 / args.cases)  # started over 4 s: later timers wait behind earlier ones
        deadline = time.time() + DELAY.total_seconds() + args.interval + 10
        with app.app_context():
            while time.time() < deadline:
                done = db.session.query(ProcessInstance).filter(ProcessInstance.id.in_(list(due)),
                                                                ProcessInstance.status == "completed").count()
                db.session.rollback()
                if done == len(due):
                    break
                time.sleep(0.2)
            rows = db.session.query(ProcessInstance).filter(ProcessInstance.id.in_(list(due))).all()
            late = [(row.updated_at - due[row.id]).total_seconds() for row in rows if row.status == "completed"]
    finally:
        runner.terminate()
        runner.wait(10)
        with app.app_context():
            db.engine.dispose()
    print(f"database: {url.split('://')[0]}   cases: {args.cases}   runner --interval {args.interval:g}")
    if late:
        print(f"timer lateness: median {statistics.median(late):.2f} s   max {max(late):.2f} s   "
              f"fired {len(late)}/{len(due)}   (goal ≤ 1 s; before: median 16 s, max 30 s)")
    return late


def pass_cost(url: str, due: int, waiting: int, factor: int) -> tuple[float, float]:
    """Milliseconds per fired instance of a timer pass (the runner's run_pass) with `due` instances
    due and `waiting` others waiting, then again with `factor` times as many waiting. The waiting
    ones are copies of one instance waiting a year (rows copied in SQL: what is measured is the
    pass finding what is due among them, not how they were made); the clock is moved, not waited."""
    from app import clock
    from app.extensions import db
    from app.models import ProcessInstance
    from app.timer_runner import run_pass
    app = prepared(url, "timer_pass", "PT1H")
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "customer_dept", "password": "demo"}).get_json()
    headers = {"Authorization": "Bearer " + token["token"]}

    def start(count: int) -> list[int]:
        return [client.post("/api/v1/processes/timer_pass/instances", json={"data": {}}, headers=headers).get_json()["id"]
                for _ in range(count)]

    def copies(source: int, count: int) -> None:
        columns = ", ".join(c.name for c in ProcessInstance.__table__.columns if c.name != "id")
        db.session.execute(db.text(
            f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count) "
            f"INSERT INTO process_instances ({columns}) SELECT {columns} FROM process_instances, n "
            f"WHERE process_instances.id = :source"), {"count": count, "source": source})
        db.session.commit()

    def timed_pass(at: datetime) -> float:
        clock.set_now(at)
        began = time.perf_counter()
        fired = run_pass()
        elapsed = time.perf_counter() - began
        assert fired == due, f"{fired} fired, {due} due"
        return elapsed / due * 1000

    base = datetime.now(timezone.utc)
    try:
        with app.app_context():
            source = db.session.get(ProcessInstance, start(1)[0])
            source.next_timer_at = base + timedelta(days=365)
            db.session.commit()
            copies(source.id, waiting - 1)
            start(due)  # due an hour from base
            few = timed_pass(base + timedelta(hours=2))
            copies(source.id, waiting * (factor - 1))
            start(due)  # due an hour later, on the moved clock
            many = timed_pass(base + timedelta(hours=4))
            db.engine.dispose()
    finally:
        clock.set_now(None)
    return few, many


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: 5 cases")
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--interval", type=float, default=30.0, help="the runner's longest sleep")
    parser.add_argument("--waiting", type=int, default=20, help="instances waiting beside the due ones")
    parser.add_argument("--factor", type=int, default=1000, help="then this many times as many waiting")
    parser.add_argument("--database-url", help="an empty database to measure on (default: a fresh one of each kind)")
    args = parser.parse_args()
    if args.quick:
        args.cases, args.factor = min(args.cases, 5), min(args.factor, 100)
    kinds = [None] if args.database_url else ["sqlite", "postgresql"]
    for kind in kinds:
        if kind is None:
            late, name = lateness(args.database_url, args), args.database_url.split("://")[0].split("+")[0]
        else:
            with databases.fresh(kind, "timers") as url:
                late, name = lateness(url, args), kind
        figure = (f"median {statistics.median(late):.2f} s, max {max(late):.2f} s, fired {len(late)}/{args.cases}"
                  if late else f"no timer fired of {args.cases}")
        row(f"timer lateness (runner --interval {args.interval:g})", {"sqlite": "SQLite"}.get(name, "PostgreSQL"),
            figure, "≤ 1 s (before: median 16 s, max 30 s)")
        if kind is not None:  # the pass cost, on a database of its own
            with databases.fresh(kind, "timer_pass") as url:
                few, many = pass_cost(url, args.cases, args.waiting, args.factor)
            row(f"timer pass cost per fired instance, {args.cases} due", {"sqlite": "SQLite"}.get(kind, "PostgreSQL"),
                f"{few:.1f} ms with {args.waiting} waiting, {many:.1f} ms with {args.waiting * args.factor:,} "
                f"({many / few:.2f}× at {args.factor:,}× more waiting)",
                "grows with what is due, not what waits (keep; was 1.09× at 1,000×)")

if __name__ == "__main__":
    main()
