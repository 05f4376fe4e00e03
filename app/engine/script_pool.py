"""Long-lived worker processes (script_worker.py) that run diagram code the static check
cannot prove cheap, a few per app process, shared by its threads.

A worker is started lazily with Popen (never a fork of the app: no database connection,
no secret, empty environment), bounds its own memory and CPU, and is killed from here when
a run passes its wall deadline. A killed, crashed or out-of-memory worker is reaped and
replaced by the next run. The diagram functions a script calls run here, in the caller's
thread (with its app context), and bound their own arguments."""
import atexit
import json
import logging
import math
import os
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .script_worker import decode, describe, encode, exception_from

log = logging.getLogger(__name__)
WORKER_SCRIPT = str(Path(__file__).with_name("script_worker.py"))
STARTUP_TIMEOUT = 10.0  # seconds for a new worker to say it is ready (not part of a script's time)
MAX_MESSAGE = 16 * 2**20  # bytes of one reply: a script cannot flood the app's memory
RUNS_PER_WORKER = 1000  # then a fresh one: no state or fragmentation builds up


class UnsafeScript(Exception):
    """A script or expression that is refused (or was stopped)."""


class ScriptTimeout(UnsafeScript):
    """A script that ran past its time limit."""


class _Overrun(Exception):
    pass


class _Gone(Exception):
    pass


@dataclass(frozen=True)
class Exit:
    """How a worker ended: its pid, exit code (negative: killed by that signal), peak RSS."""
    pid: int
    returncode: int
    peak_rss: int | None  # bytes; None when it had ended by itself


class _Worker:
    def __init__(self, memory_limit: int):
        self.proc = subprocess.Popen(
            [sys.executable, "-I", WORKER_SCRIPT, str(memory_limit)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env={}, cwd="/", close_fds=True)
        self.pid = self.proc.pid
        self.runs = 0
        self._buffer = bytearray()
        try:
            if self.receive(time.monotonic() + STARTUP_TIMEOUT).get("op") != "ready":
                raise ValueError("not ready")
        except (_Overrun, _Gone, ValueError):
            self.stop()
            raise UnsafeScript("the script process could not be started") from None

    def send(self, message: dict) -> None:
        try:
            self.proc.stdin.write(json.dumps(message, separators=(",", ":")).encode("ascii") + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise _Gone from None

    def receive(self, deadline: float) -> dict:
        """The next line from the worker, parsed; _Overrun after `deadline`, _Gone at EOF."""
        fd = self.proc.stdout.fileno()
        while (end := self._buffer.find(b"\n")) < 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Overrun
            if not select.select([fd], [], [], remaining)[0]:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise _Gone
            self._buffer += chunk
            if len(self._buffer) > MAX_MESSAGE:
                raise UnsafeScript(f"the script produced more than {MAX_MESSAGE // 2**20} MiB of data")
        line = bytes(self._buffer[:end])
        del self._buffer[:end + 1]
        message = json.loads(line)
        if not isinstance(message, dict):
            raise ValueError("not a message")
        return message

    def stop(self) -> Exit:
        """Kill the process and reap it, keeping its exit status and peak memory."""
        peak = None
        try:
            os.kill(self.pid, signal.SIGSTOP)  # holds still while its peak is read
            peak = _peak_rss(self.pid)
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        return Exit(self.pid, self.proc.returncode, peak)


def _peak_rss(pid: int) -> int | None:
    """VmHWM of a live process in bytes (wait4's ru_maxrss would include the app's own,
    inherited at fork), None once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


class ScriptPool:
    """At most `size` workers with one memory limit; a run takes an idle one or starts one."""

    def __init__(self, memory_limit: int, size: int = 2):
        self.memory_limit = memory_limit
        self.size = size
        self._idle: list[_Worker] = []
        self._count = 0  # live workers, idle or running
        self._free = threading.Condition()
        # Counters, for tests and benchmarks.
        self.started = 0
        self.runs = 0
        self.last_pid: int | None = None
        self.last_exit: Exit | None = None

    def evaluate(self, source: str, variables: dict, functions: dict, builtins, time_limit: float):
        return self._run(source, "eval", variables, functions, builtins, time_limit)

    def execute(self, source: str, variables: dict, functions: dict, builtins, time_limit: float) -> dict:
        """The script's variables after it ran (functions dropped)."""
        context = self._run(source, "exec", variables, functions, builtins, time_limit)
        if not isinstance(context, dict):
            raise UnsafeScript(_UNREADABLE)
        return context

    def shutdown(self) -> None:
        with self._free:
            idle, self._idle = self._idle, []
        for worker in idle:
            self._retire(worker)

    def _run(self, source, mode, variables, functions, builtins, time_limit):
        request = {"op": "run", "source": source, "mode": mode, "variables": encode(variables),
                   "builtins": sorted(builtins), "functions": sorted(functions), "cpu": math.ceil(time_limit)}
        worker = self._acquire()
        self.last_pid = worker.pid
        worker.runs += 1
        try:
            reply = self._converse(worker, request, functions, time_limit)
        except BaseException as exc:  # noqa: B036 - the worker is in an unknown state: replace it
            end = self._retire(worker)
            raise _failure(exc, end, time_limit) from None
        op = reply.get("op")
        if op in ("done", "raised") and worker.runs < RUNS_PER_WORKER:
            self._give_back(worker)
        else:
            self._retire(worker)
        if op == "raised":
            raise exception_from(reply.get("type"), reply.get("message"))
        if op == "memory":
            raise UnsafeScript(f"script used more than {self.memory_limit // 2**20} MiB of memory")
        try:
            return decode(reply["value" if mode == "eval" else "context"])
        except _MALFORMED:
            raise UnsafeScript(_UNREADABLE) from None

    def _converse(self, worker: _Worker, request: dict, functions: dict, time_limit: float) -> dict:
        deadline = time.monotonic() + time_limit
        worker.send(request)
        while True:
            message = worker.receive(deadline)
            if message.get("op") != "call":
                return message
            if time.monotonic() > deadline:
                raise _Overrun
            worker.send(_call(functions, message))

    def _acquire(self) -> _Worker:
        with self._free:
            self.runs += 1
            while not self._idle and self._count >= self.size:
                self._free.wait()
            if self._idle:
                return self._idle.pop()
            self._count += 1
        try:
            worker = _Worker(self.memory_limit)
        except BaseException:
            with self._free:
                self._count -= 1
                self._free.notify()
            raise
        self.started += 1
        return worker

    def _give_back(self, worker: _Worker) -> None:
        with self._free:
            self._idle.append(worker)
            self._free.notify()

    def _retire(self, worker: _Worker) -> Exit:
        end = worker.stop()
        self.last_exit = end
        with self._free:
            self._count -= 1
            self._free.notify()
        return end


_UNREADABLE = "the script process sent an unreadable answer"
# What decoding a hostile worker's line may raise (json and decode included).
_MALFORMED = (KeyError, ValueError, TypeError, ArithmeticError, RecursionError)


def _failure(exc: BaseException, end: Exit, time_limit: float) -> BaseException:
    """What a run that broke off raises, in plain words."""
    if isinstance(exc, _Overrun) or (isinstance(exc, _Gone) and end.returncode == -signal.SIGXCPU):
        return ScriptTimeout(f"script ran longer than {time_limit} s")
    if isinstance(exc, _Gone):
        return UnsafeScript(f"the script's process ended unexpectedly (exit status {end.returncode})")
    if isinstance(exc, _MALFORMED):
        return UnsafeScript(_UNREADABLE)
    return exc


def _call(functions: dict, message: dict) -> dict:
    """Run the diagram function a script called; its errors go back to the script."""
    name = message.get("name")
    function = functions.get(name)
    if function is None:
        return {"op": "error", "type": "NameError", "message": f"function {name!r} is not available"}
    try:
        args, kwargs = decode(message.get("args")), decode(message.get("kwargs"))
        if not isinstance(args, list) or not isinstance(kwargs, dict) \
                or not all(isinstance(k, str) for k in kwargs):
            raise TypeError("malformed call")
    except _MALFORMED:
        return {"op": "error", "type": "TypeError", "message": f"bad arguments to {name}()"}
    try:
        return {"op": "result", "value": encode(function(*args, **kwargs))}
    except (ValueError, TypeError, OverflowError, ArithmeticError, KeyError) as exc:
        kind, text = describe(exc)
        return {"op": "error", "type": kind, "message": text}
    except Exception:
        log.exception("diagram function %s failed", name)
        return {"op": "error", "type": "RuntimeError", "message": f"function {name}() failed"}


_pools: dict[tuple, ScriptPool] = {}
_pools_lock = threading.Lock()


def pool_for(memory_limit: int, size: int = 2) -> ScriptPool:
    """This process's pool for that memory limit (a forked child gets its own)."""
    key = (os.getpid(), memory_limit, size)
    with _pools_lock:
        if key not in _pools:
            _pools[key] = ScriptPool(memory_limit, size)
        return _pools[key]


@atexit.register
def shutdown_all() -> None:
    with _pools_lock:
        pools = [p for (pid, *_), p in _pools.items() if pid == os.getpid()]
    for pool in pools:
        pool.shutdown()
