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
    # Renders a month's monthly report in every format, as it stands in this step (the engine glue
    # sets it to services.monthly_reports.render_all): render_report("2026-11") ->
    # {format: (content bytes, media type, file name)}.
    render_report: Callable[[str], dict] | None = None
    # What an escalation's choice does to the case's open tasks named (element ids from the diagram,
    # e.g. tasks_due_by(...)), set by the engine glue too:
    # urge_holders(task_names, note) -> the usernames told (a notice to whoever holds each task, or to
    # its lane's people while unclaimed; a line in the case's history);
    urge_holders: Callable[[frozenset[str], str], list[str]] | None = None
    # hand_over(task_names) -> the usernames the tasks had: they go to the person acting in this step.
    hand_over: Callable[[frozenset[str]], list[str]] | None = None
    # send_text(recipient phone, text, callback id) -> the message's id: a text message to a customer,
    # queued in this step and sent after the commit through the configured channel (SMS or WeCom).
    send_text: Callable[[str, str, int | None], int] | None = None
    # lend_loaner(data) -> the loan's id: a spare unit lent to the customer of a unit of this case's
    # return request (data: loaner_serial, loaner_unit_serial, customer, optional agreed_return_date,
    # note), written in this step; bad data refuses the completion naming the field (HandlerRefusal).
    lend_loaner: Callable[[dict], int] | None = None
    # tell_case(process key, business key, message name, payload) -> whether that running case waited for
    # the message: the event of its diagram waiting for it catches it and the case goes on (the quality
    # complaint tells its complaint it closed), set by the engine glue.
    tell_case: Callable[[str, str, str, dict], bool] | None = None

    def start(self, process_key: str, data: dict) -> int:
        if self.start_process is None:
            raise HandlerError(f"this step cannot start the procedure {process_key!r}")
        return self.start_process(process_key, data)

    def capability(self, name: str) -> Callable:
        """The capability `name` the engine glue gave this step (HandlerError when it gave none)."""
        found = getattr(self, name)
        if found is None:
            raise HandlerError(f"this step cannot {name.replace('_', ' ')}")
        return found


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
from . import callbacks, returns  # noqa: E402,F401  (procedures 2 and 3)
from . import monthly_report  # noqa: E402,F401  (the monthly report as a procedure)
from . import quality_complaints  # noqa: E402,F401  (quality complaints, 8D)
from . import customer_visits  # noqa: E402,F401  (customer visits)
from . import loaners  # noqa: E402,F401  (the loaner register: lending during a late repair)
