"""Instances in error: a failing script, condition or handler holds its instance in error
(nothing of the failed step saved) instead of failing the request; admins list them, move
them to a fixed version and retry, or cancel them; they suspend and resume instances."""
from datetime import datetime, timedelta, timezone

import pytest
from lxml import etree

from procedures import GOOD_HANDLING, INTAKE, Case, fire_timers, in_handling, just_received, moved_clock
from versions import (BPMN, NS, _text, deploy, insert_task_after, shipped,
                      shipped_complaint_afterwards, with_bpmn)  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("shipped_complaint_afterwards")
CLASSIFY = {"category": "repair_quality", "severity": "general", "responsible_person": "workshop_supervisor"}


def insert_script_after(xml: str, after_id: str, new_id: str, script: str) -> str:
    """A script task on the flow leaving `after_id` (in the lane of whoever works there)."""
    root = etree.fromstring(xml.encode())
    lanes = list(root.iter(f"{{{BPMN}}}lane"))
    lane = next((el for el in lanes if after_id in [ref.text for ref in el.findall("bpmn:flowNodeRef", NS)]), lanes[0])
    root = etree.fromstring(insert_task_after(_text(root), after_id, new_id, new_id, "none", lane.get("name")).encode())
    task = root.find(f".//bpmn:userTask[@id='{new_id}']", NS)
    task.tag = f"{{{BPMN}}}scriptTask"
    task.remove(task.find("bpmn:extensionElements", NS))
    etree.SubElement(task, f"{{{BPMN}}}script").text = script
    return _text(root)


def overdue_records(api, case) -> list[dict]:
    listed = api.as_("general_manager").get("/overdue", query_string={"per_page": 500}).get_json()["items"]
    return [r for r in listed if r["business_key"] == case.number]


def version_with_script(after_id: str, script: str) -> int:
    return with_bpmn(shipped(), lambda xml: insert_script_after(xml, after_id, "check_step", script))


def start(api, **intake):
    return api.as_("customer_dept").post("/processes/complaint/instances",
                                         json={"data": {**INTAKE, "received_at": just_received(), **intake}})


def ledger_total(api) -> int:
    return api.as_("customer_dept").get("/complaints").get_json()["total"]


def migrate_and_retry(api, instance_id: int, to_version: int):
    moved = api.as_("admin").post(f"/instances/{instance_id}/migrate", json={"to_version": to_version})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["status"] == "error"
    return api.as_("admin").post(f"/instances/{instance_id}/retry")


def test_a_start_that_fails_creates_the_case_in_error_with_nothing_of_the_step_saved(api, pages):
    before = ledger_total(api)
    deploy(api, version_with_script("register_complaint", "x = 1/0"))
    response = start(api, customer_name="李女士")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "error" and body["error"]["element_id"] == "check_step"
    assert "division by zero" in body["error"]["message"] and "Traceback" not in body["error"]["message"]
    assert body["business_key"] is None
    assert ledger_total(api) == before  # the complaint the register handler wrote went with the step
    listed = api.as_("admin").get("/instances", query_string={"status": "error", "per_page": 500}).get_json()
    mine = next(i for i in listed["items"] if i["id"] == body["id"])
    assert mine["key"] == "complaint" and mine["error"]["element_id"] == "check_step" and mine["error"]["since"]
    page = pages("admin").get("/admin/instances").get_data(as_text=True)
    assert f"/instances/{body['id']}" in page and "check_step" in page

    fixed = deploy(api, version_with_script("register_complaint", "x = 1"))["version"]
    retried = migrate_and_retry(api, body["id"], fixed)
    assert retried.status_code == 200, retried.get_json()
    after = retried.get_json()
    assert after["status"] == "running" and after["error"] is None and after["business_key"]
    assert [t["name"] for t in after["open_tasks"]] == ["classify_complaint"]
    complaint = api.as_("customer_dept").get(f"/complaints/{after['business_key']}").get_json()
    assert complaint["customer_name"] == "李女士"
    history = [h["task"] for h in api.as_("admin").get(f"/instances/{body['id']}").get_json()["history"]]
    assert history == ["start", "migrate", "retry"]


def test_a_completion_that_fails_answers_409_keeps_the_answers_and_a_fixed_version_takes_them(api):
    deploy(api, version_with_script("classify_complaint", "checked = no_such_name"))
    case = Case(api)
    task = case.open_task("classify_complaint")
    manager = api.as_("service_manager")
    response = manager.post(f"/tasks/{task['id']}/complete", json={"data": CLASSIFY})
    assert response.status_code == 409, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "instance_error" and error["element_id"] == "check_step"
    assert "check_step" in error["message"] and "已保留" in error["message"] and "管理员" in error["message"]
    assert task["id"] not in [t["id"] for t in manager.get("/tasks", query_string={"per_page": 500}).get_json()["items"]]
    again = manager.post(f"/tasks/{task['id']}/complete", json={"data": CLASSIFY})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "instance_error"
    held = case.instance()
    assert held["status"] == "error" and held["open_tasks"] == []
    assert held["error"]["action"]["kind"] == "complete" and held["error"]["action"]["task"] == "classify_complaint"
    assert CLASSIFY.items() <= held["error"]["action"]["answers"].items()
    assert [h["task"] for h in held["history"]] == ["start"]  # the failed completion is not in the history
    assert case.complaint()["category"] in (None, "")

    still = api.as_("admin").post(f"/instances/{case.id}/retry")  # nothing fixed yet: fails again
    assert still.status_code == 409 and still.get_json()["error"]["code"] == "instance_error"
    assert "no_such_name" in case.instance()["error"]["message"] and case.instance()["status"] == "error"

    fixed = deploy(api, version_with_script("classify_complaint", "checked = True"))["version"]
    retried = migrate_and_retry(api, case.id, fixed)
    assert retried.status_code == 200, retried.get_json()
    assert retried.get_json()["status"] == "running" and retried.get_json()["error"] is None
    assert case.open_names() == ["handle_workshop"]
    assert case.complaint()["category"] == "repair_quality"
    history = case.instance()["history"]
    classified = next(h for h in history if h["task"] == "classify_complaint")
    assert classified["completed_by"] == "service_manager" and CLASSIFY.items() <= classified["data"].items()
    assert [h["task"] for h in history][-4:] == ["retry", "migrate", "retry", "classify_complaint"]
    assert api.as_("admin").post(f"/instances/{case.id}/retry").status_code == 409  # no longer in error


def test_a_completion_that_fails_on_the_page_says_so_in_the_users_language(api, pages):
    deploy(api, version_with_script("classify_complaint", "x = 1/0"))
    case = Case(api)
    task = case.open_task("classify_complaint")
    page = pages("service_manager")
    response = page.post(f"/tasks/{task['id']}", {**CLASSIFY, "deadline_days": "3"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "流程在元素 check_step 处出错" in page.get("/").get_data(as_text=True)
    assert case.instance()["status"] == "error"
    admin = pages("admin")
    listed = admin.get("/admin/instances?lang=en").get_data(as_text=True)
    assert "Instances in error" in listed and f"/instances/{case.id}" in listed and "division by zero" in listed
    cancelled = admin.post(f"/admin/instances/{case.id}/cancel", {"reason": "重复登记"}, from_page="/admin/instances")
    assert cancelled.status_code == 302
    assert case.instance()["status"] == "cancelled"


def test_an_admin_cancels_an_instance_in_error_and_it_is_not_retried(api):
    deploy(api, version_with_script("register_complaint", "x = 1/0"))
    body = start(api).get_json()
    assert body["status"] == "error"
    response = api.as_("admin").post(f"/instances/{body['id']}/cancel", json={"reason": "测试数据"})
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert api.as_("admin").post(f"/instances/{body['id']}/retry").status_code == 409
    errors = api.as_("admin").get("/instances", query_string={"status": "error", "per_page": 500}).get_json()
    assert body["id"] not in [i["id"] for i in errors["items"]]
    cancelled = api.as_("admin").get("/instances", query_string={"status": "cancelled", "per_page": 500}).get_json()
    assert body["id"] in [i["id"] for i in cancelled["items"]]


def test_a_suspended_instance_leaves_the_inbox_and_its_timer_waits_until_it_is_resumed(api, app):
    shanghai = timezone(timedelta(hours=8))
    with moved_clock(api, datetime(2031, 3, 3, 10, tzinfo=shanghai)) as clock:
        case = in_handling(api, days=3, claim=False)
        task = case.open_task("handle_parts")
        admin, parts = api.as_("admin"), api.as_("parts_manager")
        response = admin.post(f"/instances/{case.id}/suspend")
        assert response.status_code == 200 and response.get_json()["status"] == "suspended"
        assert task["id"] not in [t["id"] for t in parts.get("/tasks").get_json()["items"]]
        assert case.instance()["open_tasks"] == []
        refused = parts.post(f"/tasks/{task['id']}/complete", json={"data": GOOD_HANDLING})
        assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "instance_suspended"
        assert admin.post(f"/instances/{case.id}/suspend").status_code == 409

        clock.to(datetime(2031, 3, 20, 10, tzinfo=shanghai))  # long past the deadline
        fire_timers(app)
        assert case.instance()["status"] == "suspended" and case.instance()["next_timer_at"]
        assert "escalate_handle_parts" not in [h["task"] for h in case.instance()["history"]]
        listed = admin.get("/instances", query_string={"status": "suspended", "per_page": 500}).get_json()
        assert case.id in [i["id"] for i in listed["items"]]

        resumed = admin.post(f"/instances/{case.id}/resume")
        assert resumed.status_code == 200, resumed.get_json()
        assert [t["name"] for t in resumed.get_json()["open_tasks"]] == ["handle_parts"]
        assert task["id"] in [t["id"] for t in parts.get("/tasks").get_json()["items"]]
        fire_timers(app)
        assert case.open_names() == ["escalate_handle_parts", "handle_parts"]
        assert [h["task"] for h in case.instance()["history"]][-2:] == ["suspend", "resume"]
        admin.post(f"/instances/{case.id}/cancel", json={"reason": "test over"})


def test_the_timer_runner_holds_a_failing_instance_in_error_and_fires_the_healthy_one(api, app):
    shanghai = timezone(timedelta(hours=8))
    with moved_clock(api, datetime(2031, 6, 2, 10, tzinfo=shanghai)) as clock:
        healthy = in_handling(api, days=3, claim=False)
        deploy(api, version_with_script("clock_parts_record", "flagged = overdue['no_such_key']"))
        failing = in_handling(api, days=3, claim=False)
        clock.to(datetime(2031, 6, 20, 10, tzinfo=shanghai))
        fire_timers(app)
        assert healthy.open_names() == ["escalate_handle_parts", "handle_parts"]
        assert len(overdue_records(api, healthy)) == 1
        held = failing.instance()
        assert held["status"] == "error" and held["open_tasks"] == []
        assert held["error"]["element_id"] == "check_step" and "no_such_key" in held["error"]["message"]
        assert held["error"]["action"]["kind"] == "timers"
        assert overdue_records(api, failing) == []  # written by record_overdue, gone with the failed step
        fire_timers(app)  # a held instance is not fired again
        assert failing.instance()["error"]["since"] == held["error"]["since"]

        fixed = deploy(api, shipped())["version"]
        retried = migrate_and_retry(api, failing.id, fixed)
        assert retried.status_code == 200, retried.get_json()
        assert failing.open_names() == ["escalate_handle_parts", "handle_parts"]
        assert len(overdue_records(api, failing)) == 1
        for case in (healthy, failing):
            api.as_("admin").post(f"/instances/{case.id}/cancel", json={"reason": "test over"})


@pytest.mark.parametrize("username", ["service_manager", "customer_dept", "general_manager"])
def test_only_admins_list_retry_suspend_and_resume_instances(api, pages, username):
    case = Case(api)
    user = api.as_(username)
    assert user.get("/instances", query_string={"status": "error"}).status_code == 403
    for action in ("retry", "suspend", "resume"):
        assert user.post(f"/instances/{case.id}/{action}").status_code == 403
    assert case.instance()["status"] == "running"
    assert pages(username).get("/admin/instances").status_code == 403
    assert api.as_("admin").get("/instances", query_string={"status": "bogus"}).status_code == 422
    assert api.as_("admin").get("/instances", query_string={"per_page": "0"}).status_code == 422


def test_the_openapi_document_lists_the_instance_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/instances"]
    for action in ("retry", "suspend", "resume"):
        assert "post" in paths[f"/instances/{{instance_id}}/{action}"], action
