"""Diagram scripts run restricted inside the real service: an endless loop is stopped,
its instance is held in error with the element named, and nothing of the step is saved."""
import pytest

from app.extensions import db
from app.models import ProcessInstance
from app.services import deployments

PROBE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:collaboration id="c"><bpmn:participant id="p" processRef="{key}" /></bpmn:collaboration>
  <bpmn:process id="{key}" name="probe" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="customer_dept">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>script</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="script" scriptFormat="python"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="script" />
    <bpmn:sequenceFlow id="f2" sourceRef="script" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


def _deploy(app, key, script):
    with app.app_context():
        version, _ = deployments.deploy({f"{key}.bpmn": PROBE.format(key=key, script=script)})
        db.session.commit()
        return version


def test_an_endless_loop_in_a_script_is_stopped_and_its_instance_held_in_error(app, api):
    _deploy(app, "loop_probe", "n = 0\nwhile True:\n    n = n + 1")
    response = api.as_("customer_dept").post("/processes/loop_probe/instances", json={"data": {}})
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "error" and body["error"]["element_id"] == "script"
    assert "longer than" in body["error"]["message"] and "Traceback" not in body["error"]["message"]
    with app.app_context():
        assert "n" not in db.session.get(ProcessInstance, body["id"]).data  # the state from before the script


def test_a_harmless_script_runs(app, api):
    _deploy(app, "sum_probe", "total = sum([1, 2, 3])")
    response = api.as_("customer_dept").post("/processes/sum_probe/instances", json={"data": {}})
    assert response.status_code == 201 and response.get_json()["status"] == "completed"
    instance = api.as_("admin").get(f"/instances/{response.get_json()['id']}").get_json()
    assert instance["data"]["total"] == 6


@pytest.mark.parametrize("script", ["x = ().__class__.__base__.__subclasses__()", "import os",
                                    "x = [c for c in ().__class__.__mro__]"])
def test_an_escaping_script_is_refused_at_deployment(app, script):
    with app.app_context():
        parsed, problems = deployments.check({"escape_probe.bpmn": PROBE.format(key="escape_probe", script=script)})
        assert [p.element_id for p in problems] == ["script"]


TIMER_PROBE = PROBE.replace(
    '<bpmn:flowNodeRef>start</bpmn:flowNodeRef>',
    '<bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>wait</bpmn:flowNodeRef>').replace(
    '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="script" />',
    '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />'
    '<bpmn:intermediateCatchEvent id="wait"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f0</bpmn:outgoing>'
    '<bpmn:timerEventDefinition><bpmn:timeDate>working_days(1)</bpmn:timeDate></bpmn:timerEventDefinition>'
    '</bpmn:intermediateCatchEvent><bpmn:sequenceFlow id="f0" sourceRef="wait" targetRef="script" />').replace(
    '<bpmn:incoming>f1</bpmn:incoming>\n      <bpmn:outgoing>f2</bpmn:outgoing>',
    '<bpmn:incoming>f0</bpmn:incoming>\n      <bpmn:outgoing>f2</bpmn:outgoing>')


def test_a_timer_whose_next_step_fails_marks_the_instance_and_keeps_its_state(app, api):
    from datetime import timedelta
    from app import clock
    from app.timer_runner import run_pass
    with app.app_context():
        version, _ = deployments.deploy({"timer_probe.bpmn": TIMER_PROBE.format(
            key="timer_probe", script="while True:\n    pass")})
        db.session.commit()
    started = api.as_("customer_dept").post("/processes/timer_probe/instances", json={"data": {}})
    assert started.status_code == 201 and started.get_json()["status"] == "waiting"
    instance_id = started.get_json()["id"]
    with app.app_context():
        before = db.session.get(ProcessInstance, instance_id)
        state, due = before.state, before.next_timer_at
    clock.set_now(clock.now() + timedelta(days=10))
    try:
        with app.app_context():
            run_pass()
            run_pass()  # an instance in error is not tried again and again
            after = db.session.get(ProcessInstance, instance_id)
            assert (after.status, after.state, after.next_timer_at) == ("error", state, due)
    finally:
        clock.set_now(None)
