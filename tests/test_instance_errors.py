"""Instances in error: a failing script, condition or handler holds its instance in error
(nothing of the failed step saved) instead of failing the request; admins list them, move
them to a fixed version and retry, or cancel them; they suspend and resume instances."""
from datetime import datetime, timedelta, timezone

import pytest
from lxml import etree

from procedures import GOOD_HANDLING, INTAKE, Case, moved_clock
from versions import (BPMN, NS, SPIFF, _text, deploy, insert_task_after, shipped,
                      shipped_complaint_afterwards, with_bpmn)  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("shipped_complaint_afterwards")
CLASSIFY = {"category": "repair_quality", "severity": "general"}


def insert_script_after(xml: str, after_id: str, new_id: str, script: str) -> str:
    """A script task on the flow leaving `after_id` (in the lane of whoever works there)."""
    root = etree.fromstring(xml.encode())
    lane = next(el for el in root.iter(f"{{{BPMN}}}lane")
                if after_id in [ref.text for ref in el.findall("bpmn:flowNodeRef", NS)])
    root = etree.fromstring(insert_task_after(_text(root), after_id, new_id, new_id, "none", lane.get("name")).encode())
    task = root.find(f".//bpmn:userTask[@id='{new_id}']", NS)
    task.tag = f"{{{BPMN}}}scriptTask"
    task.remove(task.find("bpmn:extensionElements", NS))
    etree.SubElement(task, f"{{{BPMN}}}script").text = script
    return _text(root)


def set_operator(xml: str, element_id: str, operator: str) -> str:
    root = etree.fromstring(xml.encode())
    root.find(f".//*[@id='{element_id}']//{{{SPIFF}}}serviceTaskOperator").set("id", operator)
    return _text(root)


def version_with_script(after_id: str, script: str) -> int:
    return with_bpmn(shipped(), lambda xml: insert_script_after(xml, after_id, "check_step", script))


def start(api, **intake):
    return api.as_("customer_dept").post("/processes/complaint/instances", json={"data": {**INTAKE, **intake}})


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
