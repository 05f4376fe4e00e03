"""One workflow instance in memory: start, look at its ready user tasks, complete one,
fire due timers, and save. Everything the service layer needs, nothing it must know."""
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition, TerminateEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from .pruning import prune, went_through
from .sandbox import UnsafeScript
from .scripting import ScriptEngine, ServiceTaskFailed
from .serialization import RestoredSpec, dump_state, load_spec, load_workflow


log = logging.getLogger(__name__)


class EngineError(Exception):
    """A diagram could not run on: its message names the element and the reason."""
    def __init__(self, message: str, element_id: str | None = None):
        super().__init__(message)
        self.element_id = element_id


class TaskNotReady(Exception):
    pass


@dataclass(frozen=True)
class UserTaskView:
    id: str
    element_id: str
    name: str
    lane: str | None
    form_key: str | None
    data: dict


def _property(task_spec, name: str) -> str | None:
    """A property the diagram set on the element (spiffworkflow:property), or None."""
    return getattr(task_spec, "extensions", {}).get("properties", {}).get(name) or None


def _form_key(task_spec) -> str | None:
    return _property(task_spec, "form")


# A user task whose role depends on the case (the withdrawal: whoever raised the application, by
# its route) says so in a `role_expression` property, evaluated on the task's data when it opens;
# its `role` property (or its lane) is the role when the expression gives no role.
ROLE_EXPRESSION = "role_expression"



def _root_cause(err: BaseException) -> BaseException:
    seen = err
    while seen is not None:
        if isinstance(seen, (ServiceTaskFailed, UnsafeScript)):
            return seen
        seen = seen.__cause__ or seen.__context__
    return err


def _trail_entry(task) -> tuple[str, str, str]:
    return task.task_spec.bpmn_id, task.task_spec.bpmn_name or "", type(task.task_spec).__name__


class WorkflowRun:
    def __init__(self, workflow: BpmnWorkflow):
        self.workflow = workflow
        # Completed tasks this object pruned, as trail() entries: a run held from its start
        # (a dry run) keeps its whole trail; a stored case's rounds are in its task records.
        self._pruned: list[tuple] = []

    @classmethod
    def create(cls, spec: RestoredSpec | str, data: dict, script_engine: ScriptEngine) -> "WorkflowRun":
        """A new workflow holding the start form's data, before the engine ran it: `run()` starts it.
        `spec` is a restored spec (serialization.restored_spec) or a stored spec's JSON."""
        spec, subprocess_specs = spec if isinstance(spec, RestoredSpec) else load_spec(spec)
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine)
        # The start event's form fills the first task's data, as a start form would.
        start = workflow.get_next_task(state=TaskState.READY)
        if start is not None:
            start.data.update(data)
        return cls(workflow)

    @classmethod
    def start(cls, spec: RestoredSpec | str, data: dict, script_engine: ScriptEngine) -> "WorkflowRun":
        run = cls.create(spec, data, script_engine)
        run.run()
        return run

    @classmethod
    def load(cls, spec: RestoredSpec | str, state_json: str, script_engine: ScriptEngine) -> "WorkflowRun":
        """A stored state loaded against its version's spec: restored (a state of this serializer
        version, the spec shared) or as stored JSON (an older state is migrated)."""
        run = cls(load_workflow(spec, state_json, script_engine))
        run._prune()  # a state saved before pruning (rounds deep) is made shallow before anything runs
        return run

    def dump(self) -> str:
        return dump_state(self.workflow)

    def run(self) -> None:
        try:
            self.workflow.do_engine_steps()
        except Exception as err:  # turned into one error type the service layer reports
            cause = _root_cause(err)
            task = getattr(err, "task", None)
            element = getattr(cause, "task_name", None) or (task.task_spec.bpmn_id if task else None)
            raise EngineError(str(cause), element) from err
        self._drop_plain_events()
        self._prune()

    def _drop_plain_events(self) -> None:
        """Every end event throws its event to the top workflow, which keeps what nothing in it
        caught for a caller of get_events(); a plain or terminate end's event means nothing
        outside, and a case that ends branch after branch (each period of a visit plan) would
        carry them all in its state. Messages and signals stay."""
        self.workflow.bpmn_events = [event for event in self.workflow.bpmn_events if not isinstance(
            event.event_definition, (NoneEventDefinition, TerminateEventDefinition))]

    def _prune(self) -> None:
        """After every engine step the tree keeps only what the running case needs (see pruning.py)."""
        for task, depth in prune(self.workflow):
            if getattr(task.task_spec, "bpmn_id", None) is not None:
                self._pruned.append(((task.last_state_change, depth), _trail_entry(task)))

    def ready_user_tasks(self) -> list[UserTaskView]:
        return [UserTaskView(str(t.id), t.task_spec.bpmn_id, t.task_spec.bpmn_name or t.task_spec.bpmn_id,
                             self._lane(t), _form_key(t.task_spec), dict(t.data))
                for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)]

    def _lane(self, task) -> str | None:
        """The task's role: its `role_expression` evaluated on its data when it has one (a
        deployment checked the roles it can give), else its lane's."""
        expression = _property(task.task_spec, ROLE_EXPRESSION)
        if expression:
            try:
                role = self.workflow.script_engine.evaluate(task, expression)
            except Exception as err:  # the diagram's default role; the error is no reason to lose the task
                log.warning("role expression of %s failed: %r", task.task_spec.bpmn_id, err)
                role = None
            if isinstance(role, str) and role:
                return role
        return task.task_spec.lane

    def complete(self, task_id: str, data: dict) -> None:
        # Task.run() does not check state: a finished task would run twice.
        try:
            task = self.workflow.get_task_from_id(UUID(task_id))
        except (TaskNotFoundException, ValueError):  # 3.2 raises rather than returning None
            raise TaskNotReady(task_id) from None
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotReady(task_id)
        task.data.update(data)
        try:
            task.run()
        except Exception as err:
            raise EngineError(str(_root_cause(err)), task.task_spec.bpmn_id) from err
        self.run()

    def fire_due_timers(self) -> None:
        try:
            self.workflow.refresh_timers()
        except Exception as err:
            raise EngineError(str(_root_cause(err))) from err
        self.run()

    def waits_for(self, message: str) -> bool:
        """Whether an intermediate message event of this run waits for the message named `message`."""
        return self._message_catcher(message) is not None

    def _message_catcher(self, message: str):
        for task in self.workflow.event_manager.tasks.values():
            definition = task.task_spec.event_definition
            if isinstance(definition, MessageEventDefinition) and definition.name == message:
                return definition
        return None

    def deliver(self, message: str, payload: dict) -> bool:
        """A message from another case (a quality complaint telling its complaint it closed), caught
        by the event of this run that waits for it, then the run goes on; False (nothing changed)
        when nothing here waits for it."""
        definition = self._message_catcher(message)
        if definition is None:
            return False
        try:
            self.workflow.send_event(BpmnEvent(definition, payload=dict(payload)))
        except Exception as err:
            raise EngineError(str(_root_cause(err))) from err
        self.run()
        return True

    def path(self) -> tuple[list[str], list[str]]:
        """The diagram's element ids this run went through (completed) and stands on now (ready
        or waiting), for marking them on the diagram; a loop's element counts once."""
        done, current = [], []
        for process, names in went_through(self.workflow).items():
            specs = self._process_spec(process)
            for name in names:
                element = getattr(specs.task_specs.get(name), "bpmn_id", None) if specs else None
                if element is not None and element not in done:
                    done.append(element)
        for task in self.workflow.get_tasks():
            element = getattr(task.task_spec, "bpmn_id", None)
            if element is None:
                continue
            if task.state == TaskState.COMPLETED and element not in done:
                done.append(element)
            elif task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED) and element not in current:
                current.append(element)
        return done, current

    def trail(self) -> list[tuple[str, str, str]]:
        """(element id, name, kind) of every diagram element the run completed, in the order it
        completed them; a loop's element once per round."""
        # Not get_tasks(state=COMPLETED): that stops at unfinished tasks, and what a cycle timer
        # started each period hangs under the timer, which waits as long as the cycle runs.
        done = [t for t in self.workflow.get_tasks() if t.state == TaskState.COMPLETED
                and getattr(t.task_spec, "bpmn_id", None) is not None]
        # A child completes after its parent; what was pruned completed before what is left.
        entries = self._pruned + [((t.last_state_change, t.depth), _trail_entry(t)) for t in done]
        return [entry for _, entry in sorted(entries, key=lambda e: e[0])]

    def _process_spec(self, name: str):
        spec = self.workflow.spec
        return spec if spec.name == name else self.workflow.subprocess_specs.get(name)

    @property
    def status(self) -> str:
        if self.workflow.is_completed():
            return "completed"
        if self.workflow.get_tasks(state=TaskState.READY, manual=True):
            return "running"
        return "waiting"

    @property
    def next_timer_at(self) -> datetime | None:
        times = []
        for event in self.workflow.waiting_events():
            if event.event_type in ("TimerEventDefinition", "TimeDateEventDefinition",
                                    "DurationTimerEventDefinition", "CycleTimerEventDefinition"):
                try:
                    times.append(TimerEventDefinition.get_datetime(event.value))
                except (TypeError, ValueError):
                    continue
        aware = [t if t.tzinfo else t.replace(tzinfo=timezone.utc) for t in times]
        return min(aware) if aware else None

    @property
    def data(self) -> dict:
        """The data of the task that changed last: what the instance knows now."""
        if self.workflow.is_completed():
            return dict(self.workflow.data)
        # A join still waiting for its other branches (a subprocess's end, after an escalation branch
        # ended beside the open call) holds no data yet: it says nothing of what the instance knows.
        tasks = [t for t in self.workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.COMPLETED)
                 if t.data or t.state != TaskState.WAITING]
        latest = max(tasks, key=lambda t: t.last_state_change, default=None)
        return dict(latest.data) if latest else {}
