"""What a diagram says about its elements beyond what the engine runs: the properties a process
owner sets in the modeler — a user task's form, its due rule and the earlier answers its page shows
first; the start event's case fields; a lane's role — read from a procedure's BPMN files."""
import re
from dataclasses import dataclass

from lxml import etree

from ..i18n import N_

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
MAX_DUE_DAYS = 365


@dataclass(frozen=True)
class TaskFacts:
    form: str | None = None
    due_days: int | None = None  # due this many working days after the task opens (domain.md's clocks)...
    due_from: str | None = None  # ...or at the time the case's data holds under this dotted path
    shows: tuple[str, ...] = ()  # forms whose latest answers the task's page shows first
    # the task opens held by the person whose username the case holds under this dotted path
    # (the responsible person the service manager named): the role's others see it, a manager reassigns
    assignee_from: str | None = None
    # the task's page shows the monthly report of the month the case holds under this dotted path
    report_from: str | None = None


NO_FACTS = TaskFacts()


@dataclass(frozen=True)
class DiagramFacts:
    tasks: dict[str, TaskFacts]
    case_fields: tuple[str, ...] = ()  # the case's fields every task page of the procedure shows

    def task(self, element_id: str) -> TaskFacts:
        return self.tasks.get(element_id, NO_FACTS)

    def due_by(self, path: str) -> frozenset[str]:
        """The tasks whose deadline is the time the case holds under `path` (their due_from):
        the work a missed deadline is recorded against."""
        return frozenset(element for element, task in self.tasks.items() if task.due_from == path)


def properties(element) -> dict[str, str]:
    """An element's `spiffworkflow:property` name -> value pairs."""
    found = {}
    for prop in element.iterfind(f"{BPMN}extensionElements/{SPIFF}properties/{SPIFF}property"):
        if prop.get("name"):
            found[prop.get("name")] = prop.get("value") or ""
    return found


def _words(value: str | None) -> tuple[str, ...]:
    return tuple((value or "").replace(",", " ").split())


def _task_facts(props: dict) -> TaskFacts:
    days = props.get("due_days", "").strip()
    return TaskFacts(form=props.get("form") or None, due_days=int(days) if days.isdigit() else None,
                     due_from=props.get("due_from") or None, shows=_words(props.get("shows")),
                     assignee_from=props.get("assignee_from") or None,
                     report_from=props.get("report_from") or None)


def _roots(files: dict[str, str]):
    for name, text in files.items():
        if not name.endswith(".bpmn"):
            continue
        try:
            yield name, etree.fromstring(text.encode("utf-8") if isinstance(text, str) else text, _SAFE_XML)
        except (etree.XMLSyntaxError, ValueError):
            continue  # the parser names unreadable files


def read_facts(files: dict[str, str]) -> DiagramFacts:
    tasks, case_fields = {}, ()
    for _, root in _roots(files):
        for element in root.iter(f"{BPMN}userTask", f"{BPMN}manualTask", f"{BPMN}startEvent"):
            props = properties(element)
            if not props:
                continue
            tasks[element.get("id")] = _task_facts(props)
            if "case_fields" in props:
                case_fields = _words(props["case_fields"])
    return DiagramFacts(tasks, case_fields)


def lane_roles(root, by_name: dict[str, str]) -> dict[str, str]:
    """Element id -> role for the elements of every lane that names its role in a `role`
    property (the lane's name is then the label people read, in Chinese); `by_name` gets
    lane name -> role."""
    roles = {}
    for lane in root.iter(f"{BPMN}lane"):
        role = properties(lane).get("role")
        if role:
            by_name[lane.get("name") or role] = role
            for ref in lane.iterfind(f"{BPMN}flowNodeRef"):
                roles[(ref.text or "").strip()] = role
    return roles


def problems_of(props: dict) -> list:
    """What is wrong with an element's fact properties, as catalogue texts."""
    found = []
    days = props.get("due_days")
    if days is not None and not (days.strip().isdigit() and 1 <= int(days) <= MAX_DUE_DAYS):
        found.append(N_("property due_days must be a whole number of working days from 1 to %(max)s, not %(value)s",
                        max=MAX_DUE_DAYS, value=repr(days)))
    if "due_days" in props and "due_from" in props:
        found.append(N_("set either due_days or due_from, not both"))
    if props.get("due_from") is not None and not _PATH.match(props["due_from"]):
        found.append(N_("property due_from must name a field of the case (such as deadlines.handling), not %(value)s",
                        value=repr(props["due_from"])))
    if props.get("assignee_from") is not None and not _PATH.match(props["assignee_from"]):
        found.append(N_("property assignee_from must name a field of the case holding a username (such as "
                        "responsible_person), not %(value)s", value=repr(props["assignee_from"])))
    if props.get("report_from") is not None and not _PATH.match(props["report_from"]):
        found.append(N_("property report_from must name a field of the case holding a month (such as month), "
                        "not %(value)s", value=repr(props["report_from"])))
    for name in ("shows", "case_fields"):
        bad = [word for word in _words(props.get(name)) if not _WORD.match(word)]
        if bad:
            found.append(N_("property %(name)s lists names that are not form or field keys: %(bad)s",
                            name=name, bad=", ".join(bad)))
    return found
