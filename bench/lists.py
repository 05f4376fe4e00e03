"""p50/p95 of the inbox and the ledger through the service layer, on a database that
bench/generate.py filled (100k open tasks, 1M complaints), as markdown rows:

    .venv/bin/python bench/lists.py --database-url URL [--rounds 30] [--explain]
    .venv/bin/python bench/lists.py [--quick]    # fills fresh databases itself, both kinds

Without --database-url it fills a fresh database of each kind with bench/generate.py first
(PostgreSQL: 1M complaints and 100k open tasks; SQLite: 300k and 100k; --quick: 20k and 5k,
a smoke run) and drops it after: that is what bench/all.py runs.

Each figure is one whole call (the bounded count and the page, as the API makes them), the
session rolled back between calls (the user and roles read again, as in a request). --explain prints each statement's plan (PostgreSQL: EXPLAIN
ANALYZE, BUFFERS; SQLite: EXPLAIN QUERY PLAN) once, after the figures. Times vary with what
else the machine runs: say so beside any figure reported."""
import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.table import HEADER, row  # noqa: E402

GOAL_MS = 50
HERE = Path(__file__).resolve().parent
# complaints, open tasks, engine sample per kind of database: the sizes, and a smoke run
SIZES = {"postgresql": (1_000_000, 100_000, 200), "sqlite": (300_000, 100_000, 200)}
QUICK = (20_000, 5_000, 40)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(int(len(ordered) * 0.95) - 1, 0)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", help="a database bench/generate.py filled (default: fill fresh ones)")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--quick", action="store_true", help="a smoke run on small generated sets")
    args = parser.parse_args()
    if args.database_url:
        measure(args.database_url, args.rounds, args.explain)
        return
    from bench.databases import fresh
    for kind in ("sqlite", "postgresql"):
        count, tasks, sample = QUICK if args.quick else SIZES[kind]
        with fresh(kind, "lists") as url:
            started = time.perf_counter()
            subprocess.run([sys.executable, str(HERE / "generate.py"), "--database-url", url, "--complaints",
                            str(count), "--open-tasks", str(tasks), "--sample", str(sample)],
                           check=True, stdout=subprocess.DEVNULL)
            print(f"{kind}: generated {count:,} complaints and {tasks:,} open tasks in "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
            measure(url, 5 if args.quick else args.rounds, args.explain)


def measure(url: str, rounds: int, explain: bool) -> None:
    from sqlalchemy import event, select
    from app import create_app
    from app.extensions import db
    from app.models import Complaint, OpenTask, User
    from app.services import complaints, inbox
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.test_request_context():
        kind = db.engine.dialect.name
        tasks = db.session.scalar(select(db.func.count()).select_from(OpenTask))
        rows = db.session.scalar(select(db.func.count()).select_from(Complaint))
        users = {name: db.session.scalar(select(User).where(User.username == name))
                 for name in ("demo_all", "service_manager", "customer_dept")}
        # people of a branch (one unit) and of a branch with a dealer below it (two), with every role
        # but the group supervisor's (who sees every unit)
        from app.permissions import ALL_UNITS
        from app.roles import ROLES
        from app.services.accounts import create_user
        for name, unit in (("bench_east", "east"), ("bench_southwest", "southwest")):
            users[name] = db.session.scalar(select(User).where(User.username == name)) or \
                create_user(name, "bench", [r for r in ROLES if r not in ALL_UNITS], unit=unit)
        db.session.commit()
        sample = db.session.scalars(select(Complaint).where(Complaint.number.like("TB%"))
                                    .order_by(Complaint.id.desc()).limit(1)).one()
        phone, plate, person = sample.contact_phone, sample.vehicle.split()[-1], sample.customer_name
        role = db.session.scalar(select(Complaint.responsible_role).where(Complaint.responsible_role.is_not(None))
                                 .limit(1))

        def deep(query, sort, depth):
            row = db.session.scalars(query.order_by(*sort.order_by()).offset(depth).limit(1)).first()
            return sort.cursor(row) if row is not None else None

        everyone = users["demo_all"]
        inbox_depth, ledger_depth = min(20_000, tasks // 5), min(200_000, rows // 5)  # pages of 50
        inbox_deep = deep(select(OpenTask).where(*inbox._visible(everyone)), inbox.SORTS["due"], inbox_depth)
        ledger_deep = deep(select(Complaint), complaints.SORTS["-received"], ledger_depth)
        db.session.rollback()
        cases = [
            (f"inbox, {tasks:,} open tasks, every lane, by due, page 1",
             lambda: inbox.list_tasks(everyone, sort="due")),
            ("inbox, one lane (lane=service_manager), by due, page 1",
             lambda: inbox.list_tasks(everyone, lane="service_manager", sort="due")),
            (f"inbox, every lane, by due, keyset page {inbox_depth // 50:,} deep",
             lambda: inbox.list_tasks(everyone, sort="due", after=inbox_deep)),
            (f"ledger, {rows:,} complaints, default (newest first)",
             lambda: complaints.ledger(users["customer_dept"])),
            (f"ledger, keyset page {ledger_depth // 50:,} deep",
             lambda: complaints.ledger(users["customer_dept"], after=ledger_deep)),
            ("ledger, status=closed & channel=email",
             lambda: complaints.ledger(users["customer_dept"], status="closed", channel="email")),
            ("ledger, category=repair_quality & month=2025-06",
             lambda: complaints.ledger(users["customer_dept"], category="repair_quality", month="2025-06")),
            (f"ledger, responsible={role} (department or person)",
             lambda: complaints.ledger(users["customer_dept"], responsible=role)),
            ("ledger, q=异响", lambda: complaints.ledger(users["customer_dept"], q="异响")),
            ("inbox of a branch (one unit), every lane, by due", lambda: inbox.list_tasks(users["bench_east"])),
            ("inbox of a branch with a dealer (two units), every lane, by due",
             lambda: inbox.list_tasks(users["bench_southwest"])),
            ("ledger of a branch (one unit), newest first", lambda: complaints.ledger(users["bench_east"])),
            ("ledger of a branch with a dealer (two units), newest first",
             lambda: complaints.ledger(users["bench_southwest"])),
            ("ledger of a branch, status=closed", lambda: complaints.ledger(users["bench_east"], status="closed")),
            ("ledger of a branch, q=异响", lambda: complaints.ledger(users["bench_east"], q="异响")),
            ("ledger, q=异响 & status=closed", lambda: complaints.ledger(users["customer_dept"], q="异响",
                                                                        status="closed")),
            (f"ledger, q={phone[3:10]} (phone fragment)",
             lambda: complaints.ledger(users["customer_dept"], q=phone[3:10])),
            (f"ledger, q={plate[1:5]} (plate fragment)",
             lambda: complaints.ledger(users["customer_dept"], q=plate[1:5])),
            (f"ledger, q={person} (customer name)", lambda: complaints.ledger(users["customer_dept"], q=person)),
        ]
        print(HEADER)
        for what, call in cases:
            call()  # warm: plans and caches
            samples = []
            for _ in range(rounds):
                start = time.perf_counter()
                call()
                samples.append((time.perf_counter() - start) * 1000)
                db.session.rollback()
            p50, p95 = percentiles(samples)
            row(what, kind, f"p50 {p50:.1f} / p95 {p95:.1f} ms", f"p95 < {GOAL_MS} ms")
        if not explain:
            return
        for what, call in cases:
            statements = []

            def seen(conn, cursor, statement, parameters, context, executemany):
                statements.append((statement, parameters))

            event.listen(db.engine, "before_cursor_execute", seen)
            call()
            event.remove(db.engine, "before_cursor_execute", seen)
            db.session.rollback()
            print(f"\n## {what}")
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if kind == "postgresql" else "EXPLAIN QUERY PLAN "
            with db.engine.connect() as connection:
                for statement, parameters in statements:
                    plan = connection.exec_driver_sql(prefix + statement, parameters).all()
                    print("\n".join(" ".join(str(v) for v in row) for row in plan) + "\n")


if __name__ == "__main__":
    main()
