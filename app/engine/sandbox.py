"""Restricted running of diagram scripts and expressions.

Diagram scripts are code written by process owners, not by us: SpiffWorkflow's default
environment runs them with plain eval/exec and full builtins. Removing builtins alone is
no sandbox (``().__class__.__base__.__subclasses__()`` reaches ``__import__``), so every
source is checked on its syntax tree before it runs, runs with a small builtins dict, and
is stopped by a per-thread trace function once it passes its time limit.

Not covered (use a worker timeout as backstop): a single long C-level operation such as
``sum(range(10**12))`` or ``10**10**8`` produces no trace events, and memory is unbounded.
"""
import ast
import builtins
import dis
import re
import sys
import time

from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment


class UnsafeScript(Exception):
    """A script or expression that is refused (or was stopped)."""


class ScriptTimeout(UnsafeScript):
    """A script that ran past its time limit."""


class _Deadline(BaseException):
    # BaseException, so that `except Exception:` in a script cannot swallow it.
    pass


SAFE_BUILTINS = {name: getattr(builtins, name) for name in (
    'abs', 'all', 'any', 'bool', 'dict', 'divmod', 'enumerate', 'filter', 'float', 'int',
    'isinstance', 'len', 'list', 'map', 'max', 'min', 'range', 'reversed', 'round', 'set',
    'sorted', 'str', 'sum', 'tuple', 'zip',
    # so scripts can raise and catch ordinary errors; none of them catches _Deadline
    'Exception', 'ValueError', 'KeyError', 'TypeError', 'IndexError', 'ZeroDivisionError',
)}

_FORBIDDEN_NODES = {
    ast.Import: 'import', ast.ImportFrom: 'import', ast.Global: 'global',
    ast.Nonlocal: 'nonlocal', ast.ClassDef: 'class definition',
    ast.AsyncFunctionDef: 'async', ast.Await: 'await', ast.AsyncFor: 'async',
    ast.AsyncWith: 'async', ast.With: "'with'", ast.Match: "'match'",
}
# str.format/format_map resolve '{0.__class__}' at run time; mro() reaches BaseException
# (which would catch _Deadline).
_FORBIDDEN_ATTRS = {'format', 'format_map', 'mro'}
# Generator, coroutine, frame, traceback and code attributes lead to f_globals/f_builtins.
_FRAME_ATTR = re.compile(r'(gi|cr|ag|f|tb|co)_')
_CACHE_SIZE = 2048


def check_source(source: str, mode: str, allowed_functions: set[str]) -> None:
    """Raise UnsafeScript when `source` uses anything outside the sandbox's language."""
    if mode not in ('eval', 'exec'):
        raise ValueError(f'mode must be eval or exec, not {mode!r}')
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        if not source.strip():  # an empty condition otherwise reads "error on line 0"
            raise UnsafeScript('the expression is empty') from None
        raise UnsafeScript(f'syntax error on line {exc.lineno}: {exc.msg}') from None
    nodes = list(ast.walk(tree))
    # Functions the script defines itself are checked like the rest, so calling them is fine.
    callable_names = set(SAFE_BUILTINS) | set(allowed_functions) | {
        n.name for n in nodes if isinstance(n, ast.FunctionDef)} | {
        t.id for n in nodes if isinstance(n, ast.Assign) and isinstance(n.value, ast.Lambda)
        for t in n.targets if isinstance(t, ast.Name)}

    for node in nodes:
        problem = _problem(node, callable_names)
        if problem:
            raise UnsafeScript(f"{problem} (line {getattr(node, 'lineno', '?')})")


def _problem(node, callable_names):
    if type(node) in _FORBIDDEN_NODES:
        return f'{_FORBIDDEN_NODES[type(node)]} is not allowed'
    for kind, name in _identifiers(node):
        if name and name.startswith('_'):
            return f"{kind} '{name}' is not allowed"
    if isinstance(node, ast.Attribute) and (
            node.attr in _FORBIDDEN_ATTRS or _FRAME_ATTR.match(node.attr)):
        return f"attribute '{node.attr}' is not allowed"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id not in callable_names:
        return f"function '{node.func.id}' is not available"
    # The tracer fires once (CPython drops a trace function that raises): the script must
    # not be able to catch the timeout and go on running.
    if isinstance(node, (ast.Try, ast.TryStar)) and node.finalbody:
        return "'finally' is not allowed"
    if isinstance(node, ast.ExceptHandler):
        types = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
        if not all(isinstance(t, ast.Name) for t in types):
            return "'except' must name exception classes (bare 'except:' is not allowed)"
    return None


def _identifiers(node):
    """Identifiers a node carries as plain strings or Names."""
    if isinstance(node, ast.Name):
        yield 'name', node.id
    elif isinstance(node, ast.Attribute):
        yield 'attribute', node.attr
    elif isinstance(node, ast.keyword):
        yield 'keyword', node.arg
    elif isinstance(node, ast.arg):
        yield 'argument', node.arg
    elif isinstance(node, (ast.FunctionDef, ast.ExceptHandler)):
        yield 'name', node.name


def validate_source(source, mode, allowed_functions) -> str | None:
    """The problem with `source` as a message, or None (for deployment reports)."""
    try:
        check_source(source, mode, set(allowed_functions))
    except UnsafeScript as exc:
        return str(exc)
    return None


def _self_loops(code):
    """Code objects holding a jump to itself (`while True: pass`): such a loop emits no
    line events, so the tracer needs opcode events there (too slow to use everywhere)."""
    found = set()
    for instr in dis.get_instructions(code):
        if instr.opname.startswith('JUMP_BACKWARD') and instr.argval == instr.offset:
            found.add(code)
    for const in code.co_consts:
        if hasattr(const, 'co_code'):
            found |= _self_loops(const)
    return found


class RestrictedEnvironment(TaskDataEnvironment):
    """TaskDataEnvironment that checks sources first and bounds their running time."""

    def __init__(self, functions: dict, time_limit: float = 1.0):
        super().__init__(dict(functions))
        self.time_limit = time_limit
        self._compiled = {}

    def evaluate(self, expression, context, external_context=None):
        code, loops = self._compile(expression, 'eval', external_context)
        namespace = dict(self.globals)
        self._prepare_context(context)
        namespace.update(external_context or {})
        namespace.update(context)
        namespace['__builtins__'] = dict(SAFE_BUILTINS)  # last: task data cannot replace it
        return self._run(eval, code, loops, namespace)

    def execute(self, script, context, external_context=None):
        code, loops = self._compile(script, 'exec', external_context)  # before any change
        self.check_for_overwrite(context, external_context or {})
        self._prepare_context(context)
        context.update(self.globals)
        context.update(external_context or {})
        context['__builtins__'] = dict(SAFE_BUILTINS)
        try:
            self._run(exec, code, loops, context)
        finally:
            # drops __builtins__, functions and external names again
            self._remove_globals_and_functions_from_context(context, external_context)
        return True

    def _compile(self, source, mode, external_context):
        extra = frozenset(k for k, v in (external_context or {}).items() if callable(v))
        key = (source, mode, extra)
        entry = self._compiled.get(key)
        if entry is None:
            check_source(source, mode, set(self.globals) | extra)
            # '<string>' lets PythonScriptEngine find the failing line for its error report
            code = compile(source, '<string>', mode)
            entry = (code, _self_loops(code))
            if len(self._compiled) >= _CACHE_SIZE:  # DMN may inline values into sources
                self._compiled.clear()
            self._compiled[key] = entry
        return entry

    def _run(self, run, code, loops, namespace):
        deadline = time.monotonic() + self.time_limit

        def tracer(frame, event, arg):
            if time.monotonic() > deadline:
                raise _Deadline
            if frame.f_code in loops:
                frame.f_trace_opcodes = True
            return tracer

        previous = sys.gettrace()
        sys.settrace(tracer)  # this thread only
        try:
            return run(code, namespace)
        except _Deadline:
            raise ScriptTimeout(f'script ran longer than {self.time_limit} s') from None
        finally:
            sys.settrace(previous)
