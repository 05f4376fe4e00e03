"""Checking a procedure's decision tables (DMN) before they run: each entry against its
column's `typeRef`, each input entry compiled the way SpiffWorkflow's DMNEngine evaluates it,
rules of a UNIQUE table that match the same input, inputs for which no rule gives an outcome,
empty output entries and tables without rules.

How SpiffWorkflow 3.2 evaluates an input entry (dmn/engine/DMNEngine.py): `-` or nothing
matches anything; an entry with `?` outside quotes is evaluated with `?` standing for the
input; an entry that parses as an expression is compared, `(input) == (entry)`; otherwise the
entry is appended to the input, `input entry` (so `!= "none"`, `> 5`, `in ("a", "b")`).

Each entry is read into a condition on its column's value (a set of literals, its complement,
a range, anything, or "opaque" when it names data we cannot know). A column's values are then
split into finitely many representatives such that every condition is constant between them,
so overlaps and missing outcomes are decided by trying those: a reported overlap or missing
outcome is real; an opaque entry never causes a report (it may or may not match)."""
import ast
import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lxml import etree

from ..i18n import N_
from .parsing import _SAFE_XML, Problem
from .sandbox import validate_source

INPUT_NAME = "dmninputexpr"  # what DMNEngine puts in place of `?`
TYPES = {"string": "string", "integer": "integer", "long": "integer", "int": "integer", "number": "number",
         "double": "number", "boolean": "boolean", "date": "date"}
# What SpiffWorkflow's DMNEngine does: UNIQUE and FIRST take the first matching rule, ANY too
# (right when they agree), COLLECT lists every match; it knows no priorities and no aggregation.
HIT_POLICIES = ("UNIQUE", "FIRST", "ANY", "COLLECT")
MAX_COMBINATIONS = 20000  # inputs × representatives beyond this: missing outcomes are not looked for
MAX_MISSING = 3
_QUESTION = re.compile(r'(\?)(?=(?:[^\'"]|[\'"][^\'"]*[\'"])*$)')  # DMNEngine's own pattern
_FEEL_RANGE = re.compile(r'^\s*([\[\](])\s*([^.]+?)\s*\.\.\s*([^.]+?)\s*([\[\])])\s*$')


class _Other:
    """A string value that is none of the column's literals."""

    def __repr__(self):
        return "OTHER"


OTHER = _Other()


@dataclass(frozen=True)
class Condition:
    kind: str  # any | in | not_in | range | opaque
    values: frozenset = frozenset()
    low: object = None
    low_open: bool = False
    high: object = None
    high_open: bool = False

    def matches(self, value) -> bool | None:
        """Whether the condition holds for a column value; None when it cannot be known."""
        if self.kind == "any":
            return True
        if self.kind == "opaque":
            return None
        if self.kind == "in":
            return value is not OTHER and value in self.values
        if self.kind == "not_in":
            return value is OTHER or value not in self.values
        if value is OTHER or isinstance(value, (str, bool)):
            return False
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return False
        if self.high is not None and (value > self.high or (self.high_open and value == self.high)):
            return False
        return True

    def bounds(self):
        return [v for v in (self.low, self.high) if v is not None]

    def empty(self) -> bool:
        if self.kind != "range" or self.low is None or self.high is None:
            return False
        return self.low > self.high or (self.low == self.high and (self.low_open or self.high_open))


ANY = Condition("any")
OPAQUE = Condition("opaque")


@dataclass
class Column:
    id: str
    name: str  # shown in messages: its label, else its expression or output name
    type: str | None  # one of TYPES' values, None when the table does not say
    expression: str = ""


@dataclass
class Rule:
    id: str
    row: int
    inputs: list = field(default_factory=list)  # entry texts, one per input column
    outputs: list = field(default_factory=list)
    conditions: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.row} ({self.id})"


def decision_problems(files: dict[str, str], functions: set) -> list[Problem]:
    """The problems of every decision table among a procedure's files (the `.dmn` ones)."""
    found = []
    for name, text in sorted(files.items()):
        if name.lower().endswith(".dmn"):
            found.extend(_file_problems(name, text, set(functions)))
    return found


def _file_problems(name: str, text, functions: set) -> list[Problem]:
    try:
        root = etree.fromstring(text.encode("utf-8") if isinstance(text, str) else text, _SAFE_XML)
    except (etree.XMLSyntaxError, ValueError):
        return []  # parse_process_files reports it
    found = []
    for decision in root.iter("{*}decision"):
        for table in decision.iter("{*}decisionTable"):
            found.extend(_table_problems(name, decision.get("id"), table, functions))
    return found


def _text(element) -> str:
    node = element.find("{*}text")
    return (node.text or "").strip() if node is not None else ""


def _table_problems(file: str, decision_id: str, table, functions: set) -> list[Problem]:
    found = []

    def add(element, message):
        found.append(Problem(file, element, message))

    inputs, outputs = [], []
    for element in table.findall("{*}input"):
        expression = element.find("{*}inputExpression")
        inputs.append(_column(element, expression, _text(expression) if expression is not None else "", add))
    for element in table.findall("{*}output"):
        outputs.append(_column(element, element, element.get("name") or "", add))
    rules = []
    for row, element in enumerate(table.findall("{*}rule"), start=1):
        rules.append(Rule(element.get("id") or str(row), row, [_text(e) for e in element.findall("{*}inputEntry")],
                          [_text(e) for e in element.findall("{*}outputEntry")]))
    if not rules:
        add(decision_id, N_("the decision table has no rules: add at least one rule"))
        return found
    for rule in rules:
        if len(rule.inputs) != len(inputs) or len(rule.outputs) != len(outputs):
            add(rule.id, N_("rule %(rule)s has %(entries)s entries for %(columns)s columns",
                            rule=rule.label, entries=len(rule.inputs) + len(rule.outputs),
                            columns=len(inputs) + len(outputs)))
            rule.conditions = [OPAQUE] * len(inputs)
            continue
        for column, entry in zip(inputs, rule.inputs):
            condition, problem = _condition(column, entry, functions)
            if problem:
                add(rule.id, N_("rule %(rule)s, input %(input)s: %(problem)s",
                                rule=rule.label, input=column.name, problem=problem))
            rule.conditions.append(condition)
        for column, entry in zip(outputs, rule.outputs):
            if not entry:
                add(rule.id, N_("rule %(rule)s gives no value for output %(output)s: write one (\"\" for an empty text)",
                                rule=rule.label, output=column.name))
                continue
            problem = _output_problem(column, entry)
            if problem:
                add(rule.id, N_("rule %(rule)s, output %(output)s: %(problem)s",
                                rule=rule.label, output=column.name, problem=problem))
    representatives = [_representatives(column, [rule.conditions[i] for rule in rules]) for i, column in enumerate(inputs)]
    policy = (table.get("hitPolicy") or "UNIQUE").strip().upper()
    if policy not in HIT_POLICIES or table.get("aggregation"):
        add(decision_id, N_("the hit policy %(policy)s is not one this engine follows: use UNIQUE, FIRST, ANY or "
                            "COLLECT (without aggregation)", policy=" ".join(filter(None, (policy, table.get("aggregation"))))))
    for first, second in itertools.combinations(rules, 2) if policy in ("UNIQUE", "ANY") else ():
        witness = _overlap(first, second, representatives)
        if witness is None or (policy == "ANY" and first.outputs == second.outputs):
            continue
        when = _describe(inputs, witness, representatives,
                         skip=[c1.kind == c2.kind == "any" for c1, c2 in zip(first.conditions, second.conditions)])
        names = {"first": first.label, "second": second.label, "when": when}
        if policy == "ANY":
            add(second.id, N_("rules %(first)s and %(second)s both match when %(when)s but give different outputs "
                              "(the hit policy ANY needs the same): give them the same outputs or make their "
                              "entries exclusive", **names))
        elif when:
            add(second.id, N_("rules %(first)s and %(second)s both match when %(when)s (the hit policy UNIQUE "
                              "allows one): make their entries exclusive", **names))
        else:
            add(second.id, N_("rules %(first)s and %(second)s both match every input (the hit policy UNIQUE "
                              "allows one): make their entries exclusive", **names))
    for missing in _missing(rules, representatives):
        add(decision_id, N_("no rule matches when %(when)s, and no rule catches all other cases: add a rule "
                            "for it", when=_describe(inputs, missing, representatives)))
    return found


def _column(element, typed, expression: str, add) -> Column:
    type_ref = (typed.get("typeRef") or "").strip() if typed is not None else ""
    name = element.get("label") or expression or element.get("id") or "?"
    if type_ref and type_ref.lower() not in TYPES:
        add(element.get("id"), N_("column %(column)s has the unknown type '%(type)s' (known: string, integer, "
                                  "long, number, double, boolean, date)", column=name, type=type_ref))
    return Column(element.get("id"), name, TYPES.get(type_ref.lower()), expression)


# --- one entry ----------------------------------------------------------------------------------


def _condition(column: Column, entry: str, functions: set) -> tuple[Condition, str | None]:
    """(the condition the entry sets on its column, a problem or None), as DMNEngine reads it."""
    if entry in ("", "-"):
        return ANY, None
    feel = _FEEL_RANGE.match(entry) if _parse(entry) is None else None
    if feel:
        low, high = feel.group(2), feel.group(3)
        low_op = "<" if feel.group(1) in "(]" else "<="
        high_op = "<" if feel.group(4) in ")[" else "<="
        python = f"{low} {low_op} ? {high_op} {high}"
        return OPAQUE, N_("%(entry)s is a FEEL range, which this engine does not evaluate: write %(python)s",
                          entry=entry, python=python)
    if _QUESTION.search(entry):
        source = _QUESTION.sub(INPUT_NAME, entry)
        tree = _parse(source)
        if tree is None:
            return OPAQUE, _compile_problem(entry, source, functions)
        problem = validate_source(source, "eval", functions)
        if problem:
            return OPAQUE, N_("%(entry)s cannot be evaluated: %(reason)s", entry=entry, reason=problem)
        return _typed(column, entry, _question_condition(tree.body))
    tree = _parse(entry)
    if tree is not None:
        source = f"({column.expression or 'x'}) == ({entry})"
        body = tree.body
        condition = _equality(body, entry)
    else:
        source = f"{column.expression or 'x'} {entry}"
        tree = _parse(f"{INPUT_NAME} {entry}")
        if tree is None:
            return OPAQUE, _compile_problem(entry, source, functions)
        condition = _question_condition(tree.body)
        body = None
    problem = validate_source(source, "eval", functions)
    if problem:
        return OPAQUE, N_("%(entry)s cannot be evaluated: %(reason)s", entry=entry, reason=problem)
    if isinstance(condition, str):
        return OPAQUE, condition
    if body is not None and isinstance(body, ast.Name) and column.type in ("string", "boolean"):
        if column.type == "boolean" and body.id.lower() in ("true", "false"):
            return OPAQUE, N_("write %(value)s, with a capital letter", value=body.id.capitalize())
        if column.type == "string":
            return OPAQUE, N_("a text entry must be quoted: write \"%(value)s\" (a bare word names a data "
                              "field)", value=body.id)
    return _typed(column, entry, condition)


def _parse(source: str):
    try:
        return ast.parse(source, mode="eval")
    except (SyntaxError, ValueError):
        return None


def _compile_problem(entry: str, source: str, functions: set):
    reason = validate_source(source, "eval", functions) or "syntax error"
    return N_("%(entry)s is not an expression this engine can evaluate (%(reason)s)", entry=entry, reason=reason)


def _literal(node):
    """The constant a node stands for, or raise ValueError."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool)):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and isinstance(node.operand.value, (int, float)) and not isinstance(node.operand.value, bool):
        return -node.operand.value
    raise ValueError


def _literals(node) -> frozenset:
    if not isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        raise ValueError
    return frozenset(_literal(item) for item in node.elts)


def _equality(body, entry: str):
    """The condition of an entry compared with `==`."""
    if isinstance(body, ast.Tuple) and body.elts:
        return N_("a comma-separated list is compared as one tuple and never matches: write in (%(values)s)",
                  values=entry)
    try:
        return Condition("in", frozenset([_literal(body)]))
    except ValueError:
        return OPAQUE


_COMPARE = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_MIRROR = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _question_condition(body):
    """The condition of a comparison of the input (the name INPUT_NAME) with literals."""
    if not isinstance(body, ast.Compare):
        return OPAQUE
    nodes = [body.left, *body.comparators]
    result = ANY
    for left, op, right in zip(nodes, body.ops, nodes[1:]):
        if isinstance(left, ast.Name) and left.id == INPUT_NAME:
            other, mirrored = right, False
        elif isinstance(right, ast.Name) and right.id == INPUT_NAME:
            other, mirrored = left, True
        else:
            return OPAQUE
        try:
            if isinstance(op, (ast.In, ast.NotIn)) and not mirrored:
                part = Condition("in" if isinstance(op, ast.In) else "not_in", _literals(other))
            elif type(op) in _COMPARE:
                symbol = _COMPARE[type(op)]
                part = _comparison(_MIRROR[symbol] if mirrored else symbol, _literal(other))
            else:
                return OPAQUE
        except ValueError:
            return OPAQUE
        result = _both(result, part)
        if result is OPAQUE:
            return OPAQUE
    return result


def _comparison(symbol: str, value) -> Condition:
    if symbol == "==":
        return Condition("in", frozenset([value]))
    if symbol == "!=":
        return Condition("not_in", frozenset([value]))
    if isinstance(value, bool):
        raise ValueError
    if symbol in (">", ">="):
        return Condition("range", low=value, low_open=symbol == ">")
    return Condition("range", high=value, high_open=symbol == "<")


def _both(a: Condition, b: Condition) -> Condition:
    """Two conditions joined by a chained comparison (`1 <= ? < 5`)."""
    if a.kind == "any":
        return b
    if a.kind != "range" or b.kind != "range":
        return OPAQUE
    try:
        low, low_open = a.low, a.low_open
        if b.low is not None and (low is None or b.low > low or (b.low == low and b.low_open)):
            low, low_open = b.low, b.low_open
        high, high_open = a.high, a.high_open
        if b.high is not None and (high is None or b.high < high or (b.high == high and b.high_open)):
            high, high_open = b.high, b.high_open
    except TypeError:  # a text bound beside a number
        return OPAQUE
    return Condition("range", low=low, low_open=low_open, high=high, high_open=high_open)


# --- types --------------------------------------------------------------------------------------


def _type_problem(kind: str | None, value, entry: str):
    """Why a literal does not belong to a column of type `kind`, or None."""
    if kind is None:
        return None
    fits = {"string": isinstance(value, str),
            "integer": isinstance(value, int) and not isinstance(value, bool),
            "number": isinstance(value, (int, float)) and not isinstance(value, bool),
            "boolean": isinstance(value, bool),
            "date": isinstance(value, str) and _date(value) is not None}[kind]
    if fits:
        return None
    if kind == "date":
        return N_("%(entry)s is not a date: write it quoted as \"YYYY-MM-DD\"", entry=entry)
    if kind == "string":
        return N_("%(entry)s is not a text: a text entry must be quoted", entry=entry)
    names = {"integer": N_("a whole number"), "number": N_("a number"), "boolean": N_("True or False")}
    return N_("%(entry)s is not %(expected)s, as the column's type says", entry=entry, expected=names[kind])


def _date(text: str):
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _typed(column: Column, entry: str, condition: Condition) -> tuple[Condition, str | None]:
    """Check a condition's literals against the column's type; dates become datetimes to compare."""
    if condition.kind in ("any", "opaque"):
        return condition, None
    literals = list(condition.values) + condition.bounds()
    for value in literals:
        problem = _type_problem(column.type, value, entry)
        if problem:
            return OPAQUE, problem
    if condition.kind == "range" and (column.type in ("string", "boolean")
                                      or any(isinstance(v, str) for v in literals) and column.type != "date"):
        return OPAQUE, None  # text compared by order: not decided here
    if column.type == "date":
        convert = lambda v: _date(v)  # noqa: E731
        condition = Condition(condition.kind, frozenset(map(convert, condition.values)),
                              convert(condition.low) if condition.low is not None else None, condition.low_open,
                              convert(condition.high) if condition.high is not None else None, condition.high_open)
    if condition.empty():
        return OPAQUE, N_("%(entry)s matches no value: its lower bound is above its upper bound", entry=entry)
    return condition, None


def _output_problem(column: Column, entry: str):
    tree = _parse(entry)
    if tree is None:
        return None  # the parser reports it
    try:
        value = _literal(tree.body)
    except ValueError:
        return None  # an expression: its value is known when it runs
    return _type_problem(column.type, value, entry)


# --- overlaps and missing outcomes ---------------------------------------------------------------


def _representatives(column: Column, conditions: list[Condition]) -> list:
    """Values of the column such that every condition is constant between neighbouring ones."""
    if column.type == "boolean":
        return [True, False]
    points = set()
    for condition in conditions:
        points |= set(condition.values) | set(condition.bounds())
    ordered = any(c.kind == "range" for c in conditions) or column.type in ("integer", "number", "date") and \
        any(c.kind == "not_in" for c in conditions)
    if not ordered:
        values = sorted(points, key=lambda v: (type(v).__name__, str(v)))
        if not values or any(c.kind == "not_in" for c in conditions):
            values.append(OTHER)
        return values
    points = sorted(p for p in points if not isinstance(p, (str, bool)))
    if not points:
        return [OTHER]
    step = timedelta(days=1) if isinstance(points[0], datetime) else 1
    values = [points[0] - step]
    for low, high in zip(points, points[1:]):
        values.append(low)
        if column.type == "integer":
            if low + 1 < high:
                values.append(low + 1)
        else:
            values.append(low + (high - low) / 2)
    values += [points[-1], points[-1] + step]
    return values


def _overlap(first: Rule, second: Rule, representatives: list) -> list | None:
    """Column values for which both rules surely match, or None."""
    witness = []
    for a, b, values in zip(first.conditions, second.conditions, representatives):
        both = [v for v in values if a.matches(v) is True and b.matches(v) is True]
        if not both:
            return None
        witness.append(both[0])
    return witness


def _missing(rules: list[Rule], representatives: list) -> list:
    """Combinations of column values no rule can match, at most MAX_MISSING; a column whose
    value does not matter to a gap is left out of it (None)."""
    if not representatives:
        return []
    count = 1
    for values in representatives:
        count *= len(values)
    if count > MAX_COMBINATIONS:
        return []

    def unmatched(combination) -> bool:
        return all(any(c.matches(v) is False for c, v in zip(rule.conditions, combination) if v is not None)
                   for rule in rules)

    missing = []
    for combination in itertools.product(*representatives):
        if any(all(g is None or g == v for g, v in zip(gap, combination)) for gap in missing):
            continue  # inside a gap already found
        if not unmatched(combination):
            continue
        gap = list(combination)
        for index, values in enumerate(representatives):
            if all(unmatched(gap[:index] + [v] + gap[index + 1:]) for v in values):
                gap[index] = None
        missing.append(gap)
        if len(missing) == MAX_MISSING:
            break
    return missing


def _show(value) -> str:
    if isinstance(value, datetime):
        return json.dumps(value.date().isoformat() if value == datetime(value.year, value.month, value.day)
                          else value.isoformat())
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def _describe(columns: list[Column], values: list, representatives: list, skip=None) -> str:
    """`label = value, ...`; a text none of the column's literals reads `label ∉ {...}`."""
    parts = []
    for index, (column, value) in enumerate(zip(columns, values)):
        if (skip and skip[index]) or value is None:
            continue
        if value is OTHER:
            others = [_show(v) for v in representatives[index] if v is not OTHER]
            parts.append(f"{column.name} ≠ {others[0]}" if len(others) == 1 else
                         f"{column.name} ∉ {{{', '.join(others)}}}" if others else f"{column.name} = -")
        else:
            parts.append(f"{column.name} = {_show(value)}")
    return ", ".join(parts)
