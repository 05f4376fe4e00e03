"""bench/all.py's collector: the rows modules print (`| what | database | figure | goal |`) are
read from their output whatever else they print, and sorted under issue 11's rows, each issue
row showing its figures or why it was not measured. On sample output: the benches themselves
print figures and are never run in the suite."""
from bench.all import ROWS, Result, build_table
from bench.table import parse_rows

HOSTS_OUTPUT = """bench/hosts.py: 2 cores seen (shared with whatever else runs: figures are noisy)
PostgreSQL, 1 host × 2 workers + 1 runner, 4 clients: 28 lifecycles in 5.0 s = 5.6/s
| what | database | figure | goal |
|---|---|---|---|
| whole complaint lifecycles/s over HTTP, gunicorn, 1 host (2 workers) + 1 runner | PostgreSQL | 5.6/s (4 clients, 2 cores seen) | ≥ 30 |
| worker memory (RSS, largest web worker) | PostgreSQL | 107 → 110 MiB over 48 lifecycles | flat (~106 MiB; keep) |
  | a timer due while two runners look fires once | PostgreSQL | 6/6 once | each exactly once |
| not a row | too few cells |
| something nobody asked for | SQLite | 3 | — |
"""


def test_rows_are_read_from_a_modules_output_and_the_rest_ignored():
    rows = parse_rows(HOSTS_OUTPUT)

    assert [r[0] for r in rows] == ["whole complaint lifecycles/s over HTTP, gunicorn, 1 host (2 workers) + 1 runner",
                                    "worker memory (RSS, largest web worker)",
                                    "a timer due while two runners look fires once",
                                    "something nobody asked for"]
    assert rows[0][1:] == ("PostgreSQL", "5.6/s (4 clients, 2 cores seen)", "≥ 30")


def test_the_table_has_every_issue_row_with_its_figures_or_why_not():
    results = [Result("engine", None),
               Result("history", 0, parse_rows("| send-back rounds: round 200 ÷ round 1 | SQLite | 1.1× | ≤ 2× |")),
               Result("lists", 0),
               Result("timers", 0, parse_rows("| timer lateness (runner --interval 30) | SQLite | median 0.02 s | ≤ 1 s |")),
               Result("hosts", 0, parse_rows(HOSTS_OUTPUT))]
    lines = build_table(results).splitlines()

    assert lines[:2] == ["| what | database | figure | goal |", "|---|---|---|---|"]
    body = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    assert all(len(cells) == 4 for cells in body)
    whats = [cells[0] for cells in body]
    # in the issue's order, a module's rows under the issue row they name, strays last
    assert whats == ["complaint happy path, service in-process ÷ bare SpiffWorkflow",
                     "SQL statements per task completion",  # "÷" in history's row does not make it the engine's
                     "whole complaint lifecycles/s over HTTP, gunicorn, 1 host (2 workers) + 1 runner",
                     "send-back rounds: round 200 ÷ round 1", "inbox p95, 100k open tasks (PostgreSQL)",
                     "ledger p95, 1M complaints", "timer lateness (runner --interval 30)", "timer pass cost",
                     "worker memory (RSS, largest web worker)", "a timer due while two runners look fires once",
                     "something nobody asked for"]
    figures = dict((cells[0], cells[2]) for cells in body)
    assert figures["SQL statements per task completion"] == "not measured (bench/engine.py not present)"
    assert "a complaint sent back N times" not in figures  # the history row printed stands in its place
    assert figures["inbox p95, 100k open tasks (PostgreSQL)"] == "not measured (bench/lists.py printed no such row)"
    assert figures["timer lateness (runner --interval 30)"] == "median 0.02 s"
    goals = dict((cells[0], cells[3]) for cells in body)
    assert goals["timer pass cost"] == next(row.goal for row in ROWS if row.what == "timer pass cost")


def test_a_module_that_failed_is_named_beside_the_rows_it_should_have_printed():
    table = build_table([Result("engine", 0), Result("history", 1), Result("lists", None, skipped=True)])

    assert "| a complaint sent back N times | — | not measured (bench/history.py failed: exit 1) |" in table
    assert "| inbox p95, 100k open tasks (PostgreSQL) | — | not measured (bench/lists.py not run: --only) |" in table
    assert "not measured (bench/hosts.py not present)" in table  # a module not in the results at all
