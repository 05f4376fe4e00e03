"""What the syntax tree alone says about a diagram expression's cost.

`is_cheap`: an expression built only from names, constants, comparisons, boolean and
unary operators, + - / //, subscripts, attributes, displays, `x if c else y`, f-strings
without format specs, and calls to a few built-ins, the diagram functions and a few
methods, costs at most about the size of the data it reads: it may run in the app's
process, without a time bound. Everything else runs in a worker process (script_pool).

`obvious_bomb`: constant subtrees folded with their sizes estimated before anything is
computed, so that `10**10**8`, `'x' * 10**10`, `1 << 10**10`, `range(10**12)` or a format
width of 10**9 are refused at upload instead of blocking a worker at run time."""
import ast
import math
import re

# Built-ins whose cost is bounded by the size of their arguments (not `round`:
# round(5, -10**9) builds 10**10**9; not `sum`: sum(lists, []) is quadratic).
CHEAP_BUILTINS = frozenset({
    'abs', 'all', 'any', 'bool', 'dict', 'float', 'int', 'isinstance', 'len', 'list', 'max',
    'min', 'set', 'sorted', 'str', 'tuple'})
CHEAP_METHODS = frozenset({
    'get', 'keys', 'values', 'items', 'startswith', 'endswith', 'lower', 'upper', 'strip'})
_CHEAP_NODES = (
    ast.Expression, ast.Name, ast.Load, ast.Constant, ast.Compare, ast.cmpop, ast.BoolOp, ast.boolop,
    ast.UnaryOp, ast.unaryop, ast.Subscript, ast.Slice, ast.Attribute, ast.List, ast.Tuple, ast.Dict,
    ast.Set, ast.Starred, ast.IfExp, ast.JoinedStr, ast.FormattedValue, ast.keyword,
    ast.Add, ast.Sub, ast.Div, ast.FloorDiv)


def is_cheap(tree: ast.AST, functions: set[str]) -> bool:
    """True when the (eval-mode) expression is provably cheap, see the module docstring."""
    if not isinstance(tree, ast.Expression):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp):
            continue  # its operator is checked as a node of its own
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and (func.id in CHEAP_BUILTINS or func.id in functions):
                continue
            if isinstance(func, ast.Attribute) and func.attr in CHEAP_METHODS:
                continue
            return False
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            return False
        if not isinstance(node, _CHEAP_NODES):
            return False
    return True


MAX_BITS = 10**5  # of an integer
MAX_ITEMS = 10**6  # of a string, bytes, list or tuple
MAX_SHIFT = 10**5
MAX_RANGE = 10**7
MAX_WIDTH = 10**5  # of a format field or precision
_UNKNOWN = object()
_SEQUENCES = (str, bytes, list, tuple)
_PERCENT_FIELD = re.compile(r'%(?:\([^)]*\))?[-#0 +]*(\d*)(?:\.(\d+))?')


class _Bomb(Exception):
    pass


def obvious_bomb(tree: ast.AST) -> str | None:
    """What in `tree` would build a huge value out of constants, with its line, or None."""
    folder = _Folder()
    try:
        folder.visit(tree)
    except _Bomb as bomb:
        return f"{bomb} (line {folder.line})"
    return None


def _n(number: int | float) -> str:
    return f"{number:,.0f}"


class _Folder(ast.NodeVisitor):
    """Bottom-up: each node's constant value when it is known and small, else _UNKNOWN."""

    def __init__(self):
        self.known = {}
        self.line = '?'

    def value(self, node):
        return self.known.get(node, _UNKNOWN) if node is not None else _UNKNOWN

    def generic_visit(self, node):
        super().generic_visit(node)
        self.line = getattr(node, 'lineno', self.line)

    def visit_Constant(self, node):
        self.known[node] = node.value

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        operand = self.value(node.operand)
        if type(operand) in (int, float) and isinstance(node.op, (ast.USub, ast.UAdd)):
            self.known[node] = -operand if isinstance(node.op, ast.USub) else operand

    def visit_List(self, node):
        self._display(node, list)

    def visit_Tuple(self, node):
        self._display(node, tuple)

    def _display(self, node, kind):
        self.generic_visit(node)
        items = [self.value(e) for e in node.elts]
        if all(item is not _UNKNOWN for item in items):
            self.known[node] = kind(items)

    def visit_BinOp(self, node):
        self.generic_visit(node)
        left, right = self.value(node.left), self.value(node.right)
        if isinstance(node.op, ast.Mod) and isinstance(left, (str, bytes)):
            _check_percent_format(left if isinstance(left, str) else left.decode('latin-1'))
            return
        if left is _UNKNOWN or right is _UNKNOWN:
            return
        try:
            result = _fold(node.op, left, right)
        except (ArithmeticError, ValueError, TypeError):  # fails at run time as well, quickly
            return
        if result is not _UNKNOWN:
            self.known[node] = result

    def visit_Call(self, node):
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id == 'range' and not node.keywords:
            args = [self.value(a) for a in node.args]
            if args and all(type(a) is int for a in args):
                try:
                    size = len(range(*args))
                except OverflowError:
                    size = math.inf
                except ValueError:
                    return
                if size > MAX_RANGE:
                    raise _Bomb(f"range() would have {_n(size)} items (the limit is {_n(MAX_RANGE)})")

    def visit_FormattedValue(self, node):
        self.generic_visit(node)
        spec = self.value(node.format_spec)
        if isinstance(spec, str):
            _check_width(spec)
        value = self.value(node.value)
        if node.format_spec is None and node.conversion == -1 and isinstance(value, (str, int)) \
                and not isinstance(value, bool):
            self.known[node] = str(value)

    def visit_JoinedStr(self, node):
        self.generic_visit(node)
        parts = [self.value(v) for v in node.values]
        if all(isinstance(p, str) for p in parts):
            self.known[node] = ''.join(parts)


def _fold(op, left, right):
    """left <op> right, refused (_Bomb) when the result would be huge; never computes one."""
    if isinstance(op, ast.Pow) and type(left) is int and type(right) is int:
        if right < 0:
            return _UNKNOWN  # a float
        bits = right * math.log2(abs(left)) if abs(left) > 1 else 0
        if bits > MAX_BITS:
            raise _Bomb(f"'**' would build a number of about {_n(bits)} bits (the limit is {_n(MAX_BITS)})")
    if isinstance(op, ast.LShift) and type(left) is int and type(right) is int and right > MAX_SHIFT:
        raise _Bomb(f"'<<' would shift by {_n(right)} bits (the limit is {_n(MAX_SHIFT)})")
    if isinstance(op, ast.Mult):
        if isinstance(left, int) and isinstance(right, _SEQUENCES):
            left, right = right, left
        if isinstance(left, _SEQUENCES) and isinstance(right, int) and len(left) * right > MAX_ITEMS:
            raise _Bomb(f"'*' would build a sequence of {_n(len(left) * right)} items "
                        f"(the limit is {_n(MAX_ITEMS)})")
        if type(left) is int and type(right) is int and left.bit_length() + right.bit_length() > MAX_BITS:
            raise _Bomb(f"'*' would build a number of about {_n(left.bit_length() + right.bit_length())} bits "
                        f"(the limit is {_n(MAX_BITS)})")
    if isinstance(op, ast.Add) and isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES) \
            and len(left) + len(right) > MAX_ITEMS:
        raise _Bomb(f"'+' would build a sequence of {_n(len(left) + len(right))} items "
                    f"(the limit is {_n(MAX_ITEMS)})")
    operate = _OPERATIONS.get(type(op))
    return operate(left, right) if operate else _UNKNOWN


_OPERATIONS = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
    ast.Pow: lambda a, b: a ** b, ast.LShift: lambda a, b: a << b, ast.FloorDiv: lambda a, b: a // b,
    ast.Div: lambda a, b: a / b,
}


def _check_width(spec: str) -> None:
    for digits in re.findall(r'\d+', spec):
        if len(digits) > 6 or int(digits) > MAX_WIDTH:
            raise _Bomb(f"format width {_n(int(digits)) if len(digits) < 30 else digits[:30] + '...'} "
                        f"is more than {_n(MAX_WIDTH)}")


def _check_percent_format(text: str) -> None:
    for match in _PERCENT_FIELD.finditer(text):
        _check_width(' '.join(g for g in match.groups() if g))
