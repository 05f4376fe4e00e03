"""Moving running cases to another version of their procedure: allowed when the steps the
case stands on and has done are still there and still do the same, refused (409, naming
the elements) otherwise, with nothing changed; timers keep their fire time."""
from datetime import datetime, timedelta, timezone

import pytest

from app.engine import MigrationRefused, ScriptEngine, WorkflowRun, migrate, parse_process_files, use_clock
from procedures import GOOD_HANDLING, Case
from versions import (deploy, insert_task_after, relabel, remove_task, set_form, shipped,
                      shipped_complaint_afterwards, with_bpmn)  # noqa: F401  (fixture)


def _at_the_workshop(api) -> Case:
    case = Case(api)
    case.classify(category="repair_quality", severity="general")
    assert case.open_names() == ["handle_workshop"]
    return case


def test_a_case_moves_to_a_version_that_relabels_its_task_and_adds_a_step_after_it(
        api, shipped_complaint_afterwards):
    case = _at_the_workshop(api)
    before = case.instance()
    task = case.open_task("handle_workshop")
    files = with_bpmn(shipped(), lambda xml: insert_task_after(
        relabel(xml, "handle_workshop", "车间处理（含试车）"), "handle_workshop",
        "inspect_vehicle", "复检车辆", "complaint.handle", "workshop_supervisor"))
    target = deploy(api, files)["version"]
    refused = api.as_("service_manager").post(f"/instances/{case.id}/migrate", json={"to_version": target})
    assert refused.status_code == 403

    response = api.as_("admin").post(f"/instances/{case.id}/migrate", json={"to_version": target})
    assert response.status_code == 200, response.get_json()
    moved = response.get_json()
    assert moved["version"] == target and moved["from_version"] == before["version"]
    assert "handle_workshop" in moved["relabelled"]
    after = case.instance()
    assert after["version"] == target
    assert [t["id"] for t in after["open_tasks"]] == [task["id"]]  # the same task, still in the inbox
    assert after["open_tasks"][0]["due_at"] == task["due_at"]
    assert after["next_timer_at"] == before["next_timer_at"]  # the deadline timer was not restarted
    record = after["history"][-1]
    assert record["task"] == "migrate" and record["completed_by"] == "admin"
    assert record["data"] == {"from_version": before["version"], "to_version": target}

    case.complete("workshop_supervisor", "handle_workshop", GOOD_HANDLING)
    assert case.open_names() == ["inspect_vehicle"]  # the new version's step
    case.complete("workshop_supervisor", "inspect_vehicle", GOOD_HANDLING)
    assert case.open_names() == ["confirm_handling"]


def test_a_move_is_refused_when_the_task_the_case_stands_on_is_removed_and_nothing_changes(
        api, shipped_complaint_afterwards):
    case = _at_the_workshop(api)
    before = case.instance()
    target = deploy(api, with_bpmn(shipped(), lambda xml: remove_task(xml, "handle_workshop")))["version"]
    response = api.as_("admin").post(f"/instances/{case.id}/migrate", json={"to_version": target})
    assert response.status_code == 409, response.get_json()
    error = response.get_json()["error"]
    assert "handle_workshop" in error["fields"] and "stands there" in error["fields"]["handle_workshop"][0]
    assert "handle_workshop" in error["message"]
    assert case.instance() == before  # same version, task, timer and history
    case.complete("workshop_supervisor", "handle_workshop", GOOD_HANDLING)  # and it goes on as before
    assert case.open_names() == ["confirm_handling"]


def test_a_move_is_refused_when_a_step_the_case_has_done_now_does_something_else(api, shipped_complaint_afterwards):
    case = _at_the_workshop(api)
    before = case.instance()
    target = deploy(api, with_bpmn(shipped(), lambda xml: set_form(xml, "classify_complaint", "complaint.follow_up")))
    response = api.as_("admin").post(f"/instances/{case.id}/migrate", json={"to_version": target["version"]})
    assert response.status_code == 409
    reasons = response.get_json()["error"]["fields"]
    assert list(reasons) == ["classify_complaint"] and "has done it" in reasons["classify_complaint"][0]
    assert case.instance() == before


def test_a_move_needs_an_admin_a_deployed_version_and_a_running_case(api):
    case = _at_the_workshop(api)
    admin = api.as_("admin")
    current = case.instance()["version"]
    for bad in ("2", 0, None, True):
        assert admin.post(f"/instances/{case.id}/migrate", json={"to_version": bad}).status_code == 422
    assert admin.post(f"/instances/{case.id}/migrate", json={"to_version": 10_000}).status_code == 422
    assert admin.post(f"/instances/{case.id}/migrate", json={"to_version": current}).status_code == 409
    assert admin.post("/instances/999999/migrate", json={"to_version": 1}).status_code == 404
    assert api.as_("customer_dept").post(f"/instances/{case.id}/migrate", json={"to_version": 1}).status_code == 403
    assert admin.post(f"/instances/{case.id}/cancel", json={"reason": "重复登记"}).status_code == 200
    assert admin.post(f"/instances/{case.id}/migrate", json={"to_version": 1}).status_code == 409
    assert [h["task"] for h in case.instance()["history"]].count("migrate") == 0


# ---------------------------------------------------------------- the engine alone

PROBE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="probe" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait_an_hour" name="{label}">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition id="t"><bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:subProcess id="work" name="Work">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:startEvent id="work_start"><bpmn:outgoing>s1</bpmn:outgoing></bpmn:startEvent>
      {inner}
      <bpmn:endEvent id="work_end"><bpmn:incoming>s2</bpmn:incoming></bpmn:endEvent>
    </bpmn:subProcess>
    {after}
  </bpmn:process>
</bpmn:definitions>"""
INNER = """<bpmn:manualTask id="inner" name="{label}">
        <bpmn:incoming>s1</bpmn:incoming><bpmn:outgoing>s2</bpmn:outgoing></bpmn:manualTask>
      <bpmn:sequenceFlow id="s1" sourceRef="work_start" targetRef="inner" />
      <bpmn:sequenceFlow id="s2" sourceRef="inner" targetRef="work_end" />"""
NO_INNER = '<bpmn:sequenceFlow id="s1" sourceRef="work_start" targetRef="work_end" />'
PLAIN_END = """<bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait_an_hour" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait_an_hour" targetRef="work" />
    <bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="end" />"""
EXTRA_STEP = """<bpmn:manualTask id="extra">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:manualTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait_an_hour" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait_an_hour" targetRef="work" />
    <bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="extra" />
    <bpmn:sequenceFlow id="f4" sourceRef="extra" targetRef="end" />"""


def _spec(label="Wait", inner_label="Inner", inner=True, extra=False) -> str:
    xml = PROBE.format(label=label, inner=INNER.format(label=inner_label) if inner else NO_INNER,
                       after=EXTRA_STEP if extra else PLAIN_END)
    return parse_process_files({"probe.bpmn": xml}).spec_json()


def _manual_ready(run) -> list[str]:
    return [t.element_id for t in run.ready_user_tasks()]


@pytest.fixture
def engine_clock():
    moment = {"now": datetime(2030, 3, 4, 9, 0, tzinfo=timezone.utc)}
    use_clock(lambda: moment["now"])
    yield moment
    from app import clock
    use_clock(clock.now)


def test_a_waiting_timer_keeps_its_fire_time_when_the_case_moves(engine_clock):
    run = WorkflowRun.start(_spec(), {}, ScriptEngine({}, None))
    fires = run.next_timer_at
    assert fires == engine_clock["now"] + timedelta(hours=1)
    engine_clock["now"] += timedelta(minutes=40)  # the library's reset would count the hour from here
    moved = migrate(run, _spec(label="Wait one hour", extra=True))
    assert moved.run.next_timer_at == fires
    assert list(moved.kept_timers) == ["wait_an_hour"]
    engine_clock["now"] += timedelta(minutes=30)
    moved.run.fire_due_timers()
    assert _manual_ready(moved.run) == ["inner"]


def test_a_case_inside_a_subprocess_moves_and_goes_on_through_the_new_step(engine_clock):
    run = WorkflowRun.start(_spec(), {}, ScriptEngine({}, None))
    engine_clock["now"] += timedelta(hours=2)
    run.fire_due_timers()
    assert _manual_ready(run) == ["inner"]
    with pytest.raises(MigrationRefused) as refused:
        migrate(run, _spec(inner=False))
    assert "inner" in refused.value.reasons

    run = WorkflowRun.start(_spec(), {}, ScriptEngine({}, None))
    engine_clock["now"] += timedelta(hours=2)
    run.fire_due_timers()
    moved = migrate(run, _spec(inner_label="Inner, renamed", extra=True)).run
    assert _manual_ready(moved) == ["inner"]
    moved.complete(moved.ready_user_tasks()[0].id, {})
    assert _manual_ready(moved) == ["extra"]
    moved.complete(moved.ready_user_tasks()[0].id, {})
    assert moved.status == "completed"
