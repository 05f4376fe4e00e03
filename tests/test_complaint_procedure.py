"""Procedure 1, complaint handling, driven through HTTP as the demo users."""
from datetime import datetime, timedelta, timezone

import pytest

from pathlib import Path

from procedures import GOOD_HANDLING, Case, fire_timers, moved_clock
from versions import deploy, latest_version, shipped, with_bpmn

ROUTES = [("repair_quality", "handle_workshop", "workshop_supervisor"),
          ("service_attitude", "handle_business", "business_supervisor"),
          ("parts", "handle_parts", "parts_manager"),
          ("warranty_claim", "handle_claims", "claims_supervisor"),
          ("sales", "handle_business", "business_supervisor")]


def test_intake_registers_a_numbered_complaint_for_the_service_manager(api):
    case = Case(api)
    assert case.number.startswith("TS-") and len(case.number) == len("TS-202611-0001")
    record = case.complaint()
    assert record["status"] == "registered" and record["customer_name"] == "王先生"
    inbox = api.as_("service_manager").get("/tasks", query_string={"process_key": "complaint"}).get_json()
    mine = [t for t in inbox["items"] if t["instance_id"] == case.id]
    assert [t["name"] for t in mine] == ["classify_complaint"]
    assert mine[0]["lane"] == "service_manager" and mine[0]["business_key"] == case.number
    clerk_inbox = api.as_("customer_dept").get("/tasks").get_json()
    assert case.id not in [t["instance_id"] for t in clerk_inbox["items"]]


@pytest.mark.parametrize("category,task,role", ROUTES)
def test_the_category_decides_the_responsible_department(api, category, task, role):
    case = Case(api)
    case.classify(category=category, severity="general")
    assert case.open_names() == [task]
    assert case.open_task(task)["lane"] == role
    record = case.complaint()
    assert record["responsible_role"] == role and record["status"] == "assigned"
    assert record["deadline_at"] is not None


def test_other_goes_to_the_department_the_manager_names(api):
    case = Case(api)
    case.classify(category="other", severity="general", other_department="claims_supervisor")
    assert case.open_names() == ["handle_claims"]


def test_a_general_complaint_runs_from_intake_to_close(api):
    case = Case(api)
    case.classify(category="service_attitude", severity="general")
    case.complete("business_supervisor", "handle_business", GOOD_HANDLING)
    assert case.complaint()["status"] == "awaiting_confirmation"
    case.complete("service_manager", "confirm_handling", {"confirmation": "approve"})
    case.complete("customer_dept", "call_back_customer",
                  {"problem_solved": True, "callback_satisfied": True, "callback_remarks": "满意"})
    done = case.complete("general_manager", "sign_close", {"close_remarks": "同意结案"})
    assert done["status"] == "completed" and done["open_tasks"] == []
    record = case.complaint()
    assert record["status"] == "closed" and record["closed_at"] and record["callback_satisfied"] is True
    assert record["result"] == GOOD_HANDLING["result"] and record["responsible_person"] == "business_supervisor"
    history = [(h["task"], h["completed_by"]) for h in case.instance()["history"]]
    assert history == [("start", "customer_dept"), ("classify_complaint", "service_manager"),
                       ("handle_business", "business_supervisor"), ("confirm_handling", "service_manager"),
                       ("call_back_customer", "customer_dept"), ("sign_close", "general_manager")]


def test_a_major_complaint_beyond_authority_goes_to_the_general_manager(api):
    case = Case(api)
    case.classify(category="repair_quality", severity="major")
    assert case.open_names() == ["follow_up_major"]
    case.complete("service_manager", "follow_up_major", {
        "customer_contacted_at": "2026-11-20T10:00:00+08:00", "follow_up_notes": "客户要求赔偿",
        "within_authority": False})
    assert case.open_task("decide_major")["lane"] == "general_manager"
    record = case.complaint()
    assert record["status"] == "escalated" and "客户重大投诉报表" in record["major_report"]
    case.complete("general_manager", "decide_major", {"gm_decision": "同意补偿一次保养"})
    assert case.open_names() == ["handle_workshop"]
    case.complete("workshop_supervisor", "handle_workshop", {**GOOD_HANDLING, "hard_fault": False})
    case.complete("service_manager", "confirm_handling", {"confirmation": "approve"})
    case.complete("customer_dept", "call_back_customer", {"problem_solved": True, "callback_satisfied": True})
    assert case.complete("general_manager", "sign_close", {})["status"] == "completed"
    record = case.complaint()
    assert record["status"] == "closed" and record["gm_decision"] == "同意补偿一次保养"


def test_a_major_complaint_within_authority_goes_straight_to_the_department(api):
    case = Case(api)
    case.classify(category="parts", severity="major")
    case.complete("service_manager", "follow_up_major", {
        "customer_contacted_at": "2026-11-20T10:00:00+08:00", "follow_up_notes": "已安抚", "within_authority": True})
    assert case.open_names() == ["handle_parts"]


def test_a_hard_fault_goes_from_the_workshop_to_the_technical_supervisor(api):
    case = Case(api)
    case.classify(category="repair_quality", severity="general")
    case.complete("workshop_supervisor", "handle_workshop", {**GOOD_HANDLING, "hard_fault": True})
    assert case.open_task("plan_repair")["lane"] == "technical_supervisor"
    case.complete("technical_supervisor", "plan_repair", {"repair_plan": "更换ECU并重新标定", "return_repair": True})
    assert case.open_names() == ["report_repair"]  # the workshop carries the plan out and reports
    case.complete("workshop_supervisor", "report_repair", {**GOOD_HANDLING, "return_repair": True})
    assert case.open_names() == ["confirm_handling"]
    record = case.complaint()
    assert record["repair_plan"] == "更换ECU并重新标定" and record["return_repair"] is True


def test_the_manager_sends_the_result_back_and_it_goes_round_again(api):
    case = Case(api)
    case.classify(category="parts", severity="general")
    case.complete("parts_manager", "handle_parts", GOOD_HANDLING)
    case.complete("service_manager", "confirm_handling", {"confirmation": "send_back",
                                                          "confirmation_reason": "原因分析不充分"})
    assert case.open_names() == ["handle_parts"]
    record = case.complaint()
    assert record["status"] == "sent_back" and record["send_back_reason"] == "原因分析不充分"
    case.complete("parts_manager", "handle_parts", {**GOOD_HANDLING, "root_cause": "供应商批次缺陷"})
    assert case.complaint()["handling_rounds"] == 2 and case.complaint()["root_cause"] == "供应商批次缺陷"


def test_a_dissatisfied_customer_sends_the_complaint_back_to_handling_and_every_round_is_kept(api):
    case = Case(api)
    case.classify(category="service_attitude", severity="general")
    for round_number in (1, 2):
        case.complete("business_supervisor", "handle_business", {**GOOD_HANDLING, "result": f"第{round_number}次处理"})
        case.complete("service_manager", "confirm_handling", {"confirmation": "approve"})
        case.complete("customer_dept", "call_back_customer",
                      {"problem_solved": round_number == 2, "callback_satisfied": round_number == 2})
        if round_number == 1:
            assert case.open_names() == ["decide_dissatisfied"]  # the manager decides: another round...
            assert case.complaint()["status"] == "rehandling"
            case.complete("service_manager", "decide_dissatisfied", {"dissatisfied_action": "rehandle"})
            assert case.open_names() == ["handle_business"]
    assert case.open_names() == ["sign_close"]
    history = case.instance()["history"]
    callbacks = [h["data"]["callback_satisfied"] for h in history if h["task"] == "call_back_customer"]
    handled = [h["data"]["result"] for h in history if h["task"] == "handle_business"]
    assert callbacks == [False, True] and handled == ["第1次处理", "第2次处理"]
    assert case.complaint()["handling_rounds"] == 2


def test_a_return_repair_brings_a_second_callback_three_days_after_release(api, app):
    case = Case(api)
    case.satisfied_with_return_repair()
    assert case.open_task("record_vehicle_release")["lane"] == "workshop_supervisor"
    released = "2099-01-01T10:00:00+08:00"
    after = case.complete("workshop_supervisor", "record_vehicle_release", {"released_at": released})
    assert after["status"] == "waiting" and after["open_tasks"] == []
    assert case.instance()["next_timer_at"].startswith("2099-01-04T10:00:00")
    assert case.complaint()["status"] == "awaiting_close" and case.return_callback() is None  # signed after it


def test_a_vehicle_released_three_days_ago_gets_its_callback_now(api):
    case = Case(api)
    case.satisfied_with_return_repair()
    done = case.complete("workshop_supervisor", "record_vehicle_release",
                         {"released_at": "2026-01-05T10:00:00+08:00"})
    assert done["status"] == "waiting" and done["open_tasks"] == []  # for the callback's result
    callback = case.return_callback()
    assert callback["customer_name"] == "王先生" and callback["subject"] == "沪A·12345"
    assert callback["picked_up_at"].startswith("2026-01-05T10:00")
    clerk_tasks = api.as_("customer_dept").get("/tasks", query_string={"process_key": "callback",
                                                                     "per_page": 500}).get_json()["items"]
    assert callback["instance_id"] in [t["instance_id"] for t in clerk_tasks]


def test_the_return_repairs_callback_result_is_on_the_complaint_before_the_general_manager_signs(api, app):
    """domain.md: a return repair's callback result is recorded before the general manager signs.
    The callback procedure (procedure 3's rules) runs three days after the release; the complaint
    reads its result each working day and opens the signature once it is there."""
    sh = timezone(timedelta(hours=8))
    received = datetime(2029, 8, 6, 9, tzinfo=sh)  # a Monday
    with moved_clock(api, received) as clock:
        case = Case(api, received_at=received.isoformat())
        case.satisfied_with_return_repair()
        case.complete("workshop_supervisor", "record_vehicle_release", {"released_at": "2029-08-06T10:00:00+08:00"})
        clock.to(datetime(2029, 8, 9, 10, 1, tzinfo=sh))
        fire_timers(app)
        callback = case.return_callback()
        assert callback is not None and case.open_names() == []  # no signature before the callback's result
        call = [t for t in api.as_("customer_dept").get("/tasks", query_string={
            "process_key": "callback", "per_page": 500}).get_json()["items"] if t["instance_id"] == callback["instance_id"]]
        assert [t["name"] for t in call] == ["call_customer"]
        done = api.as_("customer_dept").post(f"/tasks/{call[0]['id']}/complete", json={"data": {
            "reached": True, "repair_quality": "good", "service_quality": "good", "satisfied": True,
            "callback_remarks": "返修后一切正常"}})
        assert done.status_code == 200, done.get_json()
        assert case.complaint()["return_callback_result"] == "满意。返修后一切正常"
        assert case.open_names() == []  # read on the next working day
        clock.to(datetime(2029, 8, 10, 10, 2, tzinfo=sh))
        fire_timers(app)
        assert case.open_names() == ["sign_close"]
        case.complete("general_manager", "sign_close", {"signature": "sign"})
        assert case.instance()["status"] == "completed"
        assert case.complaint()["status"] == "closed"


def test_a_case_of_the_earlier_version_2_signs_before_its_return_callback_and_finishes_on_it(api):
    """tests/data/complaint.v2a.bpmn: version 2 as deployed before the return repair's callback came before
    the signature (and before the 8D told its complaint). A case started on it goes on to its end on it
    after the shipped diagram is deployed again: signed first, the callback started after the release."""
    old = deploy(api, with_bpmn(shipped(), lambda _: (Path(__file__).parent / "data" / "complaint.v2a.bpmn").read_text()))
    try:
        case = Case(api)
        assert case.instance()["version"] == old["version"]
    finally:
        new = deploy(api, shipped())["version"]
    assert new == old["version"] + 1 and latest_version(api) == new
    case.satisfied_with_return_repair()
    assert case.open_names() == ["sign_close"]  # that version signs before the return repair's callback
    assert case.open_task("sign_close")["due_at"] is not None
    case.complete("general_manager", "sign_close", {"signature": "sign"})
    assert case.complaint()["status"] == "closed"
    done = case.complete("workshop_supervisor", "record_vehicle_release", {"released_at": "2026-01-05T10:00:00+08:00"})
    assert done["status"] == "completed" and case.instance()["version"] == old["version"]
    assert case.return_callback() is not None


def test_the_general_manager_reads_a_complaint_he_has_not_worked_on(api, pages):
    case = Case(api)
    page = pages("general_manager").get(f"/complaints/{case.number}")
    assert page.status_code == 200 and case.number in page.get_data(as_text=True)
