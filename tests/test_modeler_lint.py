"""Lint while editing (issue 10 item 4): the modeler's bpmnlint rules of ours
(app/web/static/src/modeler/lint.js) run by node on the shipped diagrams and on broken variants of
them (tests/js/lint.mjs: bundled with esbuild, diagrams read by bpmn-moddle, bpmnlint's Linter),
each diagram read both with the spiffworkflow moddle descriptor and without it (generic elements,
as bpmn-js reads them when no descriptor is loaded)."""
import json
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app.handlers import HANDLERS
from app.roles import ROLES, role_label
from app.web.lint_messages import lint_messages
from app.workdays import DIAGRAM_FUNCTIONS

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests/js/lint.mjs"
SHIPPED = sorted((ROOT / "processes").glob("*.bpmn"))

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC",
      "di": "http://www.omg.org/spec/DD/20100524/DI",
      "xsi": "http://www.w3.org/2001/XMLSchema-instance",
      "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)

OPTIONS = {"roles": [{"key": key, "label": role_label(key, "zh-CN")} for key in ROLES],
           "forms": sorted(p.name.removesuffix(".form") for p in (ROOT / "processes" / "forms").glob("*.form")),
           "handlers": sorted(HANDLERS), "functions": sorted(DIAGRAM_FUNCTIONS)}


def lint(files: dict[str, str], typed: bool, options=None) -> dict:
    """{name: {"warnings": [...], "reports": [{rule, id, message, category}]}}, plus "defaults":
    the English texts of lint.js."""
    done = subprocess.run(["/usr/bin/node", str(SCRIPT)], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          input=json.dumps({"options": OPTIONS if options is None else options, "typed": typed,
                                            "files": files}))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def q(tag: str) -> str:
    prefix, name = tag.split(":")
    return f"{{{NS[prefix]}}}{name}"


class Diagram:
    """A shipped diagram to break in one place."""

    def __init__(self, name: str):
        self.tree = ET.parse(ROOT / "processes" / name)
        self.root = self.tree.getroot()

    def el(self, element_id: str):
        return self.root.find(f".//*[@id='{element_id}']")

    def properties(self, element_id: str):
        return self.el(element_id).find("bpmn:extensionElements/spiffworkflow:properties", NS)

    def remove_property(self, element_id: str, name: str) -> None:
        props = self.properties(element_id)
        for prop in props.findall("spiffworkflow:property", NS):
            if prop.get("name") == name:
                props.remove(prop)

    def set_property(self, element_id: str, name: str, value: str) -> None:
        element = self.el(element_id)
        ext = element.find("bpmn:extensionElements", NS)
        if ext is None:
            ext = ET.Element(q("bpmn:extensionElements"))
            element.insert(0, ext)
        props = ext.find("spiffworkflow:properties", NS)
        if props is None:
            props = ET.SubElement(ext, q("spiffworkflow:properties"))
        self.remove_property(element_id, name)
        ET.SubElement(props, q("spiffworkflow:property"), name=name, value=value)

    def remove_flow(self, flow_id: str) -> None:
        for parent in self.root.iter():
            for child in list(parent):
                if child.get("id") == flow_id or child.get("bpmnElement") == flow_id or (
                        child.tag in (q("bpmn:incoming"), q("bpmn:outgoing")) and child.text == flow_id):
                    parent.remove(child)

    def lanes(self):
        return self.root.iter(q("bpmn:lane"))

    def with_labelled_lanes(self) -> "Diagram":
        """Every lane as contract 3 has it: its name the role's Chinese label, its role a property."""
        for lane in self.lanes():
            if not self._role(lane):
                self.set_property(lane.get("id"), "role", lane.get("name"))
            lane.set("name", role_label(self._role(lane), "zh-CN"))
        return self

    @staticmethod
    def _role(lane) -> str:
        for prop in lane.iterfind("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS):
            if prop.get("name") == "role":
                return prop.get("value")
        return ""

    def text(self) -> str:
        return ET.tostring(self.root, encoding="unicode")


def timers_variant(timers: dict[str, str]) -> Diagram:
    """The complaint diagram with the timeDate of each given boundary timer replaced."""
    d = Diagram("complaint.bpmn")
    for event, expression in timers.items():
        d.el(event).find(".//bpmn:timeDate", NS).text = expression
    return d


def broken_variants() -> dict[str, tuple[str, set]]:
    """name -> (diagram, {(rule, element id)} our rules must report, and nothing else of ours)."""
    variants = {}

    def variant(name, diagram, expected):
        variants[name] = (diagram.text(), expected)

    d = Diagram("complaint.bpmn")
    d.remove_property("classify_complaint", "form")
    d.set_property("confirm_handling", "form", "complaint.no_such_form")
    variant("forms", d, {("aftersales/user-task-form", "classify_complaint"),
                         ("aftersales/user-task-form", "confirm_handling")})

    d = Diagram("complaint.bpmn")
    d.el("register_complaint").find(".//spiffworkflow:serviceTaskOperator", NS).set("id", "complaints.no_such")
    operator = d.el("assign_complaint").find(".//spiffworkflow:serviceTaskOperator", NS)
    del operator.attrib["id"]
    variant("handlers", d, {("aftersales/service-task-handler", "register_complaint"),
                            ("aftersales/service-task-handler", "assign_complaint")})

    d = Diagram("complaint.bpmn")
    d.remove_flow("Flow_clock_first_response_within_authority_gateway")
    variant("dead end", d, {("aftersales/no-dead-end", "clock_first_response"),
                            ("aftersales/no-dead-end", "within_authority_gateway")})

    timers = {"clock_workshop_late": "", "clock_business_late": 'add_days(deadlines["handling"], 3',
              "clock_parts_late": "__import__('os').system('true')", "clock_claims_late": "working_days(2) +",
              "clock_plan_late": "add_days(released_at, 'x)"}
    variant("timers", timers_variant(timers), {("aftersales/timer-expression", event) for event in timers})

    d = Diagram("complaint.bpmn")
    del d.el("is_major").attrib["default"]
    variant("gateway", d, {("aftersales/exclusive-gateway-default", "is_major")})

    d = Diagram("complaint.bpmn").with_labelled_lanes()
    d.remove_property("Lane_general_manager", "role")
    d.el("Lane_general_manager").set("name", "")
    d.set_property("Lane_parts_manager", "role", "no_such_role")
    d.el("Lane_claims_supervisor").find("bpmn:extensionElements", NS).clear()
    d.el("Lane_customer_dept").set("name", "客户")
    variant("lanes", d, {("aftersales/lane-role", "Lane_general_manager"),
                         ("aftersales/lane-role", "Lane_parts_manager"),
                         ("aftersales/lane-role", "Lane_claims_supervisor")})

    d = Diagram("complaint.bpmn")
    lane = d.el("Lane_service_manager")
    lane.remove(next(ref for ref in lane if ref.text == "clock_classify"))
    # the task inside the subprocess has no lane now; its escalation names its role itself
    variant("no lane", d, {("aftersales/user-task-lane", "classify_complaint")})
    return variants


def ours(reports: list) -> set:
    return {(r["rule"], r["id"]) for r in reports if r["rule"].startswith("aftersales/")}


@pytest.mark.parametrize("typed", [True, False], ids=["descriptor", "generic"])
def test_the_shipped_diagrams_lint_clean_with_old_and_labelled_lanes(typed):
    files = {path.name: path.read_text() for path in SHIPPED}
    files |= {f"labelled {path.name}": Diagram(path.name).with_labelled_lanes().text() for path in SHIPPED}
    results = lint(files, typed)
    for name in files:
        reports = {(r["rule"], r["id"]) for r in results[name]["reports"]}
        assert (results[name]["warnings"], reports) == ([], set()), name


def test_plausible_timer_expressions_pass_and_the_default_functions_are_the_diagram_functions():
    fine = timers_variant({"clock_workshop_late": 'add_days(deadlines["handling"], 1)',
                           "clock_business_late": '"2026-12-01T09:00:00+08:00"',
                           "clock_parts_late": "add_days(released_at, 3) if released_at else working_days(1)",
                           "clock_claims_late": "'(not a bracket' and working_days(2)",
                           "clock_plan_late": "working_days(len(items) + 1)"})
    results = lint({"fine": fine.text()}, typed=False, options={**OPTIONS, "functions": [*DIAGRAM_FUNCTIONS, "len"]})
    assert results["fine"]["reports"] == []
    assert sorted(results["functions"]) == sorted(DIAGRAM_FUNCTIONS)
    results = lint({"fine": fine.text()}, typed=False, options={})
    assert ours(results["fine"]["reports"]) == {("aftersales/timer-expression", "clock_plan_late")}


@pytest.mark.parametrize("typed", [True, False], ids=["descriptor", "generic"])
def test_each_broken_variant_is_reported_on_its_element_by_its_rule(typed):
    variants = broken_variants()
    results = lint({name: text for name, (text, _) in variants.items()}, typed)
    for name, (_, expected) in variants.items():
        assert results[name]["warnings"] == [], name
        assert ours(results[name]["reports"]) == expected, name
        assert all(r["category"] == "error" for r in results[name]["reports"] if r["rule"].startswith("aftersales/"))


def test_the_reports_name_what_is_wrong_in_english_by_default():
    variants = broken_variants()
    names = ("forms", "timers", "gateway", "lanes")
    results = lint({name: variants[name][0] for name in names}, typed=False)
    messages = {(r["id"], r["message"]) for name in names for r in results[name]["reports"]}
    assert ("confirm_handling", "The form complaint.no_such_form is not one of this procedure's forms.") in messages
    assert ("classify_complaint", "This user task has no form: choose the form it shows.") in messages
    assert ("clock_workshop_late", "This timer has no expression: say when it fires, e.g. working_days(2).") in messages
    assert ("clock_parts_late", "The timer expression __import__('os').system('true') calls __import__, which is not "
            "a diagram function (known: add_days, in_hours, weekly_on, working_days).") in messages
    assert ("is_major", "This gateway splits without a default flow and these flows have no condition: 一般 "
            "(Flow_is_major_dispatch_department). Make one flow the default or give each a condition.") in messages
    assert ("Lane_parts_manager", "The role no_such_role of this lane is not a known role.") in messages
    unclosed = next(r["message"] for r in results["timers"]["reports"] if r["id"] == "clock_business_late")
    assert unclosed.startswith('The timer expression add_days(deadlines["handling"], 3 is incomplete')


def test_without_the_lists_only_presence_is_checked():
    variants = broken_variants()
    results = lint({name: variants[name][0] for name in ("forms", "handlers", "lanes")}, typed=True, options={})
    assert ours(results["forms"]["reports"]) == {("aftersales/user-task-form", "classify_complaint")}
    assert ours(results["handlers"]["reports"]) == {("aftersales/service-task-handler", "assign_complaint")}
    # a lane named in words without a role property passes when no role is known to tell them apart
    assert ours(results["lanes"]["reports"]) == {("aftersales/lane-role", "Lane_general_manager")}


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_page_passes_the_texts_in_its_language(app, lang):
    """lint_messages() (the server's catalogue) has every text of lint.js, in English the very
    defaults of lint.js (bpmnlint's own reports as bpmnlint words them), in Chinese the catalogue's
    words, placeholders filled in by the rules."""
    with app.test_request_context(f"/?lang={lang}"):
        messages = lint_messages()
    variants = broken_variants()
    results = lint({"forms": variants["forms"][0], "gateway": variants["gateway"][0]}, typed=True,
                   options={**OPTIONS, "messages": messages})
    assert set(messages) == set(results["defaults"])
    if lang == "en":
        assert messages == results["defaults"]
    else:
        assert all(messages[key] != results["defaults"][key] for key in messages)
    found = {r["id"]: r["message"] for r in results["forms"]["reports"]}
    assert found["confirm_handling"] == messages["unknownForm"].replace("{form}", "complaint.no_such_form")
    assert found["classify_complaint"] == messages["userTaskNoForm"]
    # bpmnlint's own rules reworded: the flow without a condition at a gateway that forks on conditions
    found = {(r["rule"], r["id"]): r["message"] for r in results["gateway"]["reports"]}
    assert found["conditional-flows", "Flow_is_major_dispatch_department"] == messages["flowWithoutCondition"]
    assert found["aftersales/exclusive-gateway-default", "is_major"] == messages["gatewayNoDefault"].replace(
        "{flows}", "一般 (Flow_is_major_dispatch_department)")
