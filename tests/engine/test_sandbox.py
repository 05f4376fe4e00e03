"""The script sandbox: escapes refused before they run, runaway scripts stopped, and real
diagrams (scripts, gateway conditions, DMN tables) still running under it."""
import sys
import threading
import time
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from app.engine.sandbox import (
    SAFE_BUILTINS, RestrictedEnvironment, ScriptTimeout, UnsafeScript, check_source,
    validate_source)

CORPUS = Path("/work/shared/bpmn-corpus")
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def add_days(value, days):
    return value + days


def env(time_limit=1.0):
    return RestrictedEnvironment({"add_days": add_days}, time_limit=time_limit)


def refused(source, mode="eval", allowed=("add_days",)):
    """The refusal message; fails the test when the source is accepted."""
    with pytest.raises(UnsafeScript) as info:
        check_source(source, mode, set(allowed))
    return str(info.value)


# --- escapes refused by the syntax-tree check -------------------------------------------

def test_subclasses_walk_is_refused():
    assert "'__subclasses__'" in refused("().__class__.__base__.__subclasses__()")


def test_dunder_in_comprehension_is_refused():
    assert "'__bases__'" in refused("[c for c in ().__class__.__bases__]")


def test_import_statement_is_refused():
    assert "import is not allowed" in refused("import os", "exec")
    assert "import is not allowed" in refused("x = 1\nfrom os import path", "exec")


def test_dunder_import_is_refused():
    assert "'__import__'" in refused("__import__('os')")


def test_open_is_refused():
    assert "function 'open' is not available" in refused("open('/etc/passwd').read()")


def test_getattr_is_unavailable():
    assert "function 'getattr' is not available" in refused("getattr(x, '_' + 'x')")


def test_format_string_attribute_trick_is_refused():
    assert "'format'" in refused("'{0.__class__}'.format(1)")
    assert "'format_map'" in refused("'{x.__class__}'.format_map({'x': 1})")
    assert "'__class__'" in refused("f'{x.__class__}'")


def test_frame_and_mro_routes_are_refused():
    # No underscore needed: generator frames lead to f_globals, mro() to BaseException.
    assert "is not allowed" in refused("[g.gi_frame.f_back for g in [x]]")
    assert "'mro'" in refused("ValueError.mro()")


def test_constructs_that_could_swallow_the_timeout_are_refused():
    assert "bare 'except:'" in refused("try:\n  x = 1\nexcept:\n  pass", "exec")
    assert "'finally'" in refused("try:\n  x = 1\nfinally:\n  y = 2", "exec")
    assert "class definition" in refused("class A:\n  pass", "exec")


def test_unknown_function_is_refused_and_syntax_errors_carry_the_line():
    assert "function 'send_mail' is not available" in refused("send_mail(to)")
    assert "line 2" in refused("x = 1\ny = (", "exec")
    assert "empty" in refused("  ")


def test_validate_source_reports_instead_of_raising():
    assert validate_source("import os", "exec", set()).startswith("import is not allowed")
    assert validate_source("add_days(x, 3) > 4 and items.get('a')", "eval", {"add_days"}) is None


def test_safe_builtins_hold_nothing_dangerous():
    for name in ("getattr", "setattr", "eval", "exec", "compile", "open", "type", "vars",
                 "globals", "locals", "dir", "__import__", "breakpoint", "input", "object"):
        assert name not in SAFE_BUILTINS


# --- running ------------------------------------------------------------------------------

def test_legitimate_script_writes_back_without_leaking():
    data = {"items": [1, 2, 3], "name": "  bob "}
    env().execute("total = sum(items); label = name.strip().upper()", data)
    assert data == {"items": [1, 2, 3], "name": "  bob ", "total": 6, "label": "BOB"}


def test_allowed_function_and_methods_in_expression():
    assert env().evaluate("add_days(x, 3)", {"x": 4}) == 7
    assert env().evaluate("d.get('a', 0) + len(d.items())", {"d": {"a": 2}}) == 3


def test_dmn_style_external_context_is_usable():
    e = env()
    assert e.evaluate('dmninputexpr == "X"', {}, {"dmninputexpr": "X"}) is True
    assert e.evaluate("dmninputexpr in (1, 2)", {}, {"dmninputexpr": 3}) is False


def test_unknown_function_refused_at_run_time_too():
    data = {"x": 1}
    with pytest.raises(UnsafeScript, match="'print'"):
        env().execute("y = 2\nprint(x)", data)
    assert data == {"x": 1}  # checked before anything ran


def test_builtins_are_restricted_at_run_time():
    # A name the checker lets through (no call) still is not there.
    with pytest.raises(NameError):
        env().evaluate("open", {})


def raised_within(call, bound=2.0):
    """What `call` raised, run in a daemon thread so that a broken time bound fails the
    test instead of hanging the run (the runaway thread is then left spinning)."""
    outcome = []

    def target():
        try:
            call()
        except BaseException as exc:  # noqa: B036 - handed to the test
            outcome.append(exc)
        else:
            outcome.append(None)
    thread = threading.Thread(target=target, daemon=True)
    start = time.monotonic()
    thread.start()
    thread.join(bound)
    assert not thread.is_alive(), f"still running after {bound} s: no time bound"
    assert time.monotonic() - start < bound
    return outcome[0]


def stopped_within(source, limit=0.2):
    exc = raised_within(lambda: env(time_limit=limit).execute(source, {}))
    assert isinstance(exc, ScriptTimeout) and "longer than 0.2 s" in str(exc)


def test_infinite_loop_is_stopped():
    stopped_within("while True: pass")  # a jump to itself: no line events


def test_huge_generator_sum_is_stopped():
    stopped_within("x = sum(i for i in range(10**9))")


def test_timeout_cannot_be_caught_by_the_script():
    stopped_within("while True:\n  try:\n    while True: pass\n  except Exception:\n    pass")


def test_time_bound_works_in_a_thread_and_restores_the_tracer():
    stopped_within("n = 0\nwhile True:\n  n += 1")  # raised_within runs it off the main thread

    def previous(frame, event, arg):
        return None
    saved = sys.gettrace()
    sys.settrace(previous)
    try:
        env().evaluate("1 + 1", {})
        assert sys.gettrace() is previous
    finally:
        sys.settrace(saved)


# --- in a workflow ------------------------------------------------------------------------

DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    id="defs" targetNamespace="http://example.com/bpmn">
  <bpmn:process id="proc" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="compute"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="gw" default="small"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>big</bpmn:outgoing><bpmn:outgoing>small</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:scriptTask id="mark_big"><bpmn:incoming>big</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>route = "big"</bpmn:script></bpmn:scriptTask>
    <bpmn:scriptTask id="mark_small"><bpmn:incoming>small</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:script>route = "small"</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end_big"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_small"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="compute"/>
    <bpmn:sequenceFlow id="f2" sourceRef="compute" targetRef="gw"/>
    <bpmn:sequenceFlow id="big" sourceRef="gw" targetRef="mark_big">
      <bpmn:conditionExpression>add_days(total, 0) &gt; 5</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="small" sourceRef="gw" targetRef="mark_small"/>
    <bpmn:sequenceFlow id="f3" sourceRef="mark_big" targetRef="end_big"/>
    <bpmn:sequenceFlow id="f4" sourceRef="mark_small" targetRef="end_small"/>
  </bpmn:process>
</bpmn:definitions>
"""


def workflow_for(tmp_path, script, data, time_limit=1.0):
    path = tmp_path / "proc.bpmn"
    path.write_text(DIAGRAM.format(script=script))
    parser = SpiffBpmnParser()
    parser.add_bpmn_files([str(path)])
    engine = PythonScriptEngine(environment=RestrictedEnvironment(
        {"add_days": add_days}, time_limit=time_limit))
    wf = BpmnWorkflow(parser.get_spec("proc"), script_engine=engine)
    wf.get_tasks(spec_name="start")[0].data.update(data)
    return wf


@pytest.mark.parametrize("items, route", [([1, 2, 3], "big"), ([1], "small")])
def test_workflow_runs_scripts_and_conditions(tmp_path, items, route):
    wf = workflow_for(tmp_path, "total = sum(items)", {"items": items})
    wf.do_engine_steps()
    assert wf.is_completed()
    assert wf.data["route"] == route and wf.data["total"] == sum(items)
    assert "__builtins__" not in wf.data and "add_days" not in wf.data


def test_workflow_refuses_escape_before_running_it(tmp_path):
    wf = workflow_for(tmp_path, "marker = 1\nleak = ().__class__", {"items": [1]})
    with pytest.raises(WorkflowTaskException) as info:
        wf.do_engine_steps()
    assert isinstance(info.value.__context__, UnsafeScript)
    assert info.value.error_type == "UnsafeScript" and "__class__" in str(info.value)
    task = wf.get_tasks(spec_name="compute")[0]
    assert "marker" not in task.data and not wf.is_completed()


def test_workflow_stops_runaway_script(tmp_path):
    wf = workflow_for(tmp_path, "while True: pass", {"items": [1]}, time_limit=0.2)
    exc = raised_within(wf.do_engine_steps)
    assert isinstance(exc, WorkflowTaskException) and isinstance(exc.__context__, ScriptTimeout)


def test_business_rule_task_runs_restricted():
    parser = SpiffBpmnParser()
    parser.add_bpmn_files([str(CORPUS / "spiff-valid/sw-spiff-business_rule_task.bpmn")])
    parser.add_dmn_files([str(CORPUS / "spiff-valid/sw-spiff-business_rules.dmn")])
    engine = PythonScriptEngine(environment=RestrictedEnvironment({}))
    wf = BpmnWorkflow(parser.get_spec("Process_bd2e724"), script_engine=engine)
    wf.do_engine_steps()  # script sets question = "X"; the table answers "Y"
    assert wf.is_completed()
    assert wf.data["question"] == "X" and wf.data["answer"] == "Y"


# --- the hostile corpus -------------------------------------------------------------------

SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True)


def diagram_sources(path):
    tree = etree.parse(str(path), SAFE_XML)
    scripts = [(s.text or "", "exec") for s in tree.iter(f"{{{BPMN_NS}}}script")]
    conditions = [(c.text or "", "eval") for c in tree.iter(f"{{{BPMN_NS}}}conditionExpression")]
    return scripts + conditions


@pytest.mark.parametrize("name, problem", [
    ("arena-read_env.bpmn", "import is not allowed"),
    ("arena-read_etc_passwd.bpmn", "function 'open' is not available"),
    ("arena-script_task_with_import.bpmn", "import is not allowed"),
])
def test_hostile_scripts_are_refused(name, problem):
    sources = diagram_sources(CORPUS / "hostile" / name)
    assert sources, "no script found: the extraction is broken"
    for source, mode in sources:
        message = validate_source(source, mode, set())
        assert message is not None and problem in message


def test_every_hostile_diagram_is_covered():
    # A new file in hostile/ must get a case above (or in the entity test below).
    covered = {"arena-read_env.bpmn", "arena-read_etc_passwd.bpmn",
               "arena-script_task_with_import.bpmn", "arena-xml_with_entity-invoice.bpmn"}
    assert {p.name for p in (CORPUS / "hostile").glob("*.bpmn")} == covered


def test_external_entity_is_never_resolved(tmp_path):
    text = (CORPUS / "hostile/arena-xml_with_entity-invoice.bpmn").read_text()
    assert "{{FULL_PATH_TO_FILE}}" in text
    path = tmp_path / "entity.bpmn"
    path.write_text(text.replace("{{FULL_PATH_TO_FILE}}", "/etc/passwd"))
    secret = Path("/etc/passwd").read_text().splitlines()[0]
    tree = etree.parse(str(path), SAFE_XML)
    serialized = etree.tostring(tree, encoding="unicode")
    assert secret not in serialized and "root:" not in serialized
    assert tree.getroot().findtext("lastName") == ""
    assert diagram_sources(path) == []  # not a BPMN diagram: no scripts to run
