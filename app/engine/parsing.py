"""Reading uploaded or shipped BPMN/DMN files into a runnable spec, and saying element by
element what keeps a diagram from being one of our procedures."""
import ast
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePath

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from ..i18n import N_
from .facts import lane_roles, problems_of
from .runtime import ROLE_EXPRESSION
from .sandbox import validate_source
from .serialization import dump_spec

log = logging.getLogger(__name__)
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DMN_PREFIX = "https://www.omg.org/spec/DMN/"
FORM_SUFFIX = ".form"
# A procedure's other files: its saved test cases (services/dryrun.py) and its forms.
KEPT_AS_TEXT = (".test.json", FORM_SUFFIX)
# Entities, DTDs and network access are off: an uploaded file must never read ours.
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False)


@dataclass(frozen=True)
class Problem:
    file: str | None
    element_id: str | None
    message: str

    def to_dict(self) -> dict:
        """As a draft keeps it: the English text, and a catalogue text's msgid and values so that a
        page can show it in its reader's language later."""
        found = {"file": self.file, "element_id": self.element_id, "message": str(self.message)}
        params = getattr(self.message, "params", None)
        if hasattr(self.message, "msgid") and all(isinstance(v, (str, int, float)) for v in (params or {}).values()):
            found.update(msgid=self.message.msgid, params={k: str(v) if isinstance(v, str) else v
                                                             for k, v in (params or {}).items()})
        return found


class InvalidProcess(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass
class ParsedProcess:
    key: str
    name: str
    spec: object
    subprocess_specs: dict
    files: dict[str, str]
    file_of: dict = field(default_factory=dict)  # element id -> file name

    def spec_json(self) -> str:
        return dump_spec(self.spec, self.subprocess_specs)

    def all_task_specs(self):
        for spec in [self.spec, *self.subprocess_specs.values()]:
            yield from spec.task_specs.values()

    def start_event(self) -> tuple[str | None, str | None]:
        """(lane, start form) of the procedure's plain start event."""
        for ts in self.spec.task_specs.values():
            if type(ts).__name__ == "StartEvent" and getattr(ts, "event_definition", None).__class__.__name__ == "NoneEventDefinition":
                return ts.lane, getattr(ts, "extensions", {}).get("properties", {}).get("form")
        return None, None

    def problems(self, forms: set, handlers: set, roles: set, functions: set) -> list[Problem]:
        """What must hold before these files run as one of our procedures; `forms` are the keys
        of the forms among its files (a task's or start event's form must be one of them)."""
        found = []
        for ts in self.all_task_specs():
            element = getattr(ts, "bpmn_id", None)
            if element is None:
                continue
            add = lambda msg, el=element: found.append(Problem(self.file_of.get(el), el, msg))  # noqa: E731
            kind = type(ts).__name__
            properties = getattr(ts, "extensions", {}).get("properties", {})
            if kind in ("UserTask", "ManualTask", "StartEvent"):
                for message in problems_of(properties):
                    add(message)
            if kind in ("UserTask", "ManualTask"):
                if ts.lane is None:
                    add(N_("user task is in no lane: put it in the lane of the role that does it"))
                elif ts.lane not in roles:
                    add(N_("lane '%(lane)s' is not a role (known roles: %(roles)s)", lane=ts.lane, roles=', '.join(sorted(roles))))
                if not properties.get("form"):
                    add(N_("user task has no known form (property 'form' = %(form)s)", form=repr(properties.get('form'))))
                expression = properties.get(ROLE_EXPRESSION)
                if expression is not None:
                    problem = validate_source(expression, "eval", functions)
                    if problem:
                        add(f"{ROLE_EXPRESSION}: {problem}: {expression.strip()[:80]!r}")
                    else:
                        found.extend(Problem(self.file_of.get(element), element, message)
                                     for message in _role_problems(expression, roles))
            if kind == "ServiceTask" and ts.operation_name not in handlers:
                add(N_("service task has no handler: '%(handler)s' is not registered", handler=ts.operation_name))
            if kind in ("UserTask", "ManualTask", "StartEvent") and properties.get("form") \
                    and properties["form"] not in forms:
                add(N_("the form '%(form)s' is not among the procedure's files: add %(file)s",
                       form=properties["form"], file=properties["form"] + FORM_SUFFIX))
            for source, mode in _code_of(ts):
                problem = validate_source(source, mode, functions)
                if problem:
                    add(f"{problem}: {source.strip()[:80]!r}")
        return found


def _role_problems(expression: str, roles: set) -> list:
    """The roles a role expression can give are its literal results (`"a" if x else "b"`,
    `x and "a" or "b"`): it must name them, and each must be a known role."""
    def results(node):
        if isinstance(node, ast.IfExp):
            return results(node.body) + results(node.orelse)
        if isinstance(node, ast.BoolOp):
            return [found for value in node.values for found in results(value)]
        return [node]
    nodes = results(ast.parse(expression.strip(), mode="eval").body)
    named = [node.value for node in nodes if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    if not named:
        return [N_("property role_expression must give roles by name, such as "
                   "\"dealer_agent\" if route == \"dealer\" else \"branch_engineer\"")]
    return [N_("property role_expression gives %(role)s, which is not a role (known roles: %(roles)s)",
               role=role, roles=", ".join(sorted(roles))) for role in sorted(set(named) - set(roles))]


def _code_of(ts):
    """Every script and expression an element carries, with its compile mode."""
    for attr in ("script", "prescript", "postscript"):
        if getattr(ts, attr, None):
            yield getattr(ts, attr), "exec"
    for condition, _ in getattr(ts, "cond_task_specs", []) or []:
        expression = getattr(condition, "args", [condition])[0] if condition is not None else None
        if isinstance(expression, str):
            yield expression, "eval"
    expression = getattr(getattr(ts, "event_definition", None), "expression", None)
    if expression:
        yield expression, "eval"
    for param in (getattr(ts, "operation_params", None) or {}).values():
        yield str(param.get("value")), "eval"
    engine = getattr(ts, "dmnEngine", None)
    if engine is not None:
        table = engine.decision_table
        for item in table.inputs:
            if item.expression:
                yield item.expression, "eval"
        for rule in table.rules:
            for entry in rule.outputEntries:
                if entry.text:
                    yield entry.text, "eval"


@lru_cache(maxsize=1)
def _validator() -> BpmnValidator:
    return BpmnValidator()  # ~10 ms to build: once per process


def _read_xml(name: str, content) -> etree._Element:
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        return etree.fromstring(data, _SAFE_XML)
    except (etree.XMLSyntaxError, ValueError) as err:
        raise InvalidProcess([Problem(name, None, f"not well-formed XML: {err}")]) from None


def parse_process_files(files: dict[str, str | bytes]) -> ParsedProcess:
    """Parse one procedure's files; raise InvalidProcess naming file and element."""
    parser = SpiffBpmnParser(validator=_validator())
    texts, problems, roles, by_name = {}, [], {}, {}
    for name, content in files.items():
        if name.endswith(KEPT_AS_TEXT):  # kept with the procedure, read elsewhere: not XML
            texts[name] = content.decode("utf-8") if isinstance(content, bytes) else content
            continue
        try:
            root = _read_xml(name, content)
        except InvalidProcess as err:
            problems.extend(err.problems)
            continue
        namespace = etree.QName(root).namespace or ""
        try:
            if namespace == BPMN_NS:
                parser.add_bpmn_xml(root, filename=name)
                roles.update(lane_roles(root, by_name))
            elif namespace.startswith(DMN_PREFIX) or "dmn" in namespace.lower():
                parser.add_dmn_xml(root, filename=name)
            else:
                problems.append(Problem(name, None, "neither a BPMN 2.0 nor a DMN document"))
                continue
        except ValidationException as err:
            problems.append(Problem(err.file_name or name, err.id or None, _message(err)))
            continue
        except Exception as err:  # a foreign file may trip the parser anywhere
            # The parser's own error text would name its internals: log it, say what it means.
            log.info("parser failed on %s: %r", name, err)
            problems.append(Problem(name, None, "cannot be read: it uses a construct this engine does not "
                                                "support (simplify the element or export it again)"))
            continue
        texts[name] = content.decode("utf-8") if isinstance(content, bytes) else content
    if problems:
        raise InvalidProcess(problems)
    key = _main_process(parser, texts)
    try:
        spec = parser.get_spec(key)
        subprocess_specs = parser.get_subprocess_specs(key)
    except ValidationException as err:
        raise InvalidProcess([Problem(err.file_name, err.id or None, _message(err))]) from None
    except Exception as err:
        log.info("building %s failed: %r", key, err)
        raise InvalidProcess([Problem(None, key, "cannot be built: it uses a construct this engine does not "
                                                 "support")]) from None
    file_of = {}
    for process_spec in [spec, *subprocess_specs.values()]:
        name = PurePath(process_spec.file).name if getattr(process_spec, "file", None) else None
        for ts in process_spec.task_specs.values():
            if getattr(ts, "bpmn_id", None):
                file_of[ts.bpmn_id] = name
                # A lane named for people to read says its role in a property: the inbox groups by role.
                # (a task inside a subprocess has its lane by the lane's name); a task that names its
                # own `role` (an escalation inside a department's clock subprocess) goes to that role.
                own = getattr(ts, "extensions", {}).get("properties", {}).get("role")
                ts.lane = own or roles.get(ts.bpmn_id) or by_name.get(ts.lane, ts.lane)
    return ParsedProcess(key, spec.description or key, spec, subprocess_specs, texts, file_of)


_UNSUPPORTED = "cannot be read: it uses a construct this engine does not support"


def _message(err: ValidationException) -> str:
    text = str(err).split("\n")[0]
    if re.match(r"^\w+(Error|Exception)\(", text):  # a wrapped crash of the parser, not a finding
        log.info("parser failed: %s", text)
        return _UNSUPPORTED
    return text


def _main_process(parser: SpiffBpmnParser, texts: dict) -> str:
    executable = [pid for pid in parser.get_process_ids()
                  if parser.get_process_parser(pid).node.get("isExecutable", "false") == "true"]
    if not executable:
        raise InvalidProcess([Problem(next(iter(texts), None), None,
                                      "no executable process: set isExecutable=\"true\" on the procedure's process")])
    stems = {PurePath(name).name.split(".")[0] for name in texts if not name.endswith(FORM_SUFFIX)}
    named = [pid for pid in executable if pid in stems]
    if named:
        return named[0]
    if len(executable) > 1:
        raise InvalidProcess([Problem(None, None, "several executable processes and none named like its file: "
                                                  + ", ".join(executable))])
    return executable[0]
