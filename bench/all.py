"""Every benchmark in one run, printed as issue 11's table: each row's figure beside its goal, on
SQLite and PostgreSQL, under a header naming the date, the machine and the versions.

    .venv/bin/python bench/all.py [--quick] [--only hosts,timers] [--output FILE]

Each module of MODULES runs as a process of its own (`python bench/<module>.py`, with `--quick`
when asked and its --help offers it) and prints markdown rows `| what | database | figure | goal |`
on stdout (bench/table.py); any other line is for people and ignored here. A module measures
both databases itself where both mean something, on fresh databases (PostgreSQL: a new one on
the server BENCH_POSTGRES_URL names, see bench/databases.py). A row whose figure has a ratio
against the bare engine carries it in the figure. Rows are sorted under the issue's rows by
what they name (ROWS); an issue row nobody printed says "not measured" and why (module absent,
failed, or silent on it); rows matching no issue row come last."""
import argparse
import os
import platform
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.table import HEADER, parse_rows  # noqa: E402

MODULES = ("engine", "history", "lists", "timers", "hosts")


@dataclass(frozen=True)
class IssueRow:
    what: str
    goal: str
    module: str  # the module expected to measure it
    words: tuple  # a printed row belongs here when its `what` holds one of these (lower case)


ROWS = (
    IssueRow("complaint happy path, service in-process ÷ bare SpiffWorkflow", "≤ 2×", "engine",
             ("bare", "÷", "happy path")),
    IssueRow("SQL statements per task completion", "≤ 8", "engine", ("statement",)),
    IssueRow("whole complaint lifecycles/s over HTTP, gunicorn on PostgreSQL", "≥ 30", "hosts", ("lifecycle",)),
    IssueRow("a complaint sent back N times", "1,000 rounds work; round 200 ≤ 2× round 1; state bounded",
             "history", ("sent back", "send-back", "send back", "round")),
    IssueRow("inbox p95, 100k open tasks (PostgreSQL)", "< 50 ms", "lists", ("inbox",)),
    IssueRow("ledger p95, 1M complaints", "< 50 ms, including 2-character Chinese terms, phone and plate fragments",
             "lists", ("ledger",)),
    IssueRow("timer lateness (--interval 30)", "≤ 1 s", "timers", ("lateness",)),
    IssueRow("timer pass cost", "grows with what is due, not what waits (keep)", "timers", ("pass cost",)),
    IssueRow("worker memory", "~106 MiB, flat (keep)", "hosts", ("memory", "rss")),
    IssueRow("several hosts: no errors, each timer fires once", "0 errors; each exactly once", "hosts",
             ("error", "fires once", "runners look")),
)


@dataclass
class Result:
    """What one module printed, and how it ended (None: not present)."""
    module: str
    returncode: int | None
    rows: list = field(default_factory=list)
    seconds: float = 0.0
    skipped: bool = False  # left out by --only


def run_module(module: str, quick: bool, timeout: float) -> Result:
    path = ROOT / "bench" / f"{module}.py"
    if not path.exists():
        return Result(module, None)
    args = [sys.executable, str(path)]
    if quick:
        offered = subprocess.run(args + ["--help"], cwd=ROOT, capture_output=True, text=True, timeout=120).stdout
        args += ["--quick"] if "--quick" in offered else []
    print(f"running {' '.join(args[1:])} …", file=sys.stderr, flush=True)
    began = time.monotonic()
    try:
        done = subprocess.run(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=sys.stderr, text=True, timeout=timeout)
        output, code = done.stdout, done.returncode
    except subprocess.TimeoutExpired as expired:
        output, code = (expired.stdout or b"").decode(errors="replace") if isinstance(expired.stdout, bytes) \
            else (expired.stdout or ""), -1
    return Result(module, code, parse_rows(output), time.monotonic() - began)


def build_table(results: list[Result]) -> str:
    """The issue's rows in order, each with the printed rows that name it (goal beside figure),
    or "not measured" with the reason; then rows that match none."""
    by_module = {result.module: result for result in results}
    placed: dict[int, list] = {i: [] for i in range(len(ROWS))}
    others = []
    for result in results:
        for printed in result.rows:
            what = printed[0].lower()
            named = [i for i, issue in enumerate(ROWS) if any(word in what for word in issue.words)]
            own = [i for i in named if ROWS[i].module == result.module]  # "÷" in a history row is history's
            home = (own or named or [None])[0]
            (placed[home] if home is not None else others).append(printed)
    lines = [HEADER]
    for i, issue in enumerate(ROWS):
        if placed[i]:
            lines += ["| " + " | ".join(cells) + " |" for cells in placed[i]]
            continue
        result = by_module.get(issue.module)
        if result is not None and result.skipped:
            why = f"not measured (bench/{issue.module}.py not run: --only)"
        elif result is None or result.returncode is None:
            why = f"not measured (bench/{issue.module}.py not present)"
        elif result.returncode != 0:
            why = f"not measured (bench/{issue.module}.py failed: exit {result.returncode})"
        else:
            why = f"not measured (bench/{issue.module}.py printed no such row)"
        lines.append(f"| {issue.what} | — | {why} | {issue.goal} |")
    lines += ["| " + " | ".join(cells) + " |" for cells in others]
    return "\n".join(lines)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    ram = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal:")), 0) / 2**20
    return f"{os.cpu_count()} cores ({cpu}), {ram:.0f} GiB RAM, load average {os.getloadavg()[0]:.1f} at the start"


def versions() -> str:
    names = ("SpiffWorkflow", "Flask", "SQLAlchemy", "gunicorn", "psycopg")
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    found.append(f"SQLite {sqlite3.sqlite_version}")
    try:
        import sqlalchemy as sa
        from bench.databases import postgres_server
        engine = sa.create_engine(postgres_server())
        with engine.connect() as conn:
            found.append("PostgreSQL " + conn.execute(sa.text("SHOW server_version")).scalar().split()[0])
        engine.dispose()
    except Exception as err:  # the table still tells what it could measure
        found.append(f"PostgreSQL not reachable ({type(err).__name__})")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    return f"Python {platform.python_version()}, " + ", ".join(found) + f"; commit {commit.strip() or '?'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: each module's --quick, where it has one")
    parser.add_argument("--only", help="comma-separated modules to run (the others: not measured)")
    parser.add_argument("--timeout", type=float, help="seconds per module (default 600 quick, 3600 full)")
    parser.add_argument("--output", type=Path, help="also write the table (with its header) to this file")
    args = parser.parse_args()
    chosen = args.only.split(",") if args.only else MODULES
    header = (f"Benchmarks of {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC{' (quick)' if args.quick else ''}: "
              f"{machine()}; {versions()}. Shared machine: wall-clock figures are noisy.")
    timeout = args.timeout or (600 if args.quick else 3600)
    results = [run_module(module, args.quick, timeout) if module in chosen else Result(module, None, skipped=True)
               for module in MODULES]
    ran = ", ".join(f"{r.module} {r.seconds:.0f} s (exit {r.returncode})" for r in results if r.returncode is not None)
    text = f"{header}\n\n{build_table(results)}\n\nRan: {ran or 'nothing'}."
    print(text)
    if args.output:
        args.output.write_text(text + "\n")


if __name__ == "__main__":
    main()
