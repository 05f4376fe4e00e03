"""The complaint happy path (start -> classify -> handle -> confirm -> callback -> sign) run N
times two ways, printing the median per lifecycle of each and their ratio as markdown rows
`| what | database | figure | goal |`, and the SQL statements one completion costs:

(a) in-process through the service layer (instances.start, inbox.complete), each call in a
    request-like transaction (a POST request context, committed after the call as the request
    wrapper does); what is timed is each call and its commit, not finding the next task's id;
(b) bare SpiffWorkflow on the same diagram (processes/complaint.bpmn + complaint_routing.dmn,
    parsed once with SpiffWorkflow's own parser), service tasks answered by a trivial stub, the
    workflow serialized to JSON after each task as a persistent engine must.

    .venv/bin/python bench/engine.py [--lifecycles 50] [--database-url URL] [--profile]

A fresh SQLite file by default; pass an empty PostgreSQL database's URL to measure there.
--profile adds one line saying where the in-process time goes (cProfile)."""
import argparse
import cProfile
import json
import pstats
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

INTAKE = {"channel": "phone", "customer_name": "王先生", "contact_phone": "13800138000", "vehicle": "沪A·12345",
          "description": "保养后发动机异响", "customer_request": "免费复查"}


def intake() -> dict:
    """The intake form, received now: version 2's clocks run from receipt, and a case received on
    a fixed date would open overdue (an overdue record and its penalty written while classifying)."""
    return {**INTAKE, "received_at": datetime.now(timezone(timedelta(hours=8))).isoformat(timespec="seconds")}

GOOD_HANDLING = {"result": "已免费更换正时皮带并道歉", "root_cause": "装配时皮带张紧不足",
                 "improvement": "增加装配复检环节", "return_repair": False}
# (who, task, answers): the happy path of tests/procedures.py's Case. The bare engine gets the
# answers as our forms pass them on (with their defaults: BARE_DEFAULTS).
STEPS = [("service_manager", "classify_complaint", {"category": "repair_quality", "severity": "general",
                                                   "responsible_person": "workshop_supervisor"}),
         ("workshop_supervisor", "handle_workshop", GOOD_HANDLING),
         ("service_manager", "confirm_handling", {"confirmation": "approve"}),
         ("customer_dept", "call_back_customer", {"problem_solved": True, "callback_satisfied": True}),
         ("general_manager", "sign_close", {})]
BARE_DEFAULTS = {"handle_workshop": {"hard_fault": False}, "call_back_customer": {"reached": True}}
# Statements that read or write no data: the transaction's BEGIN (SQLite), the step's savepoint,
# the notice waking the timer runners (PostgreSQL).
NOT_DATA = ("BEGIN", "SAVEPOINT", "RELEASE SAVEPOINT", "SELECT pg_notify(")


# ----------------------------------------------------------------------------- (a) the service layer
class ServiceBench:
    def __init__(self, url: str):
        from sqlalchemy import event, select

        from bench.databases import prepared_app
        from app.extensions import db
        from app.models import User
        self.app = prepared_app(url)
        with self.app.app_context():
            # As the API's authentication gives them to the services (its queries are not counted).
            self.users = {}
            for user in db.session.scalars(select(User)):
                user.roles  # noqa: B018  (loaded before detaching)
                self.users[user.username] = user
            db.session.expunge_all()
            self.statements = self.not_data = 0

            @event.listens_for(db.engine, "before_cursor_execute")
            def count(_conn, _cursor, statement, *_args):
                self.statements += 1
                if statement.startswith(NOT_DATA):
                    self.not_data += 1
        self.db = db

    def _call(self, func, *args):
        """One request-like transaction: a POST's context, the call, the commit."""
        with self.app.test_request_context("/bench", method="POST"):
            try:
                result = func(*args)
                self.db.session.commit()
                return result
            finally:
                self.db.session.remove()

    def lifecycle(self) -> tuple[float, list[int]]:
        """(ms spent in the services and commits, (statements, of which data) of each completion)."""
        from app.services import inbox, instances
        spent, counts = 0.0, []
        start = time.perf_counter()
        instance_id = self._call(lambda: instances.start(self.users["customer_dept"], "complaint", intake()).id)
        spent += time.perf_counter() - start
        for username, name, answers in STEPS:
            task_id = self._call(self._open_task, instance_id, name)
            before, other, start = self.statements, self.not_data, time.perf_counter()
            self._call(inbox.complete, self.users[username], task_id, answers)
            spent += time.perf_counter() - start
            counts.append((self.statements - before, self.statements - before - (self.not_data - other)))
        return spent * 1000, counts

    def _open_task(self, instance_id: int, name: str) -> str:
        from sqlalchemy import select

        from app.models import OpenTask
        return self.db.session.scalar(select(OpenTask.id).where(OpenTask.instance_id == instance_id,
                                                                OpenTask.task_name == name))


# ----------------------------------------------------------------------------- (b) bare SpiffWorkflow
class BareBench:
    def __init__(self):
        from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
        from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
        from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
        from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

        parser = SpiffBpmnParser()
        parser.add_bpmn_files([str(ROOT / "processes" / "complaint.bpmn")])
        parser.add_dmn_files([str(ROOT / "processes" / "complaint_routing.dmn")])
        self.spec, self.subprocess_specs = parser.get_spec("complaint"), parser.get_subprocess_specs("complaint")
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

        def in_days(days: int) -> str:
            return (datetime.now(timezone.utc) + timedelta(days=days)).isoformat()

        class Stub(PythonScriptEngine):
            """Service tasks answered at once with what our handlers return."""
            def call_service(self, task, operation_name=None, operation_params=None, **kwargs):
                answers = {"complaints.register": "TS-202611-0001", "complaints.close": in_days(0),
                           "complaints.record_callback_attempt": 1,  # the callback reached at the first call
                           "complaints.needs_return_callback": False,  # no return repair: on to the signature
                           "complaints.record_signature": True}
                # any other handler of the happy path sets the clocks (version 2: every one from receipt)
                clocks = {"classification": in_days(1), "first_response": None, "handling": in_days(5),
                          "confirmation": in_days(6), "callback": in_days(8), "signature": in_days(10)}
                return json.dumps(answers.get(operation_name, clocks))

        functions = {"working_days": lambda days, start=None: in_days(days),
                     "add_days": lambda start, days: (datetime.fromisoformat(start) + timedelta(days=days)).isoformat(),
                     "in_hours": lambda hours, start=None: in_days(0)}
        self.script_engine = Stub(environment=TaskDataEnvironment(functions))

    def lifecycle(self) -> float:
        from SpiffWorkflow.bpmn import BpmnWorkflow
        from SpiffWorkflow.util.task import TaskState
        start = time.perf_counter()
        workflow = BpmnWorkflow(self.spec, self.subprocess_specs, script_engine=self.script_engine)
        workflow.get_next_task(state=TaskState.READY).data.update(intake())
        workflow.do_engine_steps()
        self.serializer.serialize_json(workflow)
        for _username, name, answers in STEPS:
            task = next(t for t in workflow.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.name == name)
            task.data.update({**answers, **BARE_DEFAULTS.get(name, {})})
            task.run()
            workflow.do_engine_steps()
            self.serializer.serialize_json(workflow)
        assert workflow.is_completed(), "the bare run did not reach the end"
        return (time.perf_counter() - start) * 1000


# ----------------------------------------------------------------------------- the figures
def _profile_line(profile: cProfile.Profile) -> str:
    """Where the in-process time goes: the own time of the database layer (SQLAlchemy and the
    driver), of SpiffWorkflow and of our code, and the cumulative time of saving and loading."""
    stats = pstats.Stats(profile).stats
    total = sum(own for (_cc, _nc, own, _cum, _callers) in stats.values())

    def own(*parts: str) -> float:
        return sum(row[2] for (file, _line, name), row in stats.items()
                   if any(part in file or part in name for part in parts))

    def cumulative(file_part: str, name: str) -> float:
        return sum(row[3] for (file, _line, func), row in stats.items() if func == name and file.endswith(file_part))
    parts = {"database (SQLAlchemy + driver, own time)": own("sqlalchemy", "psycopg", "sqlite3"),
             "saving (dump_state)": cumulative("engine/serialization.py", "dump_state"),
             "loading (load_workflow)": cumulative("engine/serialization.py", "load_workflow"),
             "SpiffWorkflow (own time)": own("SpiffWorkflow"),
             "our code (own time)": own(str(ROOT / "app"))}
    return "profile (in-process, share of time): " + " · ".join(
        f"{name} {value / total * 100:.0f}%" for name, value in parts.items())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lifecycles", type=int, default=50)
    parser.add_argument("--database-url")
    parser.add_argument("--profile", action="store_true", help="one line saying where the in-process time goes")
    args = parser.parse_args()
    if args.database_url:
        measure(args.database_url, args.lifecycles, args.profile)
        return
    from bench.databases import fresh
    for kind in ("sqlite", "postgresql"):  # fresh databases of both kinds
        with fresh(kind, "engine") as url:
            measure(url, args.lifecycles, args.profile)


def measure(url: str, lifecycles: int, with_profile: bool) -> None:
    database = url.split("://")[0].split("+")[0]
    service, bare = ServiceBench(url), BareBench()
    service.lifecycle(), bare.lifecycle()  # warm: caches filled, modules imported
    profile = cProfile.Profile() if with_profile else None
    in_process, counts, bare_ms = [], [], []
    for _ in range(lifecycles):  # alternated: on a shared machine both see the same load
        if profile:
            profile.enable()
        spent, statements = service.lifecycle()
        if profile:
            profile.disable()
        in_process.append(spent)
        counts.extend(statements)
        bare_ms.append(bare.lifecycle())

    ours, theirs = statistics.median(in_process), statistics.median(bare_ms)
    print(f"complaint happy path ({len(STEPS)} completions after the start), {lifecycles} lifecycles each; "
          f"{time.strftime('%Y-%m-%d')}")
    print("| what | database | figure | goal |")
    print("|---|---|---|---|")
    print(f"| complaint happy path in-process through the services, median per lifecycle | {database} | "
          f"{ours:.1f} ms | |")
    print(f"| complaint happy path in bare SpiffWorkflow (serialize_json per task), median per lifecycle | — | "
          f"{theirs:.1f} ms | |")
    print(f"| complaint happy path, service in-process ÷ bare SpiffWorkflow | {database} | "
          f"{ours / theirs:.1f}× | ≤ 2× |")
    def spread(values) -> str:
        return f"{min(values)}–{max(values)}" if min(values) != max(values) else str(min(values))
    data = [c[1] for c in counts]
    print(f"| SQL statements per task completion (service entry to commit), reading or writing data | {database} | "
          f"{spread(data)} | ≤ 8 |")
    print(f"| SQL statements per task completion, all (with BEGIN, SAVEPOINT/RELEASE, pg_notify) | {database} | "
          f"{spread([c[0] for c in counts])} | |")
    if profile:
        print(_profile_line(profile))
        print("(with --profile the in-process lifecycles run under cProfile: their times and the ratio are inflated)")


if __name__ == "__main__":
    main()
