"""Several hosts on one PostgreSQL: whole complaint lifecycles over HTTP against gunicorn
servers and timer runners started as deploy/ starts them (processes of their own), first one
host + one runner, then two hosts on two ports + two runners on the same database.

    .venv/bin/python bench/hosts.py [--quick] [--seconds 20] [--clients 4] [--timer-cases 20] [--postgresql-only]

Prints lifecycles/s for one host and for two (whether they add up: on one small machine the
hosts share its cores, so they cannot), the errors (none expected: each client drives its own
cases, so no two clients race one task), the web workers' memory before and after, and a timer
check: complaints handled with a return repair whose vehicle left the workshop three days ago
less a few seconds, so that the return repair's callback timer (`add_days(released_at, 3)`) falls
due while both runners look; each must fire exactly once (one callback per complaint) and every
case must move on past it (to wait for that callback's result before the signature). Then one host on SQLite (the embedded default, one host only; `--postgresql-only`
leaves it out). The database is fresh (BENCH_POSTGRES_URL names the server, bench/databases.py) and
prepared with the app's own commands: `flask db upgrade`, `flask deploy`, `flask seed-demo`.

The hosts, runners and clients are bench/cluster.py's, which tests/test_several_hosts.py uses too."""

import argparse
import os
import statistics
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import databases  # noqa: E402
from bench.cluster import Cluster, Load, final_states, prepare, sign_in, timer_check  # noqa: E402
from bench.table import row  # noqa: E402


# -- the bench -------------------------------------------------------------------------------------

def phase(cluster: Cluster, tokens: dict, args, label: str) -> dict:
    """Warm every worker up, then the measured load; memory before and after."""
    load = Load(cluster.hosts, tokens, args.clients)
    load.run(lifecycles=args.warmup)
    rss_before = [size for host in cluster.hosts for size in host.rss_mib()]
    measured = Load(cluster.hosts, tokens, args.clients)
    elapsed = measured.run(seconds=args.seconds)
    rss_after = [size for host in cluster.hosts for size in host.rss_mib()]
    states = final_states(cluster.url, [case["id"] for case in measured.cases])
    lost = sum(1 for s in states.values() if (s["status"], s["complaint"]) != ("completed", "closed"))
    lost += len(measured.cases) - len(states)
    rate = len(measured.cases) / elapsed
    print(f"{label}: {len(measured.cases)} lifecycles in {elapsed:.1f} s = {rate:.1f}/s; "
          f"median lifecycle {statistics.median(measured.samples or [0]):.2f} s; errors {len(measured.errors)} "
          f"(409: {measured.conflicts}); not closed {lost}; worker RSS {max(rss_before):.0f} → {max(rss_after):.0f} MiB",
          flush=True)
    for error in measured.errors[:5]:
        print("  error:", error, flush=True)
    return {"rate": rate, "lifecycles": len(measured.cases) + len(load.cases), "errors": len(measured.errors),
            "conflicts": measured.conflicts, "lost": lost, "rss_before": rss_before, "rss_after": rss_after}


def bench_postgresql(args, logs: Path, cores: int) -> None:
    secret = uuid.uuid4().hex
    with databases.fresh("postgresql", "hosts") as url:
        prepare(url, secret)
        with Cluster(url, secret, logs) as cluster:
            cluster.add(workers=args.workers, threads=args.threads)
            tokens = sign_in(cluster.hosts[0].port)
            one = phase(cluster, tokens, args, f"PostgreSQL, 1 host × {args.workers} workers + 1 runner, "
                                               f"{args.clients} clients")
            cluster.add(workers=args.workers, threads=args.threads)
            two = phase(cluster, tokens, args, f"PostgreSQL, 2 hosts × {args.workers} workers + 2 runners, "
                                               f"{2 * args.clients} clients")
            timers = timer_check(url, cluster.hosts, tokens, cluster.runners, args.timer_cases)
    late = timers["late"] or [float("nan")]
    print(f"timer check: {timers}", flush=True)
    what = "whole complaint lifecycles/s over HTTP, gunicorn"
    row(f"{what}, 1 host ({args.workers} workers) + 1 runner", "PostgreSQL",
        f"{one['rate']:.1f}/s ({args.clients} clients, {cores} cores seen)", "≥ 30")
    row(f"{what}, 2 hosts + 2 runners on one database", "PostgreSQL",
        f"{two['rate']:.1f}/s = {two['rate'] / max(one['rate'], 1e-9):.2f}× one host "
        f"({2 * args.clients} clients; both hosts on the same {cores} cores)",
        "adds up (2× with a machine per host)")
    errors = one["errors"] + two["errors"] + len(timers["errors"])
    row("errors / lost cases (several hosts)", "PostgreSQL",
        f"{errors} errors (409: {one['conflicts'] + two['conflicts']}), {one['lost'] + two['lost']} not closed", "0")
    row("worker memory (RSS, largest web worker)", "PostgreSQL",
        f"{max(one['rss_before']):.0f} → {max(two['rss_after'][:args.workers]):.0f} MiB "
        f"over {one['lifecycles'] + two['lifecycles'] // 2} lifecycles on that host", "flat (~106 MiB; keep)")
    row("a timer due while two runners look fires once", "PostgreSQL",
        f"{timers['once']}/{timers['cases']} once, {timers['twice']} twice, "
        f"{timers['cases'] - timers['moved_on']} not fired (runners: {' + '.join(map(str, timers['by_runner']))} "
        f"of {timers['left_waiting']} left to them); late median {statistics.median(late):.2f} s, max {max(late):.2f} s",
        "each exactly once, none lost")


def bench_sqlite(args, logs: Path, cores: int) -> None:
    secret = uuid.uuid4().hex
    with databases.fresh("sqlite", "hosts") as url:
        prepare(url, secret)
        with Cluster(url, secret, logs) as cluster:
            cluster.add(workers=args.workers, threads=args.threads)
            tokens = sign_in(cluster.hosts[0].port)
            one = phase(cluster, tokens, args, f"SQLite, 1 host × {args.workers} workers + 1 runner, "
                                               f"{args.clients} clients")
    row(f"whole complaint lifecycles/s over HTTP, gunicorn, 1 host ({args.workers} workers) + 1 runner",
        "SQLite", f"{one['rate']:.1f}/s ({args.clients} clients, {cores} cores seen; "
                  f"{one['errors']} errors, {one['lost']} not closed; one host only)", "—")
    row("worker memory (RSS, largest web worker)", "SQLite",
        f"{max(one['rss_before']):.0f} → {max(one['rss_after']):.0f} MiB over {one['lifecycles']} lifecycles",
        "flat (keep)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: a few seconds per phase")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured load per phase")
    parser.add_argument("--clients", type=int, default=4, help="client threads per host")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per host")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--warmup", type=int, default=3, help="lifecycles per client before measuring")
    parser.add_argument("--timer-cases", type=int, default=20)
    parser.add_argument("--postgresql-only", action="store_true", help="leave out the one host on SQLite")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.warmup, args.timer_cases = min(args.seconds, 4.0), 1, min(args.timer_cases, 6)
    cores = os.cpu_count() or 1
    print(f"bench/hosts.py: {cores} cores seen (shared with whatever else runs: figures are noisy)", flush=True)
    logs = Path(tempfile.mkdtemp(prefix="aftersales-hosts-"))
    print(f"logs of the hosts and runners: {logs}", flush=True)
    bench_postgresql(args, logs, cores)
    if not args.postgresql_only:
        bench_sqlite(args, logs, cores)


if __name__ == "__main__":
    main()
