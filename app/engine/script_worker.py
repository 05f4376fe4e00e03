"""The process that diagram scripts run in. Standard library only: script_pool starts it as
`python -I script_worker.py MEMORY_BYTES`, with an empty environment and no inherited file
descriptors, so it holds no database connection, no secret and none of the app's modules.

It bounds itself (address space, CPU time, no file writes), then answers JSON lines on
stdin/stdout:

    parent -> {"op": "run", "source", "mode": "eval"|"exec", "variables", "builtins",
               "functions", "cpu"}
    worker -> {"op": "call", "name", "args", "kwargs"}       a diagram function, run by the parent
    parent -> {"op": "result", "value"} | {"op": "error", "type", "message"}
    worker -> {"op": "done", "value"} (eval) | {"op": "done", "context"} (exec)
            | {"op": "raised", "type", "message", "line"} | {"op": "memory"}

Values travel as JSON with tagged dates, times, Decimals, tuples, sets and non-text-keyed
dicts (encode/decode, shared with the parent). Nothing is ever unpickled: the parent treats
every line from here as hostile."""
import builtins
import decimal
import json
import os
import resource
import sys
import traceback
from datetime import date, datetime, time, timedelta

TAG = "$t"


class Unstorable(TypeError):
    """A value that task data cannot hold (a function, a range, a generator...)."""


def encode(value):
    """`value` as plain JSON data, with tags for the types JSON lacks."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime):
        return {TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, date):
        return {TAG: "date", "v": value.isoformat()}
    if isinstance(value, time):
        return {TAG: "time", "v": value.isoformat()}
    if isinstance(value, timedelta):
        return {TAG: "timedelta", "v": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, decimal.Decimal):
        return {TAG: "decimal", "v": str(value)}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, tuple):
        return {TAG: "tuple", "v": [encode(v) for v in value]}
    if isinstance(value, (set, frozenset)):
        return {TAG: "set", "v": [encode(v) for v in value]}
    if isinstance(value, dict):
        if TAG not in value and all(isinstance(k, str) for k in value):
            return {k: encode(v) for k, v in value.items()}
        return {TAG: "dict", "v": [[encode(k), encode(v)] for k, v in value.items()]}
    raise Unstorable(f"a value of type {type(value).__name__} cannot be kept in task data")


_SCALARS = {
    "datetime": datetime.fromisoformat, "date": date.fromisoformat, "time": time.fromisoformat,
    "timedelta": lambda v: timedelta(days=v[0], seconds=v[1], microseconds=v[2]),
    "decimal": decimal.Decimal,
}


def decode(value):
    """The inverse of encode; raises ValueError/TypeError on anything else."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if TAG not in value:
        return {k: decode(v) for k, v in value.items()}
    tag, inner = value[TAG], value["v"]
    if tag in _SCALARS:
        return _SCALARS[tag](inner)
    if tag == "tuple":
        return tuple(decode(v) for v in inner)
    if tag == "set":
        return {decode(v) for v in inner}
    if tag == "dict":
        return {decode(k): decode(v) for k, v in inner}
    raise ValueError(f"unknown tag {tag!r}")


def exception_from(type_name: str, message: str) -> Exception:
    """A built-in exception of that name (RuntimeError for anything else) carrying `message`."""
    cls = getattr(builtins, str(type_name), None)
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        cls = RuntimeError
    return cls(str(message))


def describe(exc: BaseException) -> tuple[str, str]:
    """(type name, message) of an exception, as the parent will raise it again."""
    message = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], str) else str(exc)
    return type(exc).__name__, message


# --- the worker's side of the pipe ----------------------------------------------------------

def _send(message: dict) -> None:
    sys.stdout.buffer.write(json.dumps(message, separators=(",", ":")).encode("ascii") + b"\n")
    sys.stdout.buffer.flush()


def _receive() -> dict:
    line = sys.stdin.buffer.readline()
    if not line:
        sys.exit(0)  # the parent went away
    return json.loads(line)


def _proxy(name: str):
    """A diagram function: the call travels to the parent, which runs the real one."""
    def call(*args, **kwargs):
        _send({"op": "call", "name": name, "args": encode(list(args)), "kwargs": encode(kwargs)})
        reply = _receive()
        if reply.get("op") == "error":
            raise exception_from(reply.get("type"), reply.get("message"))
        return decode(reply.get("value"))
    call.__name__ = call.__qualname__ = name
    return call


def _run(request: dict) -> dict:
    used = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (int(used + request["cpu"]) + 1, hard))  # SIGXCPU after that
    namespace = {name: _proxy(name) for name in request["functions"]}
    namespace.update(decode(request["variables"]))
    namespace["__builtins__"] = {name: getattr(builtins, name) for name in request["builtins"]}
    code = compile(request["source"], "<string>", request["mode"])
    if request["mode"] == "eval":
        return {"op": "done", "value": encode(eval(code, namespace))}
    exec(code, namespace)
    context = {}
    for key, value in namespace.items():
        if key == "__builtins__" or callable(value):
            continue  # as SpiffWorkflow drops functions from task data after a script
        try:
            context[key] = encode(value)
        except Unstorable as err:
            raise TypeError(f"'{key}': {err}") from None
    return {"op": "done", "context": context}


def _line_of(exc: BaseException) -> int | None:
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<string>"]
    return lines[-1] if lines else None


def _answer(request: dict) -> bytes | None:
    """The reply line, or None when memory ran out (the request's objects are gone by then)."""
    try:
        return json.dumps(_run(request), separators=(",", ":")).encode("ascii")
    except MemoryError:
        return None
    except BaseException as exc:  # noqa: B036 - a script's error is reported, whatever it is
        kind, message = describe(exc)
        return json.dumps({"op": "raised", "type": kind, "message": message[:2000],
                           "line": _line_of(exc)}).encode("ascii")


def main() -> None:
    memory = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _send({"op": "ready", "pid": os.getpid()})
    while True:
        line = _answer(_receive())
        sys.stdout.buffer.write((line or b'{"op":"memory"}') + b"\n")
        sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
