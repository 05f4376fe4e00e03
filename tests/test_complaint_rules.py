"""Procedure 1, version 2, as the department's rules run it (domain.md "Responsibility and
deadlines"): the manager names a responsible person, every clock is a timer counted from receipt,
a miss is written against the person who holds the work and escalated one level up, the
escalation closes itself when the work is done and its choices take effect. On a moved clock,
through the real engine and the API."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import Notice, OverdueRecord, User
from procedures import GOOD_HANDLING, Case, fire_timers, moved_clock

SH = timezone(timedelta(hours=8))


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def _records(app, case) -> list[tuple]:
    """(person, task, miss in month) of each overdue record of the case, oldest first."""
    with app.app_context():
        rows = db.session.scalars(select(OverdueRecord).where(OverdueRecord.business_key == case.number)
                                  .order_by(OverdueRecord.id))
        return [(r.person.username if r.person else None, r.task_name, r.miss_in_month) for r in rows]


def _inbox(api, username) -> list[str]:
    listed = api.as_(username).get("/tasks", query_string={"process_key": "complaint", "per_page": 500})
    assert listed.status_code == 200, listed.get_json()
    return [t["id"] for t in listed.get_json()["items"]]


def test_the_responsible_person_must_hold_the_routed_role(api):
    case = Case(api)
    for wrong in ("workshop_supervisor", "nobody_of_that_name"):
        refused = api.as_("service_manager").post(
            f"/tasks/{case.open_task('classify_complaint')['id']}/complete",
            json={"data": {"category": "parts", "severity": "general", "responsible_person": wrong}})
        assert refused.status_code == 422, refused.get_json()
        assert "responsible_person" in refused.get_json()["error"]["fields"]
        assert case.open_names() == ["classify_complaint"]  # nothing changed
    chinese = api.as_("service_manager").post(
        f"/tasks/{case.open_task('classify_complaint')['id']}/complete",
        json={"data": {"category": "parts", "severity": "general", "responsible_person": "workshop_supervisor"}},
        headers={"Accept-Language": "zh-CN"})
    assert "责任" in chinese.get_json()["error"]["fields"]["responsible_person"][0]
    case.classify(category="parts")
    task = case.open_task("handle_parts")
    assert task["claimed_by"] == "parts_manager"
    assert case.complaint("service_manager")["responsible_person"] == "parts_manager"


def test_a_major_complaint_unanswered_24_hours_after_receipt_is_recorded_and_escalated(api, app):
    with moved_clock(api, at(2026, 6, 1, 9)) as clock:   # a Monday
        case = Case(api)
        clock.to(at(2026, 6, 1, 15))
        case.classify(category="parts", severity="major")
        follow_up = case.open_task("follow_up_major")
        assert follow_up["claimed_by"] == "service_manager"  # the manager follows it up personally
        assert follow_up["due_at"].startswith("2026-06-02T09:00")  # 24 hours from receipt, not classification
        clock.to(at(2026, 6, 2, 8, 59))
        fire_timers(app)
        assert case.open_names() == ["follow_up_major"] and _records(app, case) == []
        clock.to(at(2026, 6, 2, 9, 1))
        fire_timers(app)
        assert case.open_names() == ["escalate_follow_up_major", "follow_up_major"]
        assert _records(app, case) == [("service_manager", "follow_up_major", _records(app, case)[0][2])]
        escalation = case.open_task("escalate_follow_up_major")
        assert escalation["lane"] == "general_manager"
        assert escalation["id"] in _inbox(api, "general_manager")
        fire_timers(app)  # a second pass fires nothing twice
        assert len(_records(app, case)) == 1
        case.complete("service_manager", "follow_up_major", {
            "customer_contacted_at": "2026-06-02T09:30:00+08:00", "follow_up_notes": "已致电客户",
            "within_authority": True})
        assert case.open_names() == ["handle_parts"]  # answering closed the escalation
        assert escalation["id"] not in _inbox(api, "general_manager")


def test_classification_is_due_one_working_day_after_receipt_and_escalates_to_the_general_manager(api, app):
    with moved_clock(api, at(2026, 6, 5, 16)) as clock:   # a Friday
        case = Case(api)
        assert case.open_task("classify_complaint")["due_at"].startswith("2026-06-08T16:00")
        clock.to(at(2026, 6, 8, 16, 1))
        fire_timers(app)
        assert case.open_names() == ["classify_complaint", "escalate_classify_complaint"]
        assert case.open_task("escalate_classify_complaint")["lane"] == "general_manager"
        assert _records(app, case)[0][:2] == (None, "classify_complaint")  # nobody held it: the role's
        case.classify()
        assert case.open_names() == ["handle_parts"]


def _missed_by_parts_manager(api, app, day) -> Case:
    with moved_clock(api, at(2025, 7, day, 9)) as clock:
        case = Case(api)
        case.classify(category="parts", deadline_days=1)
        clock.to(at(2025, 7, day + 1, 9, 30))
        fire_timers(app)
    return case


def test_three_misses_of_the_named_person_in_a_month_flag_the_general_manager_with_penalties(api, app):
    cases = [_missed_by_parts_manager(api, app, day) for day in (7, 8, 9)]  # Mon–Wed, July 2025
    misses = [_records(app, c) for c in cases]
    assert [m[0][0] for m in misses] == ["parts_manager"] * 3  # unclaimed, but named: the person's
    assert sorted(m[0][2] for m in misses) == [1, 2, 3]
    flagged = [c for c in cases if "review_repeated_overdue" in c.open_names()]
    assert len(flagged) == 1
    assert flagged[0].open_task("review_repeated_overdue")["lane"] == "general_manager"
    listed = api.as_("service_manager").get("/penalties", query_string={"month": "2025-07", "person": "parts_manager",
                                                                         "per_page": 500}).get_json()["items"]
    mine = [p for p in listed if p["business_key"] in {c.number for c in cases}]
    assert len(mine) == 3 and {(p["breach"], p["status"], p["amount"]) for p in mine} == {
        ("missed_deadline", "proposed", 50)}
    # the department finishing its work leaves the general manager's review open
    flagged[0].complete("parts_manager", "handle_parts", GOOD_HANDLING)
    assert "review_repeated_overdue" in flagged[0].open_names()
    flagged[0].complete("general_manager", "review_repeated_overdue", {"review_notes": "已约谈配件经理"})
    assert "review_repeated_overdue" not in flagged[0].open_names()


@pytest.fixture
def parts_manager_takes_notices(app):
    with app.app_context():
        db.session.execute(update(User).where(User.username == "parts_manager")
                           .values(notify_by="email", notify_to="parts@example.test"))
        db.session.commit()
    yield
    with app.app_context():
        db.session.execute(update(User).values(notify_by="none", notify_to=None))
        db.session.commit()


def _work(case) -> list[str]:
    """The case's open tasks but the general manager's third-miss review (the tests below share
    parts_manager's misses of June 2026: whichever case meets the third gets it)."""
    return [name for name in case.open_names() if name != "review_repeated_overdue"]


def _late_parts_case(api, app, clock) -> Case:
    case = Case(api)
    case.classify(category="parts", deadline_days=1)
    clock.to(at(2026, 6, 9, 9, 30))
    fire_timers(app)
    assert _work(case) == ["escalate_handle_parts", "handle_parts"]
    return case


def test_urging_tells_the_holder(api, app, parts_manager_takes_notices):
    with moved_clock(api, at(2026, 6, 8, 9)) as clock:
        case = _late_parts_case(api, app, clock)
        task = case.open_task("handle_parts")
        case.complete("service_manager", "escalate_handle_parts",
                      {"escalation_action": "urge_department", "escalation_notes": "今天下班前必须回复客户"})
        assert _work(case) == ["handle_parts"]
        with app.app_context():
            bodies = db.session.scalars(select(Notice.body).join(User, User.id == Notice.user_id)
                                        .where(Notice.task_id == task["id"], User.username == "parts_manager")).all()
        assert any("今天下班前必须回复客户" in body for body in bodies)


def test_extending_with_a_reason_re_times_the_deadline(api, app):
    with moved_clock(api, at(2026, 6, 8, 9)) as clock:
        case = _late_parts_case(api, app, clock)
        refused = api.as_("service_manager").post(
            f"/tasks/{case.open_task('escalate_handle_parts')['id']}/complete",
            json={"data": {"escalation_action": "extend_deadline", "escalation_notes": "客户同意"}})
        assert refused.status_code == 422 and "extended_until" in refused.get_json()["error"]["fields"]
        case.complete("service_manager", "escalate_handle_parts", {
            "escalation_action": "extend_deadline", "extended_until": "2026-06-11T17:00:00+08:00",
            "escalation_notes": "配件缺货，客户同意延至周四"})
        assert _work(case) == ["handle_parts"]
        assert case.open_task("handle_parts")["due_at"].startswith("2026-06-11T17:00")
        clock.to(at(2026, 6, 11, 16, 59))
        fire_timers(app)
        assert _work(case) == ["handle_parts"] and len(_records(app, case)) == 1
        clock.to(at(2026, 6, 11, 17, 1))
        fire_timers(app)
        assert _work(case) == ["escalate_handle_parts", "handle_parts"]  # missed again
        assert [r[:2] for r in _records(app, case)] == [("parts_manager", "handle_parts")] * 2
        case.complete("parts_manager", "handle_parts", GOOD_HANDLING)
        assert _work(case) == ["confirm_handling"]


def test_taking_over_moves_the_task_to_the_manager(api, app):
    with moved_clock(api, at(2026, 6, 8, 9)) as clock:
        case = _late_parts_case(api, app, clock)
        case.complete("service_manager", "escalate_handle_parts",
                      {"escalation_action": "take_over", "escalation_notes": "我亲自处理"})
        task = case.open_task("handle_parts")
        assert task["claimed_by"] == "service_manager"
        assert api.as_("parts_manager").post(f"/tasks/{task['id']}/complete",
                                             json={"data": GOOD_HANDLING}).status_code == 409
        case.complete("service_manager", "handle_parts", GOOD_HANDLING)
        assert _work(case) == ["confirm_handling"]


def test_a_hard_fault_gets_its_plan_before_the_workshop_reports_the_result(api):
    case = Case(api)
    case.classify(category="repair_quality")
    case.complete("workshop_supervisor", "handle_workshop", {**GOOD_HANDLING, "hard_fault": True})
    assert case.open_names() == ["plan_repair"]
    case.complete("technical_supervisor", "plan_repair", {"repair_plan": "更换ECU并重新标定"})
    report = case.open_task("report_repair")
    assert report["claimed_by"] == "workshop_supervisor"
    case.complete("workshop_supervisor", "report_repair", {
        "result": "按方案更换ECU，试车正常", "root_cause": "ECU程序缺陷", "improvement": "同批次车辆主动召回检查"})
    assert case.open_names() == ["confirm_handling"]
    assert case.complaint("service_manager")["result"] == "按方案更换ECU，试车正常"


def test_the_general_manager_may_refuse_to_sign_and_send_it_back(api):
    case = Case(api)
    case.classify(category="sales")
    case.complete("business_supervisor", "handle_business", GOOD_HANDLING)
    case.complete("service_manager", "confirm_handling", {"confirmation": "approve"})
    case.complete("customer_dept", "call_back_customer", {"problem_solved": True, "callback_satisfied": True})
    refused = api.as_("general_manager").post(f"/tasks/{case.open_task('sign_close')['id']}/complete",
                                              json={"data": {"signature": "send_back"}})
    assert refused.status_code == 422 and "signature_reason" in refused.get_json()["error"]["fields"]
    case.complete("general_manager", "sign_close", {"signature": "send_back", "signature_reason": "整改措施不具体"})
    assert case.open_names() == ["confirm_handling"]
    case.complete("service_manager", "confirm_handling", {"confirmation": "approve"})
    case.complete("customer_dept", "call_back_customer", {"problem_solved": True, "callback_satisfied": True})
    case.complete("general_manager", "sign_close", {"signature": "sign"})
    assert case.instance()["status"] == "completed"
    assert case.complaint("service_manager")["status"] == "closed"


def _round(case, api):
    """One round of handling, confirmation and a callback where the customer stays dissatisfied."""
    case.complete("business_supervisor", "handle_business", GOOD_HANDLING)
    case.complete("service_manager", "confirm_handling", {"confirmation": "approve"})
    case.complete("customer_dept", "call_back_customer", {"problem_solved": False, "callback_satisfied": False})
    assert case.open_names() == ["decide_dissatisfied"]


def _refused(api, username, task, data, field):
    refused = api.as_(username).post(f"/tasks/{task['id']}/complete", json={"data": data},
                                     headers={"Accept-Language": "zh-CN"})
    assert refused.status_code == 422, refused.get_json()
    assert field in refused.get_json()["error"]["fields"]


def test_a_customer_who_stays_dissatisfied_is_closed_unresolved_with_the_general_managers_approval(api):
    """domain.md 「改善后结果与客户存在分歧」: after a round the customer still disputes, the manager may
    propose closing it unresolved with a reason; the general manager approves (closed, closure type
    unresolved, counted in 满意结案率's denominator) or sends it back for another round."""
    received = at(2029, 2, 5, 9)  # a Monday, a month no other test uses
    with moved_clock(api, received) as clock:
        case = Case(api, received_at=received.isoformat())
        case.classify(category="sales")
        _round(case, api)
        decide = case.open_task("decide_dissatisfied")
        assert decide["lane"] == "service_manager"
        case.complete("service_manager", "decide_dissatisfied", {"dissatisfied_action": "rehandle"})
        assert case.open_names() == ["handle_business"]  # another round, as before
        clock.to(at(2029, 2, 6, 10))
        _round(case, api)
        _refused(api, "service_manager", case.open_task("decide_dissatisfied"),
                 {"dissatisfied_action": "propose_unresolved"}, "unresolved_reason")
        assert case.open_names() == ["decide_dissatisfied"]  # nothing changed
        # round 2 of 3: proposing it needs the manager's judgement that the round was complete
        refused = api.as_("service_manager").post(
            f"/tasks/{case.open_task('decide_dissatisfied')['id']}/complete", headers={"Accept-Language": "zh-CN"},
            json={"data": {"dissatisfied_action": "propose_unresolved", "unresolved_reason": "客户要求超出三包范围的赔偿"}})
        assert refused.status_code == 422, refused.get_json()
        assert "第2轮" in refused.get_json()["error"]["fields"]["round_complete"][0]
        assert case.open_names() == ["decide_dissatisfied"]  # nothing changed
        case.complete("service_manager", "decide_dissatisfied",
                      {"dissatisfied_action": "propose_unresolved", "round_complete": True,
                       "unresolved_reason": "客户要求超出三包范围的赔偿"})
        approval = case.open_task("approve_unresolved")
        assert approval["lane"] == "general_manager"
        _refused(api, "general_manager", approval, {"unresolved_decision": "send_back"}, "unresolved_decision_reason")
        case.complete("general_manager", "approve_unresolved",
                      {"unresolved_decision": "send_back", "unresolved_decision_reason": "再与客户协商一次"})
        assert case.open_names() == ["handle_business"]  # the general manager sent it back: another round
        assert case.complaint("service_manager")["status"] == "rehandling"
        clock.to(at(2029, 2, 7, 10))
        _round(case, api)  # the 3rd handling round: proposing needs no judgement of the round now
        case.complete("service_manager", "decide_dissatisfied",
                      {"dissatisfied_action": "propose_unresolved", "unresolved_reason": "协商三次，客户仍坚持原诉求"})
        case.complete("general_manager", "approve_unresolved", {"unresolved_decision": "approve"})
        assert case.instance()["status"] == "completed"
        complaint = case.complaint("service_manager")
        assert complaint["status"] == "closed" and complaint["closure_type"] == "unresolved"
        assert "未满意结案（处理3轮）：协商三次，客户仍坚持原诉求" in complaint["callback_result"]
        assert complaint["handling_rounds"] == 3
        clock.to(at(2029, 3, 1, 9))
        response = api.as_("customer_dept").get("/kpis", query_string={"month": "2029-02"})
    assert response.status_code == 200, response.get_json()
    kpi = {k["key"]: (k["numerator"], k["denominator"]) for k in response.get_json()["items"]}
    assert kpi["satisfied_closure"] == (0, 1)  # closed unresolved: in the denominator, not satisfied


def _deadline(app, start: datetime, days: int) -> datetime:
    from app.workdays import add_working_days
    with app.app_context():
        return add_working_days(start, days)


def test_a_major_complaint_open_10_working_days_after_receipt_is_recorded_against_the_named_person(api, app):
    """domain.md: a major complaint is closed within 10 working days of receipt. The timer writes
    the responsible person's overdue record and puts an escalation in the general manager's inbox;
    the clock stops (its escalation too) when the case closes."""
    received = at(2029, 4, 2, 9)  # a Monday, a month no other test uses
    closure = _deadline(app, received, 10)
    with moved_clock(api, received) as clock:
        case = Case(api, received_at=received.isoformat())
        case.classify(category="sales", severity="major")
        case.complete("service_manager", "follow_up_major", {
            "customer_contacted_at": "2029-04-02T10:00:00+08:00", "follow_up_notes": "已致电客户",
            "within_authority": True})
        assert case.open_names() == ["handle_business"]
        clock.to(closure - timedelta(minutes=1))
        fire_timers(app)
        assert "escalate_closure" not in case.open_names()
        late_handling = _records(app, case)  # the 3-day handling plan was missed on the way
        clock.to(closure + timedelta(minutes=1))
        fire_timers(app)
        assert "escalate_closure" in case.open_names()
        escalation = case.open_task("escalate_closure")
        assert escalation["lane"] == "general_manager" and escalation["id"] in _inbox(api, "general_manager")
        assert _records(app, case)[len(late_handling):] == [("business_supervisor", "closure", len(late_handling) + 1)]
        fire_timers(app)  # a second pass fires nothing twice
        assert len(_records(app, case)) == len(late_handling) + 1
        case.complete("business_supervisor", "handle_business", GOOD_HANDLING)
        case.complete("service_manager", "confirm_handling", {"confirmation": "approve"})
        case.complete("customer_dept", "call_back_customer", {"problem_solved": True, "callback_satisfied": True})
        case.complete("general_manager", "sign_close", {})
        assert case.instance()["status"] == "completed"  # closing stopped the clock and its escalation
        assert escalation["id"] not in _inbox(api, "general_manager")


def test_a_major_complaint_closed_in_time_leaves_no_closure_record(api, app):
    received = at(2029, 4, 9, 9)
    with moved_clock(api, received) as clock:
        case = Case(api, received_at=received.isoformat())
        case.classify(category="sales", severity="major")
        case.complete("service_manager", "follow_up_major", {
            "customer_contacted_at": "2029-04-09T10:00:00+08:00", "follow_up_notes": "已致电客户",
            "within_authority": True})
        case.complete("business_supervisor", "handle_business", GOOD_HANDLING)
        case.complete("service_manager", "confirm_handling", {"confirmation": "approve"})
        case.complete("customer_dept", "call_back_customer", {"problem_solved": True, "callback_satisfied": True})
        case.complete("general_manager", "sign_close", {})
        assert case.instance()["status"] == "completed"
        clock.to(_deadline(app, received, 11))
        fire_timers(app)
        assert _records(app, case) == []


def test_the_dissatisfied_decision_and_its_approval_are_clocked_and_escalated(api, app):
    """The manager decides within 1 working day of the dissatisfied callback (as a confirmation),
    the general manager answers the proposal within 2 (as a signature); a miss is recorded against
    the holder and escalated one level up (general manager, group supervisor), and the escalation
    closes itself when the work is done."""
    received = at(2029, 5, 7, 9)  # a Monday, a month no other test uses
    with moved_clock(api, received) as clock:
        case = Case(api, received_at=received.isoformat())
        case.classify(category="sales")
        _round(case, api)
        decide = case.open_task("decide_dissatisfied")
        assert decide["due_at"].startswith("2029-05-08T09:00")
        assert api.as_("service_manager").post(f"/tasks/{decide['id']}/claim").status_code == 200
        clock.to(at(2029, 5, 8, 9, 1))
        fire_timers(app)
        assert case.open_names() == ["decide_dissatisfied", "escalate_decide_dissatisfied"]
        escalation = case.open_task("escalate_decide_dissatisfied")
        assert escalation["lane"] == "general_manager"
        assert _records(app, case)[-1][:2] == ("service_manager", "decide_dissatisfied")
        case.complete("service_manager", "decide_dissatisfied",
                      {"dissatisfied_action": "propose_unresolved", "round_complete": True,
                       "unresolved_reason": "客户要求超出三包范围的赔偿"})
        assert case.open_names() == ["approve_unresolved"]  # the escalation closed itself
        approval = case.open_task("approve_unresolved")
        assert approval["due_at"].startswith("2029-05-10T09:01")
        clock.to(at(2029, 5, 10, 9, 2))
        fire_timers(app)
        assert case.open_names() == ["approve_unresolved", "escalate_approve_unresolved"]
        assert case.open_task("escalate_approve_unresolved")["lane"] == "group_supervisor"
        assert _records(app, case)[-1][:2] == (None, "approve_unresolved")  # nobody held it: the role's
        case.complete("general_manager", "approve_unresolved", {"unresolved_decision": "approve"})
        assert case.instance()["status"] == "completed"


def test_a_complaint_callback_not_reached_is_tried_again_the_next_working_day_three_times(api, app):
    """procedure 3's rules for the complaint's own callback: a customer not reached is called again
    the next working day (due by its end), 3 attempts; then it is recorded as not reached (not an
    effective callback) and the manager decides; a new round's callback counts its attempts afresh."""
    received = at(2029, 6, 4, 9)  # a Monday, a month no other test uses
    with moved_clock(api, received) as clock:
        case = Case(api, received_at=received.isoformat())
        case.classify(category="sales")
        case.complete("business_supervisor", "handle_business", GOOD_HANDLING)
        case.complete("service_manager", "confirm_handling", {"confirmation": "approve"})
        refused = api.as_("customer_dept").post(f"/tasks/{case.open_task('call_back_customer')['id']}/complete",
                                                json={"data": {"reached": True}})
        assert refused.status_code == 422 and "callback_satisfied" in refused.get_json()["error"]["fields"]
        for attempt, day in ((1, 4), (2, 5), (3, 6)):
            clock.to(at(2029, 6, day, 10, attempt))
            fire_timers(app)
            call = case.open_task("call_back_customer")
            if attempt > 1:
                assert call["due_at"].startswith(f"2029-06-0{day}T23:59")  # the end of that working day
            case.complete("customer_dept", "call_back_customer", {"reached": False, "callback_remarks": "无人接听"})
            if attempt < 3:
                assert case.open_names() == []  # waiting for the next working day
                assert f"第{attempt}次回访未接通" in case.complaint()["callback_result"]
        assert case.open_names() == ["decide_dissatisfied"]
        complaint = case.complaint("service_manager")
        assert complaint["callback_result"].startswith("未接通（3次）") and complaint["callback_satisfied"] is None
        case.complete("service_manager", "decide_dissatisfied", {"dissatisfied_action": "rehandle"})
        case.complete("business_supervisor", "handle_business", GOOD_HANDLING)
        case.complete("service_manager", "confirm_handling", {"confirmation": "approve"})
        case.complete("customer_dept", "call_back_customer", {"reached": False})
        assert case.open_names() == []  # the new round's first attempt, not a fourth
        clock.to(at(2029, 6, 7, 10, 5))
        fire_timers(app)
        case.complete("customer_dept", "call_back_customer", {"problem_solved": True, "callback_satisfied": True})
        assert case.open_names() == ["sign_close"]
        clock.to(at(2029, 7, 1, 9))
        response = api.as_("customer_dept").get("/kpis", query_string={"month": "2029-06"})
    assert response.status_code == 200, response.get_json()
    kpi = {k["key"]: (k["numerator"], k["denominator"]) for k in response.get_json()["items"]}
    assert kpi["satisfaction"] == (1, 1)  # four calls nobody answered are no effective callbacks


def test_a_product_quality_complaint_starts_the_8d_procedure_and_goes_on_to_the_managers_confirmation(api, app):
    """domain.md "Quality complaints (8D)": a complaint classified as product quality (产品质量) goes to
    quality assurance in the 8D procedure, a case of the complaint's unit linked to its number; the
    complaint itself goes on to the manager's confirmation (the 8D's own clocks time the quality work)."""
    from app.models import ProcessInstance, QualityComplaint
    from cases import Instance
    case = Case(api, description="外壳批量缩痕", vehicle="XR-200 外壳")
    case.classify(category="product_quality", responsible_person="quality_assurance")
    number = case.instance()["data"]["quality_complaint_number"]
    assert number.startswith("QC-")
    linked = api.as_("quality_assurance").get("/quality-complaints",
                                              query_string={"complaint_number": case.number}).get_json()
    assert [r["number"] for r in linked["items"]] == [number]
    record = api.as_("quality_assurance").get(f"/quality-complaints/{number}").get_json()
    assert (record["customer_name"], record["product"], record["description"]) == ("王先生", "XR-200 外壳", "外壳批量缩痕")
    assert record["status"] == "response"
    eight_d = Instance(api, record["instance_id"])
    assert eight_d.open_names() == ["assess_complaint"]
    inbox = api.as_("quality_assurance").get("/tasks", query_string={"process_key": "quality_complaint",
                                                                     "per_page": 500}).get_json()["items"]
    assert eight_d.open_task("assess_complaint")["id"] in [t["id"] for t in inbox]
    with app.app_context():
        complaint_unit = db.session.get(ProcessInstance, case.id).unit_id
        assert db.session.get(ProcessInstance, record["instance_id"]).unit_id == complaint_unit
        assert db.session.scalar(select(QualityComplaint.unit_id).where(QualityComplaint.number == number)) == complaint_unit
    # the complaint moves on: quality assurance answers for it, the manager confirms within a working day
    assert case.open_names() == ["confirm_handling"]
    complaint = case.complaint("service_manager")
    assert complaint["category"] == "product_quality" and complaint["responsible_role"] == "quality_assurance"
    assert complaint["status"] == "awaiting_confirmation"
    # a round sent back does not start a second 8D: the one started keeps its rounds
    case.complete("service_manager", "confirm_handling", {"confirmation": "send_back", "confirmation_reason": "等8D临时措施"})
    assert case.open_names() == ["confirm_handling"]
    assert case.instance()["data"]["quality_complaint_number"] == number
    again = api.as_("quality_assurance").get("/quality-complaints", query_string={"complaint_number": case.number})
    assert again.get_json()["total"] == 1
    case.complete("service_manager", "confirm_handling", {"confirmation": "approve"})
    assert case.open_names() == []  # no callback of its own: it waits for the 8D's effect check (its procedure test)
