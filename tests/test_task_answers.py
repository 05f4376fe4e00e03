"""Each task writes its own answers, and every task page shows the case: a major complaint
walked through a send-back, a dissatisfied callback, re-handling and the close, through the API
(and the department's page), on both databases."""
import re
from pathlib import Path

from procedures import GOOD_HANDLING, Case

# Values a form may open with: the defaults it declares (empty texts, "no"), never earlier answers.
EMPTY = ("", False, [], {}, None)


def opened(api, case: Case, username: str, name: str, lang: str = "zh-CN") -> dict:
    """The task `name` as its person opens it: checks its form opens empty; the task view."""
    task = case.open_task(name)
    response = api.as_(username).get(f"/tasks/{task['id']}", query_string={"lang": lang})
    assert response.status_code == 200, response.get_json()
    view = response.get_json()
    assert set(view["data"]) <= set(view["form"]["properties"]), view["data"]
    assert all(value in EMPTY or (field, value) == ("reached", True)  # the callback form declares reached
               for field, value in view["data"].items()), (name, view["data"])
    return view


def answers_of(entry: dict) -> dict:
    """An entry's answers as label -> text."""
    return {a["label"]: a["text"] for a in entry["answers"]}


def first_matters(view: dict, task: str) -> dict:
    """The entry of `task` among those shown first (they come before all others)."""
    timeline = view["case"]["timeline"]
    leading = [e for e in timeline if e["matters"]]
    assert timeline[:len(leading)] == leading, "the entries that matter come first"
    found = [e for e in leading if e["task"] == task]
    assert len(found) == 1, (task, [e["task"] for e in leading])
    return found[0]


def test_each_task_writes_its_own_answers_and_sees_the_case(api, pages):
    case = Case(api)
    opened(api, case, "service_manager", "classify_complaint")
    case.classify(category="repair_quality", severity="major", manager_note="先安抚客户，查清原因")
    opened(api, case, "service_manager", "follow_up_major")
    case.complete("service_manager", "follow_up_major", {
        "customer_contacted_at": "2026-11-20T10:00:00+08:00", "follow_up_notes": "客户要求赔偿",
        "within_authority": False})
    opened(api, case, "general_manager", "decide_major")
    case.complete("general_manager", "decide_major", {"gm_decision": "同意补偿一次保养"})

    # Round 1: the department sees the general manager's decision and the manager's instruction.
    view = opened(api, case, "workshop_supervisor", "handle_workshop")
    assert answers_of(first_matters(view, "decide_major")) == {"总经理决定": "同意补偿一次保养"}
    assert answers_of(first_matters(view, "classify_complaint"))["经理批示"] == "先安抚客户，查清原因"
    assert answers_of(first_matters(view, "classify_complaint"))["投诉类别"] == "维修质量"
    assert {f["label"]: f["text"] for f in view["case"]["fields"]}["严重程度"] == "重大"
    start = [e for e in view["case"]["timeline"] if e["task"] == "start"]
    assert start[0]["completed_by"] == "customer_dept" and answers_of(start[0])["客户姓名"] == "王先生"
    case.complete("workshop_supervisor", "handle_workshop", {**GOOD_HANDLING, "hard_fault": True})
    opened(api, case, "technical_supervisor", "plan_repair")
    case.complete("technical_supervisor", "plan_repair", {"repair_plan": "更换ECU并重新标定"})
    case.complete("workshop_supervisor", "report_repair", GOOD_HANDLING)  # the plan carried out
    opened(api, case, "service_manager", "confirm_handling")
    case.complete("service_manager", "confirm_handling",
                  {"confirmation": "send_back", "confirmation_reason": "原因分析不充分"})

    # Round 2 (sent back): the plan and the reason are shown, the form is empty; no hard fault this time.
    view = opened(api, case, "workshop_supervisor", "handle_workshop")
    assert [e["task"] for e in view["case"]["timeline"] if e["matters"]] == [  # the latest decisions first
        "confirm_handling", "plan_repair", "decide_major", "follow_up_major", "classify_complaint"]
    assert answers_of(first_matters(view, "plan_repair")) == {"维修方案": "更换ECU并重新标定", "需返修": "否"}
    assert answers_of(first_matters(view, "confirm_handling")) == {"确认结果": "退回部门", "退回原因": "原因分析不充分"}
    assert answers_of(first_matters(view, "decide_major")) == {"总经理决定": "同意补偿一次保养"}
    english = opened(api, case, "workshop_supervisor", "handle_workshop", lang="en")
    assert answers_of(first_matters(english, "confirm_handling")) == {
        "Decision": "Send back to the department", "Reason for sending back": "原因分析不充分"}
    page = pages("workshop_supervisor").get(f"/tasks/{view['id']}").get_data(as_text=True)
    assert re.search(r'<textarea id="f-result"[^>]*></textarea>', page)
    assert not re.search(r'<option value="true"\s+selected', page)
    assert "原因分析不充分" in page and "同意补偿一次保养" in page and "先安抚客户，查清原因" in page
    rework = {**GOOD_HANDLING, "root_cause": "ECU软件版本过旧"}
    case.complete("workshop_supervisor", "handle_workshop", rework)
    assert case.open_names() == ["confirm_handling"]  # not the technical supervisor again
    view = opened(api, case, "service_manager", "confirm_handling")
    assert answers_of(first_matters(view, "handle_workshop"))["原因分析"] == "ECU软件版本过旧"
    case.complete("service_manager", "confirm_handling", {"confirmation": "approve"})
    assert case.instance()["data"]["confirmation_reason"] == ""  # the case holds the latest round
    opened(api, case, "customer_dept", "call_back_customer")
    case.complete("customer_dept", "call_back_customer",
                  {"problem_solved": False, "callback_satisfied": False, "callback_remarks": "仍有异响"})
    case.complete("service_manager", "decide_dissatisfied", {"dissatisfied_action": "rehandle"})  # another round

    # Round 3 (customer dissatisfied): the callback is shown; nothing of it is in the form.
    view = opened(api, case, "workshop_supervisor", "handle_workshop")
    assert view["case"]["timeline"][0]["task"] == "call_back_customer"
    assert answers_of(first_matters(view, "call_back_customer")) == {
        "已接通（未接通：下一个工作日再拨，共3次）": "是", "问题已解决": "否", "客户满意": "否", "回访备注": "仍有异响"}
    case.complete("workshop_supervisor", "handle_workshop", {**GOOD_HANDLING, "result": "更换发动机支架"})
    assert case.open_names() == ["confirm_handling"]
    case.complete("service_manager", "confirm_handling", {"confirmation": "approve"})
    view = opened(api, case, "customer_dept", "call_back_customer")
    assert answers_of(first_matters(view, "confirm_handling")) == {"确认结果": "确认签字"}
    case.complete("customer_dept", "call_back_customer", {"problem_solved": True, "callback_satisfied": True})
    view = opened(api, case, "general_manager", "sign_close")
    assert answers_of(first_matters(view, "call_back_customer")) == {"已接通（未接通：下一个工作日再拨，共3次）": "是", "问题已解决": "是", "客户满意": "是"}
    assert case.complete("general_manager", "sign_close", {})["status"] == "completed"

    handled = {**GOOD_HANDLING, "hard_fault": False}
    assert [(h["task"], h["data"]) for h in case.instance()["history"]][1:] == [
        ("classify_complaint", {"category": "repair_quality", "severity": "major", "other_department": None,
                                "deadline_days": None, "manager_note": "先安抚客户，查清原因",
                                "responsible_person": "workshop_supervisor"}),
        ("follow_up_major", {"customer_contacted_at": "2026-11-20T10:00:00+08:00", "follow_up_notes": "客户要求赔偿",
                             "within_authority": False}),
        ("decide_major", {"gm_decision": "同意补偿一次保养"}),
        ("handle_workshop", {**GOOD_HANDLING, "hard_fault": True}),
        ("plan_repair", {"repair_plan": "更换ECU并重新标定", "return_repair": False}),
        ("report_repair", GOOD_HANDLING),
        ("confirm_handling", {"confirmation": "send_back", "confirmation_reason": "原因分析不充分"}),
        ("handle_workshop", {**handled, "root_cause": "ECU软件版本过旧"}),
        ("confirm_handling", {"confirmation": "approve", "confirmation_reason": ""}),
        ("call_back_customer", {"problem_solved": False, "callback_satisfied": False, "callback_remarks": "仍有异响",
                                "reached": True}),
        ("decide_dissatisfied", {"dissatisfied_action": "rehandle", "unresolved_reason": "", "round_complete": None}),
        ("handle_workshop", {**handled, "result": "更换发动机支架"}),
        ("confirm_handling", {"confirmation": "approve", "confirmation_reason": ""}),
        ("call_back_customer", {"problem_solved": True, "callback_satisfied": True, "callback_remarks": "",
                                "reached": True}),
        ("sign_close", {"signature": None, "signature_reason": "", "close_remarks": ""}),
    ]
    record = case.complaint()
    assert record["status"] == "closed" and record["handling_rounds"] == 3 and record["gm_decision"] == "同意补偿一次保养"


def test_what_a_task_shows_is_checked_against_the_procedures_forms(app):
    """A task's page is told in its diagram which earlier answers to show first: forms of its procedure."""
    from app.services import deployments
    files = deployments.procedure_files(Path("processes"))["callback"]
    bpmn = files["callback.bpmn"].replace('name="shows" value="callback.call"', 'name="shows" value="complaint.intake"', 1)
    with app.app_context():
        _, problems = deployments.check({**files, "callback.bpmn": bpmn})
    found = {(p.element_id, str(p.message)) for p in problems}
    assert ("call_customer", "property shows names forms this procedure does not use: complaint.intake") in found
