"""A complaint sent back N times: what round 1, 100, 200 (and N) cost and how the stored state
grows, through the service layer (load, complete, handlers, save, commit per task, as a
request does), beside the same loop in bare SpiffWorkflow 3.2 (the complaint diagram, stub
service results, serialized and loaded per task), which fails where its task tree gets too
deep. Prints markdown rows `| what | database | figure | goal |`; asserts nothing.

    .venv/bin/python bench/history.py [--rounds 1000] [--database-url URL] [--bare-rounds 300]

A fresh SQLite file by default; pass a PostgreSQL URL (an empty database) to measure there.
A round's cost is the median of the eleven rounds around it (timings are noisy on a shared box)."""
import argparse
import json
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

INTAKE = {"channel": "phone", "customer_name": "王先生", "contact_phone": "13800138000", "vehicle": "沪A12345",
          "description": "发动机异响", "customer_request": "免费复查"}
HANDLING = {"result": "已更换", "root_cause": "张紧不足", "improvement": "复检", "return_repair": False}
SEND_BACK = {"confirmation": "send_back", "confirmation_reason": "原因分析不充分"}


def intake() -> dict:
    """Received now: version 2's clocks run from receipt (a fixed date would open the case overdue)."""
    return {**INTAKE, "received_at": datetime.now(timezone(timedelta(hours=8))).isoformat(timespec="seconds")}


def row(what: str, database: str, figure: str, goal: str = "") -> None:
    print(f"| {what} | {database} | {figure} | {goal} |", flush=True)


def around(costs: dict, n: int) -> float:
    window = [costs[r] for r in range(n - 5, n + 6) if r in costs]
    return statistics.median(window)


def service_rounds(url: str, rounds: int) -> tuple[dict, dict, dict]:
    """(round -> ms, round -> CPU ms of this process, round -> stored state bytes) for one
    complaint sent back `rounds` times."""
    from sqlalchemy import select

    from bench.databases import prepared_app
    from app.extensions import db
    from app.models import OpenTask, ProcessInstance, User
    from app.services import inbox, instances
    app = prepared_app(url)
    with app.app_context():
        users = {u.username: u for u in db.session.scalars(select(User))}
        instance_id = instances.start(users["customer_dept"], "complaint", intake()).id
        db.session.commit()

        def complete(username, name, data):
            task_id = db.session.scalar(select(OpenTask.id).where(OpenTask.instance_id == instance_id,
                                                                  OpenTask.task_name == name))
            inbox.complete(db.session.merge(users[username]), task_id, data)
            db.session.commit()

        complete("service_manager", "classify_complaint", {"category": "parts", "severity": "general"})
        costs, cpu, sizes = {}, {}, {}
        for n in range(1, rounds + 1):
            start, start_cpu = time.perf_counter(), time.process_time()
            complete("parts_manager", "handle_parts", HANDLING)
            complete("service_manager", "confirm_handling", SEND_BACK)
            costs[n] = (time.perf_counter() - start) * 1000
            cpu[n] = (time.process_time() - start_cpu) * 1000
            sizes[n] = len(db.session.scalar(select(ProcessInstance.state)
                                             .where(ProcessInstance.id == instance_id)))
    return costs, cpu, sizes


def bare_rounds(rounds: int) -> tuple[dict, dict, str | None]:
    """The same loop in SpiffWorkflow alone: (round -> ms, round -> state bytes, how it failed)."""
    from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
    from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
    from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
    from SpiffWorkflow.util.task import TaskState

    results = {"complaints.register": "TS-202611-0001"}
    # any other handler on the way sets the clocks (version 2: every one from receipt), none due
    clocks = {clock: "2099-01-01T09:00:00+08:00" for clock in ("classification", "handling", "confirmation",
                                                                 "callback", "signature")}

    class Stubbed(PythonScriptEngine):
        def call_service(self, task, operation_name=None, operation_params=None, **kwargs):
            return json.dumps(results.get(operation_name, {**clocks, "first_response": None}))

    parser = SpiffBpmnParser()
    parser.add_bpmn_files([str(ROOT / "processes" / "complaint.bpmn")])
    parser.add_dmn_files([str(ROOT / "processes" / "complaint_routing.dmn")])
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    engine = Stubbed()
    workflow = BpmnWorkflow(parser.get_spec("complaint"), parser.get_subprocess_specs("complaint"),
                            script_engine=engine)
    workflow.get_next_task(state=TaskState.READY).data.update(intake())
    workflow.do_engine_steps()
    state = serializer.serialize_json(workflow)

    def complete(name, data):
        nonlocal state
        wf = serializer.deserialize_json(state)
        wf.script_engine = engine
        task = wf.get_next_task(state=TaskState.READY, spec_name=name)
        if task is None:
            raise RuntimeError(f"{name} is not ready (the task iterator stops at depth 1,000)")
        task.data.update(data)
        task.run()
        wf.do_engine_steps()
        state = serializer.serialize_json(wf)

    complete("classify_complaint", {"category": "parts", "severity": "general"})
    costs, sizes = {}, {}
    for n in range(1, rounds + 1):
        start = time.perf_counter()
        try:
            complete("handle_parts", HANDLING)
            complete("confirm_handling", SEND_BACK)
        except (RecursionError, RuntimeError) as err:
            return costs, sizes, f"fails at round {n}: {type(err).__name__}: {str(err)[:80]}"
        costs[n] = (time.perf_counter() - start) * 1000
        sizes[n] = len(state)
    return costs, sizes, None


def report(database: str, costs: dict, sizes: dict, failed: str | None = None, cpu: dict | None = None) -> None:
    last = max(costs)
    for n in sorted({1, 100, 200, 1000, last}):
        if n in costs:
            figure = f"{around(costs, n):.1f} ms" + (f" (CPU of this process {around(cpu, n):.1f} ms)" if cpu else "")
            row(f"round {n} (2 completions)", database, figure)
    if 200 in costs:
        row("round 200 ÷ round 1", database, f"{around(costs, 200) / around(costs, 1):.2f}×", "≤ 2×")
        if cpu:
            row("round 200 ÷ round 1, CPU of this process", database,
                f"{around(cpu, 200) / around(cpu, 1):.2f}×", "≤ 2×")
    for n in (1, 10, 100, last):
        if n in sizes:
            row(f"stored state after round {n}", database, f"{sizes[n] / 1024:.1f} KiB")
    if last > 10:
        growth = (sizes[last] - sizes[10]) / (last - 10)
        row(f"state growth per round (10 → {last})", database, f"{growth:+.0f} B", "bounded (≈ 0)")
    row("rounds that work", database, failed or f"all {last}", "1,000")


def history_of(url: str, rounds: int) -> None:
    database = url.split("://")[0].split("+")[0]
    costs, cpu, sizes = service_rounds(url, rounds)
    report(f"{database}, this product", costs, sizes, cpu=cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--bare-rounds", type=int, default=300)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    print("| what | database | figure | goal |\n|---|---|---|---|")
    if args.database_url:
        history_of(args.database_url, args.rounds)
    else:
        from bench.databases import fresh
        for kind in ("sqlite", "postgresql"):  # fresh databases of both kinds
            with fresh(kind, "history") as url:
                history_of(url, args.rounds)
    if args.bare_rounds:
        costs, sizes, failed = bare_rounds(args.bare_rounds)
        report("SpiffWorkflow 3.2 alone (serialized per task, spec included)", costs, sizes, failed)


if __name__ == "__main__":
    main()
