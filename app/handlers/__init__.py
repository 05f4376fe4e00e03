"""Service-task handlers, registered by the name a diagram's service task gives
(`complaints.register`). A handler takes a HandlerContext and returns JSON-safe data;
it flushes, never commits: the request or timer run that drove the engine commits."""
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

HANDLERS: dict[str, Callable[["HandlerContext"], Any]] = {}


@dataclass(frozen=True)
class Parameter:
    """A parameter a handler reads from its service task (`spiffworkflow:parameter`, a Python
    expression), described for the diagram editor."""
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class HandlerInfo:
    """What the diagram editor shows of a handler: what it does, its parameters, what it returns
    (the value the service task's resultVariable receives). Texts are N_() messages; a handler
    registered without a summary is described by its docstring's first paragraph."""
    summary: str
    returns: str
    parameters: tuple[Parameter, ...] = ()

    def describe(self, translate: Callable[[str], str]) -> dict:
        text = lambda message: translate(message) if message else ""  # noqa: E731  (an empty msgid reads as the catalogue header)
        return {"description": text(self.summary), "returns": text(self.returns),
                "parameters": [{"name": p.name, "type": p.type, "description": text(p.description)}
                               for p in self.parameters]}


HANDLER_INFO: dict[str, HandlerInfo] = {}


@dataclass
class HandlerContext:
    instance_id: int
    actor_id: int | None
    task_name: str
    data: dict  # the task's data: read it, don't mutate nested values (they are shared)
    params: dict
    now: datetime
    # The diagram's tasks due by the time the case holds under a path (their `due_from`
    # property): tasks_due_by("deadlines.handling") -> element ids.
    tasks_due_by: Callable[[str], frozenset[str]] = lambda path: frozenset()
    # The field of the case naming the person an element's task opens held by (its assignee_from
    # property), or None: assignee_field("handle_parts") -> "responsible_person".
    assignee_field: Callable[[str], str | None] = lambda element: None
    # What a written overdue record proposes to the penalty register (the engine glue sets it
    # to services.penalties.propose_for_overdue): propose_penalty(record).
    propose_penalty: Callable[[Any], Any] = lambda record: None
    # Starts another procedure on the system's behalf, in this step's transaction (a failure
    # fails this step too): start_process("callback", start data) -> the new instance's id.
    # Set by the engine glue (services/runs.py), so handlers never import the services.
    start_process: Callable[[str, dict], int] | None = None
    # Tells whoever holds the instance's open tasks of these elements (the person, else the role's
    # holders) `text`, as a notice and on the case's timeline: notify_holder(element ids, text).
    notify_holder: Callable[[frozenset[str], str], int] = lambda elements, text: 0
    # Gives the instance's open tasks of these elements to a person, who may then complete them
    # whatever the task's lane (a manager taking the work over): reassign(element ids, username).
    reassign: Callable[[frozenset[str], str], int] = lambda elements, username: 0

    def start(self, process_key: str, data: dict) -> int:
        if self.start_process is None:
            raise HandlerError(f"this step cannot start the procedure {process_key!r}")
        return self.start_process(process_key, data)


class HandlerError(Exception):
    """What a handler raises when the case cannot go on; the engine reports it."""


class HandlerRefusal(HandlerError):
    """What a handler raises when the answers of the task just completed cannot be taken (a
    responsible person who does not hold the role): the completion is refused naming the field,
    and nothing of the step is kept. `message` is a catalogue text (N_)."""

    def __init__(self, field: str, message):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


def handler(name: str, summary: str | None = None, returns: str | None = None, parameters: tuple[Parameter, ...] = ()):
    """Register a handler under `name`, with what the diagram editor says of it."""
    def register(func):
        if name in HANDLERS:
            raise ValueError(f"handler {name!r} registered twice")
        HANDLERS[name] = func
        doc = " ".join((func.__doc__ or "").strip().split("\n\n")[0].split())
        HANDLER_INFO[name] = HandlerInfo(summary or doc, returns or "", tuple(parameters))
        return func
    return register


def call(name: str, context: HandlerContext) -> Any:
    if name not in HANDLERS:
        raise HandlerError(f"no handler named {name!r}")
    return HANDLERS[name](context)


from . import complaints, overdue  # noqa: E402,F401  (registers the handlers)
from . import callbacks, return_repairs, returns  # noqa: E402,F401  (procedures 2 and 3)
