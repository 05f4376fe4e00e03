"""Restricted running of diagram scripts and expressions.

Diagram scripts are code written by process owners, not by us: SpiffWorkflow's default
environment runs them with plain eval/exec and full builtins. Removing builtins alone is
no sandbox (``().__class__.__base__.__subclasses__()`` reaches ``__import__``), so every
source is first checked on its syntax tree (check_source, also at upload and deployment,
which refuses obvious bombs such as ``10**10**8`` too). Then one rule: an expression the
tree proves cheap (bounds.is_cheap: the gateway conditions, timers and DMN cells of our
procedures) runs here, in-process; everything else, every script included, runs in a
worker process with a memory limit that is killed at its time limit (script_pool).
"""
import ast
import builtins
import re

from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment

from .bounds import is_cheap, obvious_bomb
from .script_pool import ScriptTimeout, UnsafeScript, pool_for

__all__ = ["SAFE_BUILTINS", "RestrictedEnvironment", "ScriptTimeout", "UnsafeScript", "check_source",
           "validate_source"]

SAFE_BUILTINS = {name: getattr(builtins, name) for name in (
    'abs', 'all', 'any', 'bool', 'dict', 'divmod', 'enumerate', 'filter', 'float', 'int',
    'isinstance', 'len', 'list', 'map', 'max', 'min', 'range', 'reversed', 'round', 'set',
    'sorted', 'str', 'sum', 'tuple', 'zip',
    # so scripts can raise and catch ordinary errors
    'Exception', 'ValueError', 'KeyError', 'TypeError', 'IndexError', 'ZeroDivisionError',
)}

_FORBIDDEN_NODES = {
    ast.Import: 'import', ast.ImportFrom: 'import', ast.Global: 'global',
    ast.Nonlocal: 'nonlocal', ast.ClassDef: 'class definition',
    ast.AsyncFunctionDef: 'async', ast.Await: 'await', ast.AsyncFor: 'async',
    ast.AsyncWith: 'async', ast.With: "'with'", ast.Match: "'match'",
}
# str.format/format_map resolve '{0.__class__}' at run time; mro() reaches `object`.
_FORBIDDEN_ATTRS = {'format', 'format_map', 'mro'}
# Generator, coroutine, frame, traceback and code attributes lead to f_globals/f_builtins.
_FRAME_ATTR = re.compile(r'(gi|cr|ag|f|tb|co)_')
_CACHE_SIZE = 2048
# (source, mode, callable names) -> the checked code of a cheap expression, or None (runs in a
# worker). The same for every environment: a request's script engine is new, its sources are not.
_COMPILED: dict = {}


def check_source(source: str, mode: str, allowed_functions: set[str]) -> ast.AST:
    """The syntax tree of `source`; UnsafeScript when it uses anything outside the sandbox's
    language or builds a huge value out of constants."""
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
    bomb = obvious_bomb(tree)
    if bomb:
        raise UnsafeScript(bomb)
    return tree


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
    # Refused since the time bound was an in-process tracer that a script could catch; kept
    # so that the language accepted at deployment does not change.
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


class RestrictedEnvironment(TaskDataEnvironment):
    """TaskDataEnvironment that checks sources first, then runs cheap expressions here and
    everything else in a bounded worker process."""

    def __init__(self, functions: dict, time_limit: float = 1.0, memory_limit: int = 256 * 2**20,
                 workers: int = 2):
        super().__init__(dict(functions))
        self.time_limit = time_limit
        self.memory_limit = memory_limit
        self.workers = workers

    @property
    def pool(self):
        return pool_for(self.memory_limit, self.workers)

    def evaluate(self, expression, context, external_context=None):
        functions = self._functions(external_context)
        code = self._compile(expression, 'eval', functions)
        self._prepare_context(context)
        if code is None:
            return self.pool.evaluate(expression, self._variables(context, external_context), functions,
                                      SAFE_BUILTINS, self.time_limit)
        namespace = dict(self.globals)
        namespace.update(external_context or {})
        namespace.update(context)
        namespace['__builtins__'] = dict(SAFE_BUILTINS)  # last: task data cannot replace it
        return eval(code, namespace)

    def execute(self, script, context, external_context=None):
        functions = self._functions(external_context)
        self._compile(script, 'exec', functions)  # before any change
        self.check_for_overwrite(context, external_context or {})
        self._prepare_context(context)
        result = self.pool.execute(script, self._variables(context, external_context), functions,
                                   SAFE_BUILTINS, self.time_limit)
        # drops functions and external names, as TaskDataEnvironment.execute does
        self._remove_globals_and_functions_from_context(result, external_context)
        context.clear()
        context.update(result)
        return True

    def _functions(self, external_context) -> dict:
        """The callables a source may call: ours and those of the external context."""
        extra = {k: v for k, v in (external_context or {}).items() if callable(v)}
        return {**self.globals, **extra}

    @staticmethod
    def _variables(context, external_context) -> dict:
        variables = {k: v for k, v in (external_context or {}).items() if not callable(v)}
        variables.update(context)
        return variables

    def _compile(self, source, mode, functions):
        """The code of a cheap expression, None for a source that runs in a worker; both
        checked (and remembered) first."""
        key = (source, mode, frozenset(functions))
        try:
            return _COMPILED[key]
        except KeyError:
            pass
        tree = check_source(source, mode, set(functions))  # raises before anything is remembered
        # '<string>' lets PythonScriptEngine find the failing line for its error report
        code = compile(tree, '<string>', mode) if is_cheap(tree, set(functions)) else None
        if len(_COMPILED) >= _CACHE_SIZE:  # DMN may inline values into sources
            _COMPILED.clear()
        _COMPILED[key] = code
        return code
