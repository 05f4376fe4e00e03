"""Procedure 2, return authorization (返修机返厂申请), driven through HTTP as the demo users."""
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cases import SHANGHAI
from procedures import moved_clock
from versions import deploy, latest_version, shipped
from return_authorization import RAISED_BY, REQUEST, ReturnCase, days_ago, out_of_warranty_case, register_total

RMA = re.compile(r"RMA-\d{6}-\d{4}")


def test_quantity_and_serial_numbers_must_agree(api):
    before = register_total(api)
    engineer = api.as_("branch_engineer")
    response = engineer.post("/processes/return_authorization/instances",
                             json={"data": {**REQUEST, "quantity": 3}})
    assert response.status_code == 422
    assert "serial_numbers" in response.get_json()["error"]["fields"]
    repeated = engineer.post("/processes/return_authorization/instances",
                             json={"data": {**REQUEST, "serial_numbers": ["SN-X", "SN-X"]}})
    assert repeated.status_code == 422 and "serial_numbers" in repeated.get_json()["error"]["fields"]
    missing = engineer.post("/processes/return_authorization/instances", json={"data": {"branch": "x"}})
    assert missing.status_code == 422
    assert {"model", "quantity", "serial_numbers", "purchase_date", "warranty_card"} <= set(
        missing.get_json()["error"]["fields"])
    assert register_total(api) == before  # nothing half-written
    assert api.as_("customer_dept").post("/processes/return_authorization/instances",
                                         json={"data": REQUEST}).status_code == 403


def test_approval_issues_an_rma_number_and_logistics_waits_for_the_goods(api):
    case = ReturnCase(api)
    assert case.business_key is None and case.open_task("review_request")["lane"] == "branch_manager"
    assert case.record("branch_engineer")["status"] == "under_review"
    case.complete("branch_manager", "review_request", {"review_decision": "approve"})
    assert case.open_task("approve_request")["lane"] == "department_head"
    done = case.complete("department_head", "approve_request", {"approval_decision": "approve"})
    assert RMA.fullmatch(done["business_key"])
    month = datetime.now(SHANGHAI).strftime("%Y%m")
    assert done["business_key"].startswith(f"RMA-{month}-")
    assert sorted(t["name"] for t in done["open_tasks"]) == ["receive_goods", "withdraw_request"]
    assert {t["name"]: t["lane"] for t in done["open_tasks"]} == {"receive_goods": "logistics_clerk",
                                                                  "withdraw_request": "branch_engineer"}
    record = case.record()
    assert record["number"] == case.number and record["status"] == "awaiting_goods"
    assert record["serial_numbers"] == ["SN-A1", "SN-A2"] and record["approved_at"]
    # the next approval takes the next number of the month
    other = ReturnCase(api).approve()
    assert int(other.number[-4:]) == int(case.number[-4:]) + 1


def test_the_branch_manager_rejects_and_the_engineer_reads_why(api):
    case = ReturnCase(api)
    case.complete("branch_manager", "review_request", {"review_decision": "reject"}, expect=422)
    case.complete("branch_manager", "review_request", {"review_decision": "reject", "review_reason": "非返修范围"})
    task = case.open_task("note_rejection")
    assert task["lane"] == "branch_engineer"
    shown = api.as_("branch_engineer").get(f"/tasks/{task['id']}").get_json()
    assert shown["data"] == {"rejection_remarks": ""}  # the notice's own form opens empty
    why = shown["case"]["timeline"][0]  # the review that rejected it comes first
    assert why["task"] == "review_request" and why["matters"] and why["completed_by"] == "branch_manager"
    assert [(a["label"], a["text"]) for a in why["answers"]] == [("审核意见", "驳回"), ("原因", "非返修范围")]
    record = case.record("branch_engineer")
    assert record["status"] == "rejected" and record["rejected_by_role"] == "branch_manager"
    assert record["rejection_reason"] == "非返修范围" and record["number"] is None
    assert case.complete("branch_engineer", "note_rejection", {})["status"] == "completed"


def test_the_department_head_rejects_with_a_reason(api):
    case = ReturnCase(api)
    case.complete("branch_manager", "review_request", {"review_decision": "approve"})
    case.complete("department_head", "approve_request", {"approval_decision": "reject"}, expect=422)
    case.complete("department_head", "approve_request",
                  {"approval_decision": "reject", "approval_reason": "本地可修，无需返厂"})
    assert case.open_names() == ["note_rejection"]
    record = case.record("branch_engineer")
    assert record["status"] == "rejected" and record["rejected_by_role"] == "department_head"
    assert record["rejection_reason"] == "本地可修，无需返厂" and record["number"] is None


def test_sent_back_for_correction_the_engineer_edits_and_resubmits(api):
    case = ReturnCase(api)
    case.complete("branch_manager", "review_request", {"review_decision": "send_back", "review_reason": "漏填一台"})
    task = case.open_task("correct_request")
    assert task["lane"] == "branch_engineer"
    assert case.record("branch_engineer")["status"] == "sent_back"
    corrected = {**REQUEST, "quantity": 3, "serial_numbers": ["SN-A1", "SN-A2"], "correction_note": "补第三台"}
    refused = case.complete("branch_engineer", "correct_request", corrected, expect=422)
    assert "serial_numbers" in refused["error"]["fields"]
    case.complete("branch_engineer", "correct_request", {**corrected, "serial_numbers": ["SN-A1", "SN-A2", "SN-A3"]})
    assert case.open_names() == ["review_request"]
    record = case.record("branch_engineer")
    assert record["status"] == "under_review" and record["send_backs"] == 1
    assert record["quantity"] == 3 and record["serial_numbers"] == ["SN-A1", "SN-A2", "SN-A3"]
    case.approve()
    assert case.open_names() == ["receive_goods", "withdraw_request"]


def test_a_shipment_without_an_approved_request_is_refused_and_recorded(api):
    pending = ReturnCase(api)  # not approved: it has no number to ship under
    approved = ReturnCase(api).approve()
    refusals = api.as_("logistics_clerk").get("/refused-shipments").get_json()["total"]
    no_number = pending.ship(number="")
    assert no_number["accepted"] is False and no_number["refusal"]["reason"] == "no_number"
    unknown = pending.ship(number="RMA-209901-9999", serials=["SN-Z9"], model="ZZ-1")
    assert unknown["refusal"]["reason"] == "unknown_number" and unknown["refusal"]["rma_number"] == "RMA-209901-9999"
    assert approved.ship()["accepted"] is True
    again = approved.ship()  # the same number once its goods are in
    assert again["accepted"] is False and again["refusal"]["reason"] == "not_awaiting_goods"
    listed = api.as_("department_head").get("/refused-shipments").get_json()
    assert listed["total"] == refusals + 3
    assert listed["items"][0]["recorded_by"] == "logistics_clerk"
    assert pending.open_names() == ["review_request"]  # the refused goods moved nothing
    assert api.as_("branch_engineer").post("/shipments", json={"data": {}}).status_code == 403
    assert api.as_("branch_engineer").get("/refused-shipments").status_code == 403
    bad = api.as_("logistics_clerk").post("/shipments", json={"data": {"rma_number": approved.number,
                                                                      "received_quantity": 2,
                                                                      "received_serials": ["A"]}})
    assert bad.status_code == 422
    assert {"received_serials", "received_at", "branch", "received_model"} <= set(bad.get_json()["error"]["fields"])


def test_a_receipt_that_differs_is_recorded_and_the_engineer_decides(api):
    case = ReturnCase(api).approve()
    case.ship(serials=["SN-A1"])
    task = case.open_task("resolve_mismatch")
    assert task["lane"] == "branch_engineer" and task["business_key"] == case.number
    record = case.record()
    assert record["status"] == "mismatch" and "数量不符" in record["receipt_mismatch"]
    assert "SN-A2" in record["receipt_mismatch"]
    case.complete("branch_engineer", "resolve_mismatch",
                  {"mismatch_action": "ship_again", "mismatch_explanation": "漏发一台，今日补发"})
    assert case.open_names() == ["receive_goods", "withdraw_request"] and case.record()["status"] == "awaiting_goods"
    case.ship(model="XR-300")  # the whole batch now, but the wrong model
    assert "型号不符" in case.record()["receipt_mismatch"]
    case.complete("branch_engineer", "resolve_mismatch",
                  {"mismatch_action": "proceed", "mismatch_explanation": "型号标签印错，实为XR-200"})
    assert case.open_names() == ["check_warranty"]
    record = case.record()
    assert record["status"] == "received" and record["mismatch_reply"].startswith("按实到机器处理")


def test_going_on_with_fewer_units_repairs_those_that_came(api):
    case = ReturnCase(api).approve()
    case.ship(serials=["SN-A2", "SN-EXTRA"])
    case.complete("branch_engineer", "resolve_mismatch",
                  {"mismatch_action": "proceed", "mismatch_explanation": "SN-A1 客户已取回"})
    case.check_warranty()
    units = {u["serial"]: u for u in case.record()["units"]}
    assert units["SN-A1"]["status"] == "missing" and units["SN-EXTRA"]["status"] == "unrepaired"
    assert units["SN-A2"]["status"] == "in_repair"
    due = datetime.fromisoformat(case.open_task("repair_units")["due_at"])
    received = datetime.fromisoformat(case.record()["received_at"])
    assert 3 <= (due.date() - received.date()).days <= 7  # one unit: 3 working days


def test_units_in_warranty_are_repaired_aged_checked_and_shipped_back_with_a_callback(api):
    case = ReturnCase(api).approve()
    case.ship()
    assert case.open_task("check_warranty")["lane"] == "logistics_clerk"
    case.check_warranty(inspection_notes="外观完好")
    units = case.record()["units"]
    assert [(u["serial"], u["in_warranty"], u["warranty_reason"]) for u in units] == [
        ("SN-A1", True, "in_warranty"), ("SN-A2", True, "in_warranty")]
    task = case.open_task("repair_units")
    assert task["lane"] == "repair_technician"
    record = case.record()
    assert record["status"] == "in_repair" and task["due_at"] == record["repair_due_at"]
    due, received = (datetime.fromisoformat(record[k]) for k in ("repair_due_at", "received_at"))
    assert 7 <= (due.date() - received.date()).days <= 15  # two units: 7 working days
    after = case.repair_round()
    assert [t["name"] for t in after["open_tasks"]] == ["ship_back"]
    done = case.ship_back()
    assert done["status"] == "completed"
    record = case.record()
    assert record["status"] == "closed" and record["repaired_on_time"] is True
    assert "第1轮：更换主板" in record["repair_report"] and "SN-A1 已修复" in record["repair_report"]
    assert [u["status"] for u in record["units"]] == ["repaired", "repaired"]
    callback = api.as_("customer_dept").get(f"/callbacks/{record['callback_id']}").get_json()
    assert callback["source"] == "return" and callback["source_ref"] == case.number
    assert callback["customer_name"] == REQUEST["customer_name"] and callback["status"] == "due"
    assert callback["picked_up_at"] == record["shipped_at"]
    clerk_inbox = api.as_("customer_dept").get("/tasks", query_string={"process_key": "callback"}).get_json()
    assert callback["instance_id"] in [t["instance_id"] for t in clerk_inbox["items"]]
    history = [h["task"] for h in case.instance()["history"]]
    assert history == ["start", "supervisor_confirm", "review_request", "approve_request", "receive_goods", "check_warranty",
                       "repair_units", "aging_test", "quality_check", "ship_back"]


def test_a_failed_quality_check_goes_back_to_repair(api):
    case = ReturnCase(api, quantity=1, serial_numbers=["SN-B1"]).approve()
    case.ship(serials=["SN-B1"])
    case.check_warranty()
    case.complete("repair_technician", "repair_units", {"repair_work": "更换电源"})
    case.complete("repair_technician", "aging_test", {"aging_hours": 8, "aging_passed": True})
    case.complete("repair_technician", "quality_check", {"qc_passed": False}, expect=422)  # say what failed
    case.complete("repair_technician", "quality_check", {"qc_passed": False, "qc_notes": "输出电压偏低"})
    assert case.open_names() == ["repair_units"]
    case.repair_round()
    assert case.open_names() == ["ship_back"]
    record = case.record()
    assert record["repair_rounds"] == 2 and "质检不合格：输出电压偏低" in record["repair_report"]


@pytest.mark.parametrize("request_change,reason", [
    ({"warranty_card": False}, "no_warranty_card"),
    ({"dealer_seal": False}, "no_dealer_seal"),
    ({"purchase_date": days_ago(400)}, "over_one_year"),
])
def test_warranty_conditions_of_the_application(api, request_change, reason):
    case = ReturnCase(api, **request_change).approve()
    case.ship()
    case.check_warranty()
    assert [(u["in_warranty"], u["warranty_reason"]) for u in case.record()["units"]] == [(False, reason)] * 2
    assert case.open_names() == ["quote_units"]


def test_the_warranty_is_judged_unit_by_unit(api):
    serials = ["SN-C1", "SN-C2", "SN-C3", "SN-C4"]
    case = ReturnCase(api, quantity=4, serial_numbers=serials).approve()
    case.ship(serials=serials)
    bad = api.as_("logistics_clerk").post(f"/tasks/{case.open_task('check_warranty')['id']}/complete",
                                          json={"data": {"damaged_units": {"SN-NOT-HERE": "drop"}}})
    assert bad.status_code == 422 and "damaged_units" in bad.get_json()["error"]["fields"]
    bad = api.as_("logistics_clerk").post(f"/tasks/{case.open_task('check_warranty')['id']}/complete",
                                          json={"data": {"damaged_units": {"SN-C1": "stolen"}}})
    assert bad.status_code == 422 and "damaged_units" in bad.get_json()["error"]["fields"]
    case.check_warranty(serials_not_intact=["SN-C2"], damaged_units={"SN-C3": "flood", "SN-C4": "disassembly"})
    verdicts = {u["serial"]: (u["in_warranty"], u["warranty_reason"]) for u in case.record()["units"]}
    assert verdicts == {"SN-C1": (True, "in_warranty"), "SN-C2": (False, "serial_not_intact"),
                        "SN-C3": (False, "flood"), "SN-C4": (False, "disassembly")}


def test_an_itemised_quote_answered_unit_by_unit_by_the_branch_manager(api):
    """Two units out of warranty, each quoted item by item; the branch manager accepts one and refuses
    the other: the accepted one is repaired, the refused one goes back unrepaired."""
    case = out_of_warranty_case(api)
    task = case.open_task("answer_quote")
    record = case.record()
    assert task["lane"] == "branch_manager" and task["due_at"] == record["quote_answer_due_at"]
    assert record["quote_amount"] == 380.5 + 520.0 and record["status"] == "awaiting_quote_answer"
    quotes = {u["serial"]: u["quote"] for u in record["units"]}
    assert quotes["SN-A1"] == {"repair": 200.0, "materials": 80.5, "added_parts": 100.0, "upgrade": 0.0, "total": 380.5}
    assert quotes["SN-A2"]["total"] == 520.0
    due = datetime.fromisoformat(record["quote_answer_due_at"])
    assert 2 <= (due.date() - datetime.now(SHANGHAI).date()).days <= 10
    assert api.as_("branch_engineer").post(f"/tasks/{task['id']}/complete",
                                           json={"data": {"quote_answers": {"SN-A1": "accepted"}}}).status_code == 403
    case.complete("branch_manager", "answer_quote", {"quote_answers": {"SN-X": "accepted"}}, expect=422)
    case.complete("branch_manager", "answer_quote", {"quote_answers": "SN-A1 接受\nSN-A2 拒绝",
                                                     "quote_answer_remarks": "SN-A2 不修"})
    record = case.record()
    assert record["quote_answer"] == "partly"
    assert {u["serial"]: (u["status"], u["quote_answer"]) for u in record["units"]} == {
        "SN-A1": ("in_repair", "accepted"), "SN-A2": ("unrepaired", "refused")}
    case.repair_round()
    case.ship_back()
    record = case.record()
    assert [u["status"] for u in record["units"]] == ["repaired", "unrepaired"]
    assert "SN-A2 未修复" in record["repair_report"] and record["callback_id"] is not None


def test_a_quote_must_cover_every_unit_out_of_warranty_and_no_other(api):
    case = ReturnCase(api).approve()
    case.ship()
    case.check_warranty(damaged_units={"SN-A2": "drop"})  # SN-A1 is in warranty
    case.complete("logistics_clerk", "quote_units", {"quote_items": "SN-A2 100 0 0", "quote_notes": "x"}, expect=422)
    refused = case.complete("logistics_clerk", "quote_units", {"quote_items": {
        "SN-A1": {"repair": 1, "materials": 0, "added_parts": 0, "upgrade": 0}}, "quote_notes": "x"}, expect=422)
    assert "quote_items" in refused["error"]["fields"]
    case.complete("logistics_clerk", "quote_units", {"quote_items": "SN-A2 300 20 0 0", "quote_notes": "更换外壳"})
    assert case.open_names() == ["answer_quote"]


def test_an_unanswered_quote_returns_the_units_unrepaired_after_two_working_days(api, app):
    case = ReturnCase(api, warranty_card=False).approve()  # every unit out of warranty
    case.ship()
    case.check_warranty()
    case.complete("logistics_clerk", "quote_units", {"quote_items": "SN-A1 600 100 0 0\nSN-A2 600 100 0 200",
                                                     "quote_notes": "整机维修"})
    due = datetime.fromisoformat(case.record()["quote_answer_due_at"])
    runner = app.test_cli_runner()
    with moved_clock(api, due - timedelta(minutes=5)):
        runner.invoke(args=["timers"])
        assert case.open_names() == ["answer_quote"]  # not yet
    with moved_clock(api, due + timedelta(minutes=1)):
        result = runner.invoke(args=["timers"])
        assert result.exit_code == 0, result.output
        assert case.open_names() == ["ship_back"]  # nothing left to repair
        record = case.record()
        assert record["quote_answer"] == "expired" and record["repair_due_at"] is None
        assert [u["status"] for u in record["units"]] == ["unrepaired", "unrepaired"]
        case.ship_back()
        record = case.record()
        assert record["status"] == "closed" and record["callback_id"] is None  # nothing repaired, no callback


def test_a_late_repair_is_recorded_as_overdue(api, app):
    case = ReturnCase(api, quantity=1, serial_numbers=["SN-D1"]).approve()
    case.ship(serials=["SN-D1"])
    case.check_warranty()
    api.as_("repair_technician").post(f"/tasks/{case.open_task('repair_units')['id']}/claim")
    due = datetime.fromisoformat(case.record()["repair_due_at"])
    runner = app.test_cli_runner()
    with moved_clock(api, due + timedelta(hours=1)):
        listed = api.as_("repair_technician").get("/tasks", query_string={"overdue": "true"}).get_json()["items"]
        assert case.open_task("repair_units")["id"] in [t["id"] for t in listed]
        assert runner.invoke(args=["timers"]).exit_code == 0
        # the work goes on, the lateness is on record (and a Wednesday or Saturday past the limit reviews it)
        assert [n for n in case.open_names() if n != "review_late_units"] == ["repair_units"]
        overdue = api.as_("service_manager").get("/overdue").get_json()["items"]
        mine = [o for o in overdue if o["instance_id"] == case.id]
        assert len(mine) == 1 and mine[0]["task"] == "repair_units" and mine[0]["person"] == "repair_technician"
        assert mine[0]["process_key"] == "return_authorization" and mine[0]["business_key"] == case.number
        case.repair_round()
        assert runner.invoke(args=["timers"]).exit_code == 0
        assert len([o for o in api.as_("service_manager").get("/overdue").get_json()["items"]
                    if o["instance_id"] == case.id]) == 1  # recorded once
        assert case.record()["repaired_on_time"] is False


def test_the_register_is_read_by_headquarters_and_by_the_branch_staff_involved(api):
    case = ReturnCase(api).approve()
    for username in ("logistics_clerk", "department_head", "repair_technician", "general_manager", "admin"):
        assert case.record(username)["number"] == case.number
    assert case.record("branch_engineer")["number"] == case.number  # raised it
    assert case.record("branch_manager")["number"] == case.number  # reviewed it
    assert api.as_("customer_dept").get("/return-authorizations").status_code == 403
    assert api.as_("customer_dept").get(f"/return-authorizations/{case.number}").status_code == 403
    assert api.as_("logistics_clerk").get("/return-authorizations/RMA-209901-0001").status_code == 404
    waiting = api.as_("logistics_clerk").get("/return-authorizations",
                                             query_string={"status": "awaiting_goods", "per_page": 500}).get_json()
    assert case.number in [r["number"] for r in waiting["items"]]
    assert all(r["status"] == "awaiting_goods" for r in waiting["items"])
    bad = api.as_("logistics_clerk").get("/return-authorizations", query_string={"status": "lost", "per_page": 0})
    assert bad.status_code == 422 and {"per_page"} <= set(bad.get_json()["error"]["fields"])
    assert api.as_("logistics_clerk").get("/return-authorizations",
                                          query_string={"status": "lost"}).status_code == 422


# -- version 2: the two routes, waits that end, returned goods


def test_an_operating_branch_route_goes_through_the_field_service_supervisor(api):
    case = ReturnCase(api, confirmed=False)  # 华东分公司: an operating branch (经营平台)
    assert case.instance()["data"]["route"] == "operating"
    task = case.open_task("supervisor_confirm")
    assert task["lane"] == "field_service_supervisor" and case.record()["status"] == "awaiting_confirmation"
    case.confirm("reject", expect=422)  # a refusal says why
    case.confirm()
    assert case.open_task("review_request")["lane"] == "branch_manager"
    case.approve()
    case.ship()
    case.check_warranty()
    case.repair_round()
    case.ship_back()
    record = case.record()
    assert record["status"] == "closed" and record["route"] == "operating"
    history = [h["task"] for h in case.instance()["history"]]
    assert history[:4] == ["start", "supervisor_confirm", "review_request", "approve_request"]


@pytest.mark.parametrize("route", ["managed", "dealer"])
def test_a_managed_branch_or_dealer_route_goes_through_the_local_engineer_and_the_provincial_manager(api, route):
    """西南分公司 is a managed branch (管理平台); its dealer raises through the same route."""
    case = ReturnCase(api, route=route, confirmed=False)
    assert case.instance()["data"]["route"] == route
    assert case.open_task("local_confirm")["lane"] == "branch_engineer"
    case.confirm()
    assert case.open_task("provincial_review")["lane"] == "provincial_manager"
    case.complete("provincial_manager", "provincial_review", {"review_decision": "send_back", "review_reason": "补充故障照片"})
    fixer = "correct_request_dealer" if route == "dealer" else "correct_request"
    assert case.open_task(fixer)["lane"] == ("dealer_agent" if route == "dealer" else "branch_engineer")
    case.complete("dealer_agent" if route == "dealer" else "branch_engineer_b", fixer,
                  {**REQUEST, "fault_description": "开机无显示，附照片"})
    case.approve()
    case.ship()
    case.check_warranty()
    case.repair_round()
    case.ship_back()
    record = case.record("branch_engineer_b")  # the managed branch sees its own and its dealer's
    assert record["status"] == "closed" and record["route"] == route
    history = [h["task"] for h in case.instance()["history"]]
    assert history[:5] == ["start", "local_confirm", "provincial_review", fixer, "provincial_review"]


def test_a_dealer_learns_why_the_provincial_manager_rejected(api):
    case = ReturnCase(api, route="dealer")
    case.complete("provincial_manager", "provincial_review", {"review_decision": "reject", "review_reason": "本地可修"})
    assert case.open_task("note_rejection_dealer")["lane"] == "dealer_agent"
    record = case.record("dealer_agent")
    assert record["status"] == "rejected" and record["rejected_by_role"] == "provincial_manager"


def test_the_engineer_withdraws_an_approved_request_before_shipping(api):
    case = ReturnCase(api).approve()
    case.complete("branch_engineer", "withdraw_request", {}, expect=422)  # a withdrawal says why
    case.complete("branch_engineer", "withdraw_request", {"withdraw_reason": "客户已自行修复"})
    assert case.instance()["status"] == "completed" and case.open_names() == []
    record = case.record()
    assert record["status"] == "withdrawn" and record["end_reason"] == "客户已自行修复"
    assert case.ship(expect=201)["accepted"] is False  # goods sent anyway are refused at the door


@pytest.mark.parametrize("route", ["dealer", "managed"])
def test_a_dealer_or_a_managed_branch_engineer_withdraws_what_they_raised(api, route):
    """The withdrawal's role follows the route (the task's role_expression in the diagram): the
    dealer (代理商) withdraws the dealer's application, the managed branch's local engineer his own."""
    case = ReturnCase(api, route=route).approve()
    task = case.open_task("withdraw_request")
    raiser = RAISED_BY[route]
    assert task["lane"] == ("dealer_agent" if route == "dealer" else "branch_engineer")
    assert task["id"] in [t["id"] for t in api.as_(raiser).get("/tasks", query_string={
        "process_key": "return_authorization", "per_page": 500}).get_json()["items"]]
    others = {"dealer": "branch_engineer_b", "managed": "dealer_agent"}[route]  # the other route's raiser
    assert api.as_(others).post(f"/tasks/{task['id']}/complete", json={
        "data": {"withdraw_reason": "x"}}).status_code in (403, 404)
    assert api.as_("branch_engineer").post(f"/tasks/{task['id']}/complete", json={  # another branch's engineer
        "data": {"withdraw_reason": "x"}}).status_code in (403, 404)
    case.complete(raiser, "withdraw_request", {"withdraw_reason": "客户已自行修复"})
    assert case.instance()["status"] == "completed"
    record = case.record(raiser)
    assert record["status"] == "withdrawn" and record["end_reason"] == "客户已自行修复"


def test_an_approval_never_shipped_is_cancelled_after_thirty_days(api, app):
    case = ReturnCase(api).approve()
    due = datetime.fromisoformat(case.record()["shipment_due_at"])
    assert 29 <= (due - datetime.now(SHANGHAI)).days <= 30
    runner = app.test_cli_runner()
    with moved_clock(api, due - timedelta(minutes=5)):
        assert runner.invoke(args=["timers"]).exit_code == 0
        assert case.open_names() == ["receive_goods", "withdraw_request"]
    with moved_clock(api, due + timedelta(minutes=1)):
        assert runner.invoke(args=["timers"]).exit_code == 0
        assert case.open_names() == ["note_cancellation"]  # the engineer is told
        assert case.open_task("note_cancellation")["lane"] == "branch_engineer"
        record = case.record()
        assert record["status"] == "cancelled" and "30" in record["end_reason"]
        case.complete("branch_engineer", "note_cancellation", {})
        assert case.instance()["status"] == "completed"


@pytest.mark.parametrize("units, lane, task", [(3, "repair_technician", "rework_returned_goods"),
                                               (10, "pmc", "plan_returned_goods")])
def test_returned_goods_go_to_the_repair_team_or_production_planning_by_quantity(api, units, lane, task):
    serials = [f"SN-R{units}-{n}" for n in range(units)]
    case = ReturnCase(api, request_kind="goods_return", quantity=units, serial_numbers=serials).approve()
    case.ship(serials=serials)
    assert case.open_task(task)["lane"] == lane
    case.complete(lane, task, {"returned_goods_action": "dismantle" if units < 10 else "production_plan",
                               "returned_goods_notes": "已处理"})
    record = case.record()
    assert record["status"] == "closed" and record["request_kind"] == "goods_return"
    assert record["returned_goods_handling"].endswith("已处理") and case.instance()["status"] == "completed"


def test_a_late_repair_is_reviewed_on_the_wednesday_with_a_new_date_or_a_spare_unit(api, app):
    """Every Wednesday and Saturday the repair team reviews the units past their limit (1 unit: 3
    working days from receipt): per unit, a new date agreed with the customer or a spare unit lent."""
    case = ReturnCase(api, quantity=1, serial_numbers=["SN-W1"]).approve()
    case.ship(serials=["SN-W1"])
    case.check_warranty()
    due = datetime.fromisoformat(case.record()["repair_due_at"]).astimezone(SHANGHAI)
    wednesday = (due + timedelta(days=(2 - due.weekday()) % 7 or 7)).replace(hour=9, minute=30, second=0, microsecond=0)
    assert wednesday.weekday() == 2 and wednesday > due
    with moved_clock(api, wednesday):
        assert app.test_cli_runner().invoke(args=["timers"]).exit_code == 0
        reviews = [t for t in case.instance()["open_tasks"] if t["name"] == "review_late_units"]
        assert reviews and all(t["lane"] == "repair_technician" for t in reviews)
        assert case.instance()["data"]["late_units"] == ["SN-W1"]
        for number, task in enumerate(reviews):
            refused = api.as_("repair_technician").post(f"/tasks/{task['id']}/complete", json={"data": {
                "late_decisions": {"SN-W1": "lend_spare"}}})
            assert refused.status_code == 422 and "loaner_serial" in refused.get_json()["error"]["fields"]
            done = api.as_("repair_technician").post(f"/tasks/{task['id']}/complete", json={"data": {
                "late_decisions": "SN-W1 借出备用机", "loaner_serial": f"SPARE-0{7 + number}"}})
            assert done.status_code == 200, done.get_json()
        assert "借出备用机 SPARE-07" in case.record()["repair_report"]
        assert "repair_units" in case.open_names()  # the repair itself goes on
        # the spare unit is in the loaner register, lent for the customer's unit, and comes back
        out = api.as_("repair_technician").get("/loaners", query_string={"status": "out", "per_page": 500}).get_json()
        lent = {item["loaner_serial"]: item for item in out["items"] if item["loaner_unit_serial"] == "SN-W1"}
        assert set(lent) == {f"SPARE-0{7 + number}" for number in range(len(reviews))}  # one per review
        assert case.instance()["data"]["loaner_id"] in {item["id"] for item in lent.values()}
        loan = lent["SPARE-07"]
        back = api.as_("repair_technician").post(f"/loaners/{loan['id']}/return", json={"note": "完好"})
        assert back.status_code == 200, back.get_json()
        case.repair_round()
        case.ship_back()
        assert case.record()["status"] == "closed"


def test_cases_of_version_1_finish_on_version_1_when_version_2_is_deployed(api):
    """Version 1 of the diagram (one route, the quote answered by the engineer as one total) kept as
    test data with its forms: a case started on it goes on to the end on it after the shipped
    version is deployed again as the latest, while new cases take the two routes."""
    data = Path(__file__).parent / "data"
    version_1 = {**{name: text for name, text in shipped("return_authorization").items() if name.endswith(".dmn")},
                 "return_authorization.bpmn": (data / "return_authorization.v1.bpmn").read_text(),
                 **json.loads((data / "return_authorization.v1.forms.json").read_text())}
    old = deploy(api, version_1)["version"]
    try:
        case = ReturnCase(api, confirmed=False)
        assert case.open_names() == ["review_request"] and case.instance()["version"] == old
    finally:
        new = deploy(api, shipped("return_authorization"))["version"]
    assert new == old + 1 and latest_version(api, "return_authorization") == new
    assert ReturnCase(api, confirmed=False).open_names() == ["supervisor_confirm"]
    case.approve()
    assert case.open_names() == ["receive_goods"]  # version 1: no withdrawal, no cancellation timer
    case.ship()
    case.check_warranty()
    case.repair_round()
    case.ship_back()
    assert case.instance()["status"] == "completed" and case.instance()["version"] == old
    assert case.record()["status"] == "closed" and case.record()["route"] is None


def test_units_never_shipped_back_are_recorded_overdue_and_the_department_head_extends_or_closes(api, app):
    """Repaired units wait at most 10 working days to be shipped back or collected (the diagram's
    plan_collection parameter): then the holder's overdue record and the department head's decision,
    another 5 working days (extend_collection's parameter) or closing the case as not collected."""
    case = ReturnCase(api, quantity=1, serial_numbers=["SN-U1"]).approve()
    case.ship(serials=["SN-U1"])
    case.check_warranty()
    case.repair_round()
    task = case.open_task("ship_back")
    due = datetime.fromisoformat(case.instance()["data"]["collection"]["due_at"])
    assert datetime.fromisoformat(task["due_at"]) == due and task["lane"] == "logistics_clerk"
    assert 14 <= (due.date() - datetime.now(SHANGHAI).date()).days <= 20  # 10 working days
    runner = app.test_cli_runner()

    def mine():
        return [o for o in api.as_("service_manager").get("/overdue").get_json()["items"] if o["instance_id"] == case.id]

    with moved_clock(api, due - timedelta(minutes=5)):
        assert runner.invoke(args=["timers"]).exit_code == 0
        assert case.open_names() == ["ship_back"]
    with moved_clock(api, due + timedelta(minutes=1)):
        assert runner.invoke(args=["timers"]).exit_code == 0
        assert case.open_names() == ["escalate_collection", "ship_back"]  # the shipment stays open
        assert case.open_task("escalate_collection")["lane"] == "department_head"
        [miss] = mine()
        assert (miss["task"], miss["role"], miss["business_key"]) == ("ship_back", "logistics_clerk", case.number)
        case.complete("department_head", "escalate_collection", {"collection_decision": "close_uncollected"},
                      expect=422)  # closing says how the units are kept
        case.complete("department_head", "escalate_collection", {"collection_decision": "extend"})
        assert case.open_names() == ["ship_back"]
        extended = datetime.fromisoformat(case.instance()["data"]["collection"]["due_at"])
        assert 7 <= (extended - due).days <= 11  # 5 working days more
    with moved_clock(api, extended + timedelta(minutes=1)):
        assert runner.invoke(args=["timers"]).exit_code == 0
        assert case.open_names() == ["escalate_collection", "ship_back"] and len(mine()) == 2
        case.complete("department_head", "escalate_collection",
                      {"collection_decision": "close_uncollected", "collection_note": "客户联系不上，机器入库保管"})
        assert case.instance()["status"] == "completed" and case.open_names() == []
        record = case.record()
        assert record["status"] == "uncollected" and record["end_reason"].endswith("客户联系不上，机器入库保管")
        assert record["callback_id"] is None and record["shipped_at"] is None
        history = [h["task"] for h in case.instance()["history"]]
        assert history[-2:] == ["escalate_collection", "escalate_collection"]


def test_units_shipped_back_in_time_close_the_case_and_leave_no_overdue_record(api, app):
    case = ReturnCase(api, quantity=1, serial_numbers=["SN-U2"]).approve()
    case.ship(serials=["SN-U2"])
    case.check_warranty()
    case.repair_round()
    case.ship_back()
    assert case.record()["status"] == "closed" and case.instance()["status"] == "completed"
    assert not [o for o in api.as_("service_manager").get("/overdue").get_json()["items"] if o["instance_id"] == case.id]
