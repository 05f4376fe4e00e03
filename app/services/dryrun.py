"""Dry runs: a procedure's files walked through one test case by the real engine with the real
handlers, inside a savepoint rolled back at the end, so that no case, record, number or open
task stays behind. A process owner tries a draft this way (`try_draft`), and the saved test
cases kept with a procedure (`<process>.test.json`) must pass before it is deployed (`failures`).

A test case: {"name", "start": {start answers}, "tasks": [steps], "expect": {"end": element id,
"path_includes": [element ids], "waits": true when the case is to be left waiting for its timers
after the last step (a procedure that runs until it is cancelled: a visit plan's cycle)}}; a step answers the next user task met, named by its form key or
element id ({"task", "answers"}), or moves the run's own clock ({"advance_working_days": n} or
{"advance_days": n}) so that its timers fall due. Answers may give dates relative to the run's
clock: "{today}", "{today-100}" (a date, days) and "{now}", "{now-2}" (a moment, hours). A case
may name the people its answers name ({"people": {"username": [roles]}}): those not there are
stood in for inside the run (rolled back with it), so a case that names a responsible person
runs on a system nobody has been added to yet."""
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from .. import clock, forms, permissions
from ..engine import SERIALIZER_VERSION, EngineError, InvalidProcess, ParsedProcess, WorkflowRun, parse_process_files
from ..errors import ValidationFailed
from ..extensions import db
from ..i18n import N_
from ..models import ProcessDraft, ProcessInstance, ProcessVersion, User, UserRole
from ..workdays import add_working_days
from . import runs

TEST_CASES = ".test.json"
MAX_STEPS = 200
MAX_ADVANCE_DAYS = 366
ADVANCES = {"advance_working_days": lambda moment, n: add_working_days(moment, n) - moment,
            "advance_days": lambda moment, n: timedelta(days=n)}
_RELATIVE = re.compile(r"^\{(today|now)([+-]\d{1,4})?\}$")


def form_answers(files: dict, form_key: str, answers, case: dict) -> dict:
    """The cleaned answers of form `form_key` of the draft's files, or ValidationFailed per field."""
    form = forms.of_files(files).get(form_key)
    if form is None:
        raise ValidationFailed(N_("the draft has no form %(form)s", form=form_key),
                               {"form": [N_("no such form among the draft's files: %(form)s", form=form_key)]})
    return forms.validate(form, answers, case)


# ------------------------------------------------------------------------------ test cases
@dataclass
class Step:
    task: str | None = None
    answers: dict = field(default_factory=dict)
    advance: tuple[str, int] | None = None

    def label(self) -> str:
        return self.task if self.task else f"{self.advance[0]}={self.advance[1]}"


@dataclass
class TrialCase:
    name: str
    start: dict
    steps: list[Step]
    end: str | None = None
    path_includes: list[str] = field(default_factory=list)
    source: dict = field(default_factory=dict)  # as written
    waits: bool = False  # after the last step the case waits for timers, ending nowhere
    people: dict = field(default_factory=dict)  # username -> roles, stood in for when absent


def read_case(value, where: str = "case") -> TrialCase:
    """A test case from JSON; ValidationFailed naming the field (`case.tasks.2.answers`) otherwise."""
    problems = {}

    def need(ok: bool, name: str, reason) -> bool:
        if not ok:
            problems.setdefault(f"{where}.{name}" if name else where, []).append(reason)
        return ok

    if not need(isinstance(value, dict), "", N_("must be an object")):
        raise ValidationFailed(N_("the test case is not valid"), problems)
    name = value.get("name", "")
    need(isinstance(name, str) and len(name) <= 200, "name", N_("a text of at most 200 characters"))
    start = value.get("start", {})
    need(isinstance(start, dict), "start", N_("must be an object"))
    tasks = value.get("tasks", [])
    steps = []
    if need(isinstance(tasks, list) and len(tasks) <= MAX_STEPS, "tasks",
            N_("a list of at most %(count)s steps", count=MAX_STEPS)):
        for index, item in enumerate(tasks):
            step = _read_step(item)
            if need(step is not None, f"tasks.{index}",
                    N_("{\"task\": form key or element id, \"answers\": {...}}, or {\"advance_working_days\": n} "
                       "or {\"advance_days\": n} with n from 1 to %(max)s", max=MAX_ADVANCE_DAYS)):
                steps.append(step)
    expect = value.get("expect", {})
    if need(isinstance(expect, dict), "expect", N_("must be an object")):
        need(expect.get("end") is None or isinstance(expect.get("end"), str), "expect.end", N_("an element id"))
        included = expect.get("path_includes", [])
        need(isinstance(included, list) and all(isinstance(i, str) for i in included), "expect.path_includes",
             N_("a list of element ids"))
        need(isinstance(expect.get("waits", False), bool), "expect.waits", N_("true or false"))
    people = value.get("people", {})
    need(isinstance(people, dict) and len(people) <= 20 and all(
        isinstance(k, str) and 0 < len(k) <= 64 and isinstance(v, list) and all(isinstance(r, str) for r in v)
        for k, v in people.items()), "people", N_("an object of usernames and their roles"))
    if problems:
        raise ValidationFailed(N_("the test case is not valid"), problems)
    return TrialCase(name or "", start, steps, expect.get("end"), list(expect.get("path_includes", [])), value,
                     expect.get("waits") is True, people)


def _stand_ins(people: dict) -> None:
    """The people the case names who are not there, added for this run alone (it is rolled back)."""
    there = set(db.session.scalars(select(User.username).where(User.username.in_(list(people) or [""]))))
    for username, roles in people.items():
        if username not in there:
            person = User(username=username, display_name=username, password_hash="!", active=True)
            person.role_rows = [UserRole(role=role) for role in roles]
            db.session.add(person)
    db.session.flush()


def _read_step(item) -> Step | None:
    if not isinstance(item, dict):
        return None
    if set(item) <= {"task", "answers"} and isinstance(item.get("task"), str) and item["task"]:
        answers = item.get("answers", {})
        return Step(task=item["task"], answers=answers) if isinstance(answers, dict) else None
    if len(item) == 1 and next(iter(item)) in ADVANCES:
        kind, days = next(iter(item.items()))
        if isinstance(days, int) and not isinstance(days, bool) and 1 <= days <= MAX_ADVANCE_DAYS:
            return Step(advance=(kind, days))
    return None


def saved_cases(files: dict) -> list[TrialCase]:
    """The test cases kept with a procedure; ValidationFailed naming the file and case otherwise."""
    found = []
    for name in sorted(n for n in files if n.endswith(TEST_CASES)):
        try:
            listed = json.loads(files[name])
        except ValueError as err:
            raise ValidationFailed(N_("%(file)s is not JSON", file=name),
                                   {name: [N_("not JSON: %(reason)s", reason=str(err))]}) from None
        if not isinstance(listed, list):
            raise ValidationFailed(N_("%(file)s must hold a list of test cases", file=name),
                                   {name: [N_("must be a list of test cases")]})
        found.extend(read_case(case, f"{name}[{index}]") for index, case in enumerate(listed))
    return found


def keep_case(files: dict, key: str, value) -> dict[str, str]:
    """The procedure's files with the test case `value` among its saved ones (`<key>.test.json`),
    in place of the one of the same name: what a new draft keeps."""
    case = read_case(value)
    if not case.name.strip():
        raise ValidationFailed(N_("name the test case to keep it"), {"case.name": [N_("a name is required")]})
    name = f"{key}{TEST_CASES}"
    kept = [c.source for c in saved_cases({name: files[name]})] if name in files else []
    kept = [c for c in kept if c.get("name") != case.name] + [case.source]
    return {**files, name: json.dumps(kept, ensure_ascii=False, indent=2) + "\n"}


def file_problems(files: dict) -> list[dict]:
    """What is wrong with the saved test cases as written (not run): problems as deployments.check says them."""
    try:
        saved_cases(files)
    except ValidationFailed as err:
        return [{"file": where.split("[")[0], "element_id": None, "message": reason}
                for where, reasons in err.fields.items() for reason in reasons]
    return []


# ------------------------------------------------------------------------------ the run
@dataclass
class Outcome:
    path: list[dict] = field(default_factory=list)     # {element_id, name, kind}, in order
    tasks: list[dict] = field(default_factory=list)    # {element_id, name, form_key, answers}
    end: str | None = None                              # the end event it ended at
    stop: dict | None = None    # {reason, message, element_id, errors}: why it stopped before an end
    unused: list[str] = field(default_factory=list)     # steps left when it ended
    waiting: bool = False  # all steps taken, it waits for timers (a case expected to wait)

    def stopped(self, reason: str, message, element_id: str | None = None, errors: dict | None = None) -> "Outcome":
        self.stop = {"reason": reason, "message": message, "element_id": element_id, "errors": errors or {}}
        return self

    def as_dict(self) -> dict:
        return {"path": self.path, "tasks": self.tasks, "end": self.end, "stop": self.stop, "unused": self.unused,
                "waiting": self.waiting}


def run_case(parsed: ParsedProcess, case: TrialCase, actor_id: int | None) -> Outcome:
    """Walk `case` through the procedure; everything it wrote is rolled back before this returns."""
    savepoint = db.session.begin_nested()
    try:
        with clock.own_time() as move:
            return _walk(parsed, case, actor_id, move)
    finally:
        savepoint.rollback()


def _walk(parsed: ParsedProcess, case: TrialCase, actor_id: int | None, move) -> Outcome:
    outcome = Outcome()
    _stand_ins(case.people)
    try:
        instance, run = _started(parsed, case.start, actor_id)
    except ValidationFailed as err:
        return outcome.stopped("invalid_answers", N_("the start answers have errors"), None, err.fields)
    steps = list(case.steps)
    try:
        runs.perform(instance, run, {"kind": "start"})
        while True:
            outcome.path = [{"element_id": e, "name": n, "kind": k} for e, n, k in run.trail()]
            step = steps[0] if steps else None
            ready = run.ready_user_tasks()
            if step is not None and step.advance:
                steps.pop(0)
                kind, days = step.advance
                move(ADVANCES[kind](clock.now(), days))
                runs.perform(instance, run, {"kind": "timers"})
            elif run.status == "completed":
                ends = [p["element_id"] for p in outcome.path if p["kind"] == "EndEvent"]
                outcome.end = ends[-1] if ends else None
                outcome.unused = [s.label() for s in steps]
                return outcome
            elif step is None:
                if ready:
                    return outcome.stopped("no_answers", N_("no answers for task %(task)s (form %(form)s)",
                                                            task=_named(ready[0]), form=ready[0].form_key or "-"),
                                           ready[0].element_id)
                if case.waits:
                    outcome.waiting = True
                    return outcome
                return outcome.stopped("waiting", N_("the case waits (for a timer or a message) and no step is left"))
            else:
                task = next((t for t in ready if step.task in (t.form_key, t.element_id)), None)
                if task is None:
                    waiting = ", ".join(_named(t) for t in ready) or "-"
                    return outcome.stopped("not_reached", N_("task %(task)s is not reached; waiting for answers: "
                                                             "%(ready)s", task=step.task, ready=waiting),
                                           ready[0].element_id if ready else None)
                steps.pop(0)
                try:
                    answers = form_answers(parsed.files, task.form_key, _relative(step.answers), run.data)
                except ValidationFailed as err:
                    return outcome.stopped("invalid_answers", N_("the answers for task %(task)s have errors",
                                                                 task=_named(task)), task.element_id, err.fields)
                runs.perform(instance, run, {"kind": "complete", "task_id": task.id, "task_name": task.element_id,
                                             "form_key": task.form_key or "", "lane": task.lane or "",
                                             "answers": answers, "actor_id": actor_id})
                outcome.tasks.append({"element_id": task.element_id, "name": task.name, "form_key": task.form_key,
                                      "answers": answers})
    except EngineError as err:
        outcome.path = [{"element_id": e, "name": n, "kind": k} for e, n, k in run.trail()]
        return outcome.stopped("error", N_("the procedure failed at element %(element)s: %(reason)s",
                                           element=err.element_id or "-", reason=runs.plain_message(str(err))),
                               err.element_id)


def _started(parsed: ParsedProcess, answers: dict, actor_id: int | None) -> tuple[ProcessInstance, WorkflowRun]:
    """A case of its own on a version of its own (numbered 0, so that no lookup of the latest
    version finds it), holding the start answers, before the engine ran it."""
    lane, start_form = parsed.start_event()
    if start_form:
        start = form_answers(parsed.files, start_form, _relative(answers), {})
    elif answers:
        raise ValidationFailed(N_("this procedure takes no start data"), {"start": [N_("must be empty")]})
    else:
        start = {}
    # Its digest names its files, as a deployed version's does (what is read of a version is kept by it).
    digest = hashlib.sha256(json.dumps(parsed.files, sort_keys=True).encode()).hexdigest()
    version = ProcessVersion(process_key=parsed.key[:64], version=0, name=parsed.name[:200], files=parsed.files,
                             sha256=digest, spec=parsed.spec_json(), serializer_version=SERIALIZER_VERSION,
                             start_lane=lane, start_form=start_form, deployed_by_id=actor_id)
    db.session.add(version)
    db.session.flush()
    # Held by the case (not loaded again): what the savepoint's rollback takes back out of the session.
    instance = ProcessInstance(version=version, process_key=version.process_key, status="running",
                               state="", serializer_version="", data={}, started_by_id=actor_id)
    db.session.add(instance)
    db.session.flush()
    return instance, WorkflowRun.create(version.spec, start, runs.script_engine(instance, actor_id))


def _named(task) -> str:
    return f"{task.element_id} ({task.name})" if task.name and task.name != task.element_id else task.element_id


def _relative(value):
    """Answers with "{today-100}" / "{now-2}" read against the run's clock."""
    if isinstance(value, dict):
        return {key: _relative(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_relative(item) for item in value]
    found = _RELATIVE.match(value) if isinstance(value, str) else None
    if not found:
        return value
    moment, amount = clock.local(clock.now()), int(found.group(2) or 0)
    if found.group(1) == "today":
        return (moment + timedelta(days=amount)).date().isoformat()
    return (moment + timedelta(hours=amount)).isoformat()


def verdict(case: TrialCase, outcome: Outcome) -> str | None:
    """Where a saved case went another way than it expects, or None when it passed."""
    if outcome.stop is not None:
        return N_("case '%(case)s' stopped at %(element)s: %(reason)s", case=case.name,
                  element=outcome.stop["element_id"] or "-", reason=outcome.stop["message"])
    if case.end and outcome.end != case.end:
        return N_("case '%(case)s' ended at %(end)s, not at %(expected)s", case=case.name,
                  end=outcome.end or "-", expected=case.end)
    if case.waits and not outcome.waiting:
        return N_("case '%(case)s' ended at %(end)s instead of waiting", case=case.name, end=outcome.end or "-")
    passed = {p["element_id"] for p in outcome.path}
    missing = [element for element in case.path_includes if element not in passed]
    if missing:
        return N_("case '%(case)s' did not pass %(elements)s", case=case.name, elements=", ".join(missing))
    if outcome.unused:
        return N_("case '%(case)s' ended with steps left: %(steps)s", case=case.name, steps=", ".join(outcome.unused))
    return None


def failures(parsed: ParsedProcess, actor_id: int | None) -> list[dict]:
    """Every saved case of the procedure that does not pass, as problems naming the case and where
    it went another way; none when all pass (or none is kept)."""
    found = []
    test_file = next((n for n in sorted(parsed.files) if n.endswith(TEST_CASES)), None)
    for case in saved_cases(parsed.files):
        outcome = run_case(parsed, case, actor_id)
        reason = verdict(case, outcome)
        if reason is not None:
            where = outcome.stop["element_id"] if outcome.stop else outcome.end
            found.append({"file": test_file, "element_id": where, "message": reason})
    return found


# ------------------------------------------------------------------------------ a draft, tried
def try_draft(user: User, draft: ProcessDraft, body) -> tuple[TrialCase, Outcome]:
    """Dry-run `draft` with the case in `body` ({"case": {...}}) or one of its saved cases
    ({"saved": name}); nothing is stored."""
    permissions.require(user, "procedures.try")
    if not isinstance(body, dict) or ("case" in body) == ("saved" in body):
        raise ValidationFailed(N_("send {\"case\": {...}} or {\"saved\": name of a saved case}"),
                               {"case": [N_("a test case, or the name of a saved one")]})
    try:
        parsed = parse_process_files(draft.files)
    except InvalidProcess:
        raise ValidationFailed(N_("the draft cannot be read: fix its problems first"),
                               {"draft": [N_("the draft's files cannot be read as a procedure")]}) from None
    if "case" in body:
        case = read_case(body["case"])
    else:
        case = next((c for c in saved_cases(parsed.files) if c.name == body["saved"]), None)
        if case is None:
            raise ValidationFailed(N_("no saved test case named %(name)s", name=str(body["saved"])[:200]),
                                   {"saved": [N_("the name of a saved test case")]})
    return case, run_case(parsed, case, user.id)
