"""Service-task handlers, registered by the name a diagram's service task gives
(`complaints.register`). A handler takes a HandlerContext and returns JSON-safe data;
it flushes, never commits: the request or timer run that drove the engine commits."""
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

HANDLERS: dict[str, Callable[["HandlerContext"], Any]] = {}


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


class HandlerError(Exception):
    """What a handler raises when the case cannot go on; the engine reports it."""


def handler(name: str):
    def register(func):
        if name in HANDLERS:
            raise ValueError(f"handler {name!r} registered twice")
        HANDLERS[name] = func
        return func
    return register


def call(name: str, context: HandlerContext) -> Any:
    if name not in HANDLERS:
        raise HandlerError(f"no handler named {name!r}")
    return HANDLERS[name](context)


from . import complaints, overdue  # noqa: E402,F401  (registers the handlers)
from . import callbacks, return_repairs, returns  # noqa: E402,F401  (procedures 2 and 3)
