"""Diagram scripts run restricted inside the real service: an endless loop is stopped,
the request is refused with the element named, and nothing is saved."""
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


def test_an_endless_loop_in_a_script_is_stopped_and_nothing_is_saved(app, api):
    _deploy(app, "loop_probe", "n = 0\nwhile True:\n    n = n + 1")
    with app.app_context():
        before = db.session.query(ProcessInstance).count()
    response = api.as_("customer_dept").post("/processes/loop_probe/instances", json={"data": {}})
    assert response.status_code == 500
    error = response.get_json()["error"]
    assert error["code"] == "engine_error" and "'script'" in error["message"] and "longer than" in error["message"]
    assert "Traceback" not in error["message"]
    with app.app_context():
        assert db.session.query(ProcessInstance).count() == before


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
