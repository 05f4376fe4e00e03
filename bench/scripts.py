"""The price of running diagram code safely: one evaluation of a gateway condition and one
script, by plain eval (no protection), the tracer the app used before (in-process, bounded
only in Python-level time), the cheap tier (in-process, proven cheap), and the worker pool
(another process, bounded in time and memory). Prints figures, asserts nothing.

    .venv/bin/python bench/scripts.py [--rounds 2000]
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.engine.sandbox import SAFE_BUILTINS, RestrictedEnvironment  # noqa: E402
from app.engine.script_pool import ScriptPool  # noqa: E402

CONDITION = 'severity == "major" and not within_authority'
SCRIPT = "total = sum(items)\nlabel = name.strip().upper()"
DATA = {"severity": "major", "within_authority": False, "items": [1, 2, 3], "name": " bob "}


def traced(code, namespace, limit=1.0):
    """The removed in-process bound: a trace function raising past the deadline."""
    deadline = time.monotonic() + limit

    def tracer(frame, event, arg):
        if time.monotonic() > deadline:
            raise TimeoutError
        return tracer
    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        return eval(code, namespace)
    finally:
        sys.settrace(previous)


def median_us(call, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    env = RestrictedEnvironment({})
    condition = compile(CONDITION, "<string>", "eval")
    script = compile(SCRIPT, "<string>", "exec")

    def namespace():
        return {**DATA, "__builtins__": dict(SAFE_BUILTINS)}
    env.execute(SCRIPT, dict(DATA))  # starts the worker: its start-up is not a run's cost
    figures = {
        "condition, plain eval (unprotected)": lambda: eval(condition, namespace()),
        "condition, old in-process tracer": lambda: traced(condition, namespace()),
        "condition, cheap tier (in-process)": lambda: env.evaluate(CONDITION, dict(DATA)),
        "condition, worker pool (forced)": lambda: env.pool.evaluate(CONDITION, dict(DATA), {}, SAFE_BUILTINS, 1.0),
        "script, old in-process tracer": lambda: traced(script, namespace()),
        "script, worker pool": lambda: env.execute(SCRIPT, dict(DATA)),
    }
    results = {name: median_us(call, args.rounds) for name, call in figures.items()}
    print(f"median of {args.rounds} runs each; ratios against the old tracer on the same source")
    for name, us in results.items():
        tracer = results[name.split(",")[0] + ", old in-process tracer"]
        print(f"{name:<40} {us:9.1f} µs   {us / tracer:7.1f}x")
    started = time.perf_counter()
    pool = ScriptPool(env.memory_limit, size=1)  # a pool of its own: its first run starts a worker
    pool.evaluate("1", {}, {}, SAFE_BUILTINS, 1.0)
    pool.shutdown()
    print(f"{'starting one worker process':<40} {(time.perf_counter() - started) * 1000:9.1f} ms (once per worker)")


if __name__ == "__main__":
    main()
