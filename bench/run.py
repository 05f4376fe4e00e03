"""Benchmarks that print figures (never asserted): intake, task completion, inbox listing
with many open tasks, the timer runner, and the stored size of an instance.

    .venv/bin/python bench/run.py [--complaints 300] [--database-url URL]

Runs against a fresh SQLite file by default; pass a PostgreSQL URL (an empty database)
to measure there."""
import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

INTAKE = {"received_at": "2026-11-20T09:30:00+08:00", "channel": "phone", "customer_name": "王先生",
          "contact_phone": "13800138000", "vehicle": "沪A12345", "description": "发动机异响"}


def timed(samples: list, func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    samples.append((time.perf_counter() - start) * 1000)
    return result


def summary(name: str, samples: list) -> None:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1] if len(ordered) > 1 else ordered[0]
    print(f"{name:<42} n={len(samples):<5} median {statistics.median(samples):7.2f} ms   p95 {p95:7.2f} ms")


def kpi_figures(client, clerk, deliveries: int) -> None:
    """The delivery register's CSV import (all rows checked, then written) and the KPIs of the
    month with the 12 before, per person (one query per KPI source over the 13 months)."""
    from app.clock import local, now
    month = local(now()).strftime("%Y-%m")
    lines = ["工单号,车牌号,服务顾问,约定交车时间,交车时间,估价金额,结算金额"]
    lines += [f"RO-BENCH-{n},沪A{n:05d},顾问{n % 7},{month}-10 18:00,{month}-{1 + n % 28:02d} 17:00,{500 + n % 300},600"
              for n in range(deliveries)]
    samples = []
    answer = timed(samples, client.post, "/api/v1/deliveries/import", data="\n".join(lines).encode("gbk"),
                   content_type="text/csv", headers=clerk)
    assert answer.status_code == 200, answer.get_json()
    summary(f"import a CSV of {deliveries} deliveries (GBK)", samples)
    samples = []
    for _ in range(20):
        timed(samples, client.get, "/api/v1/kpis", query_string={"month": month, "by": "person"}, headers=clerk)
    summary("KPIs of a month + 12 before, per person", samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--complaints", type=int, default=300)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"

    from bench.databases import prepared_app
    from app.extensions import db
    from app.models import ProcessInstance
    app = prepared_app(url)
    client = app.test_client()

    def token(user):
        return {"Authorization": "Bearer " + client.post("/api/v1/auth/token", json={
            "username": user, "password": "demo"}).get_json()["token"]}

    clerk, manager, parts = token("customer_dept"), token("service_manager"), token("parts_manager")
    print(f"database: {url.split('://')[0]}   complaints: {args.complaints}")
    starts, completes, lists = [], [], []
    for _ in range(args.complaints):
        body = timed(starts, client.post, "/api/v1/processes/complaint/instances",
                     json={"data": INTAKE}, headers=clerk).get_json()
        task = client.get(f"/api/v1/instances/{body['id']}", headers=clerk).get_json()["open_tasks"][0]
        timed(completes, client.post, f"/api/v1/tasks/{task['id']}/complete",
              json={"data": {"category": "parts", "severity": "general"}}, headers=manager)
    for _ in range(50):
        timed(lists, client.get, "/api/v1/tasks", query_string={"per_page": 50}, headers=parts)
    summary("start a complaint (intake + number)", starts)
    summary("complete 'classify' (load, run, save)", completes)
    summary(f"inbox list, {args.complaints} open tasks", lists)
    kpi_figures(client, clerk, args.complaints * 10)
    with app.app_context():
        sizes = [len(s) for (s,) in db.session.query(ProcessInstance.state).limit(200)]
        spec = db.session.execute(db.text("select length(spec) from process_versions "
                                          "where process_key='complaint' order by version desc")).scalar()
        print(f"{'stored state per instance':<42} median {statistics.median(sizes) / 1024:.1f} KiB "
              f"(spec stored once per version: {spec / 1024:.1f} KiB)")
        from app import clock
        from datetime import timedelta
        from app.timer_runner import run_pass
        clock.set_now(clock.now() + timedelta(days=30))
        start = time.perf_counter()
        fired = run_pass()
        elapsed = time.perf_counter() - start
        clock.set_now(None)
        print(f"{'timer runner: overdue escalations':<42} {fired} instances in {elapsed:.2f} s "
              f"({elapsed / max(fired, 1) * 1000:.1f} ms each)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'peak memory of this process':<42} {peak:.0f} MiB")


if __name__ == "__main__":
    main()
