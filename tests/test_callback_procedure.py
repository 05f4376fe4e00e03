"""Procedure 3, callback (回访), driven through HTTP as the demo users."""
from datetime import datetime, timedelta

from cases import SHANGHAI, START, CallbackCase, sign_in
from procedures import Case, fire_timers, moved_clock

FRIDAY = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)


def test_a_callback_is_due_three_working_days_after_pickup(api):
    case = CallbackCase(api, picked_up_at=FRIDAY)
    record = case.record()
    assert record["status"] == "due" and record["kind"] == "first" and record["source"] == "delivery"
    assert record["deadline_at"] == "2026-11-25T10:00:00+08:00"  # Mon, Tue, Wed
    task = case.open_task("call_customer")
    assert task["lane"] == "customer_dept" and task["due_at"] == record["deadline_at"]
    assert task["business_key"] == str(case.callback_id)


def test_never_later_than_seven_calendar_days_after_pickup(api):
    # National Day 2026: 1-7 October off, Saturday 10 October worked. Three working days after
    # 30 September would be 10 October; seven calendar days end on the 7th.
    case = CallbackCase(api, picked_up_at=datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI))
    assert case.record()["deadline_at"] == "2026-10-07T10:00:00+08:00"


def test_the_start_form_is_checked_and_only_customer_relations_or_an_admin_start_one(api):
    tomorrow = datetime.now(SHANGHAI) + timedelta(days=1)
    response = api.as_("customer_dept").post("/processes/callback/instances", json={"data": {
        **START, "picked_up_at": tomorrow.isoformat(), "contact_phone": "call me"}})
    assert response.status_code == 422
    assert {"picked_up_at", "contact_phone"} <= set(response.get_json()["error"]["fields"])
    assert api.as_("logistics_clerk").post("/processes/callback/instances", json={"data": {
        **START, "picked_up_at": FRIDAY.isoformat()}}).status_code == 403
    assert CallbackCase(api, picked_up_at=FRIDAY, username="admin").record()["status"] == "due"


def test_a_satisfied_customer_gets_the_follow_up_callback_two_weeks_after_the_repair(api, app):
    picked_up = datetime.now(SHANGHAI) - timedelta(hours=2)
    case = CallbackCase(api, picked_up_at=picked_up)
    refused = case.complete("customer_dept", "call_customer", {"reached": True}, expect=422)
    assert {"repair_quality", "service_quality", "satisfied"} <= set(refused["error"]["fields"])
    after = case.call(reached=True, satisfied=True, callback_remarks="车辆正常")
    assert after["status"] == "waiting" and after["open_tasks"] == []
    record = case.record()
    assert record["status"] == "completed" and record["effective"] is True and record["satisfied"] is True
    assert record["repair_quality"] == "good" and record["attempts"] == 1
    follow_ups = api.as_("customer_dept").get("/callbacks", query_string={"status": "scheduled", "per_page": 500})
    follow_up = [c for c in follow_ups.get_json()["items"] if c["parent_id"] == case.callback_id]
    assert len(follow_up) == 1 and follow_up[0]["kind"] == "follow_up"
    timer = datetime.fromisoformat(case.instance()["next_timer_at"])
    assert timer == picked_up + timedelta(days=14)
    fire_timers(app, api, timer - timedelta(minutes=5))
    assert case.open_names() == []  # not before two weeks
    fire_timers(app, api, timer + timedelta(minutes=1))
    task = case.open_task("follow_up_call")
    assert task["lane"] == "customer_dept" and task["due_at"] == follow_up[0]["due_at"]
    with moved_clock(api, timer + timedelta(minutes=2)):
        case.complete("customer_dept", "follow_up_call", {"follow_up_reached": True}, expect=422)
        done = case.complete("customer_dept", "follow_up_call",
                             {"follow_up_reached": True, "follow_up_satisfied": True, "follow_up_remarks": "无异常"})
    assert done["status"] == "completed"
    finished = case.record(follow_up[0]["id"])
    assert finished["status"] == "completed" and finished["satisfied"] is True and finished["attempts"] == 1


def test_an_unreachable_customer_is_tried_the_next_working_day_three_times_then_ineffective(api, app):
    case = CallbackCase(api)
    after = case.call(reached=False, callback_remarks="无人接听")
    assert after["status"] == "waiting"
    for attempt in (2, 3):
        record = case.record()
        assert record["status"] == "retry" and record["attempts"] == attempt - 1
        retry_at = datetime.fromisoformat(case.instance()["next_timer_at"])
        due = datetime.fromisoformat(record["due_at"])
        assert retry_at.date() == due.date() and retry_at > datetime.fromisoformat(record["attempt_log"][-1][
            "attempted_at"])
        listed = api.as_("customer_dept").get("/callbacks", query_string={"due": due.date().isoformat()}).get_json()
        assert case.callback_id in [c["id"] for c in listed["items"]]  # on that day's list
        fire_timers(app, api, retry_at - timedelta(minutes=1))
        assert case.open_names() == []  # not before the next working day
        fire_timers(app, api, retry_at + timedelta(minutes=1))
        assert case.open_names() == ["call_customer"] and case.record()["status"] == "due"
        with moved_clock(api, retry_at + timedelta(minutes=2)):
            case.call(reached=False)
    record = case.record()
    assert record["status"] == "ineffective" and record["effective"] is False and record["attempts"] == 3
    assert [a["reached"] for a in record["attempt_log"]] == [False, False, False]
    assert record["attempt_log"][0]["remarks"] == "无人接听"
    assert case.open_names() == [] and case.instance()["status"] == "waiting"  # the follow-up still comes
    ineffective = api.as_("service_manager").get("/callbacks", query_string={"status": "ineffective",
                                                                             "per_page": 500}).get_json()
    assert case.callback_id in [c["id"] for c in ineffective["items"]]


def test_a_dissatisfied_customer_gets_an_apology_and_a_complaint_linked_both_ways(api):
    case = CallbackCase(api, customer_name="孙先生", subject="沪C·24680")
    case.call(reached=True, satisfied=False, callback_remarks="刹车仍有异响")
    assert case.open_task("apologise")["lane"] == "customer_dept"
    case.complete("customer_dept", "apologise", {"apology": "已致歉"}, expect=422)
    case.complete("customer_dept", "apologise", {"apology": "已代表公司致歉", "complaint_description": "刹车仍有异响",
                                                 "customer_request": "免费复检"})
    record = case.record()
    assert record["satisfied"] is False and record["apology"] == "已代表公司致歉"
    number = record["complaint_number"]
    assert number and number.startswith("TS-")
    complaint = api.as_("customer_dept").get(f"/complaints/{number}").get_json()
    assert complaint["channel"] == "callback" and complaint["source_callback_id"] == case.callback_id
    assert complaint["customer_name"] == "孙先生" and complaint["vehicle"] == "沪C·24680"
    assert complaint["description"] == "刹车仍有异响" and complaint["status"] == "registered"
    inbox = api.as_("service_manager").get("/tasks", query_string={"process_key": "complaint",
                                                                   "per_page": 500}).get_json()["items"]
    mine = [t for t in inbox if t["business_key"] == number]
    assert [t["name"] for t in mine] == ["classify_complaint"]
    ledger = api.as_("service_manager").get("/complaints", query_string={"channel": "callback"}).get_json()
    assert number in [c["number"] for c in ledger["items"]]


def test_the_clerk_sees_the_callbacks_due_on_the_next_working_day(api, app, client):
    due_friday = CallbackCase(api, picked_up_at=datetime(2025, 6, 3, 9, 30, tzinfo=SHANGHAI))  # -> Fri 6 June
    later = CallbackCase(api, picked_up_at=datetime(2025, 6, 4, 9, 30, tzinfo=SHANGHAI))  # -> Mon 9 June
    clerk = api.as_("customer_dept")
    listed = clerk.get("/callbacks", query_string={"due": "2025-06-06"}).get_json()
    ids = [c["id"] for c in listed["items"]]
    assert due_friday.callback_id in ids and later.callback_id not in ids
    assert all(c["due_at"].startswith("2025-06-06") and c["status"] in ("due", "retry", "scheduled")
               for c in listed["items"])
    assert later.callback_id in [c["id"] for c in clerk.get("/callbacks", query_string={"due": "2025-06-09"})
                                 .get_json()["items"]]
    due_friday.call(reached=True, satisfied=True)  # called: off the list
    assert due_friday.callback_id not in [c["id"] for c in clerk.get(
        "/callbacks", query_string={"due": "2025-06-06"}).get_json()["items"]]
    # Its follow-up timer (June 2025) would be due in every later timer run of this database.
    assert api.as_("admin").post(f"/instances/{due_friday.id}/cancel", json={"reason": "示例数据"}).status_code == 200
    bad = clerk.get("/callbacks", query_string={"due": "2025-02-30", "status": "lost"})
    assert bad.status_code == 422 and {"due"} <= set(bad.get_json()["error"]["fields"])
    assert clerk.get("/callbacks", query_string={"status": "lost"}).status_code == 422
    assert api.as_("logistics_clerk").get("/callbacks").status_code == 403
    assert api.as_("logistics_clerk").get(f"/callbacks/{later.callback_id}").status_code == 403
    assert clerk.get("/callbacks/999999").status_code == 404
    # the page: by default the list of the next working day
    missed = CallbackCase(api)
    missed.call(reached=False)
    tomorrow = datetime.fromisoformat(missed.record()["due_at"]).date().isoformat()
    sign_in(client, "customer_dept")
    page = client.get("/callbacks").get_data(as_text=True)
    assert f"待回访，到期日 {tomorrow}" in page and f'data-callback-id="{missed.callback_id}"' in page
    assert f'data-callback-id="{later.callback_id}"' not in page
    detail = client.get(f"/callbacks/{missed.callback_id}")
    assert detail.status_code == 200 and "待再次回访" in detail.get_data(as_text=True)


def test_a_callback_after_a_complaints_return_repair_reports_to_that_complaint(api):
    complaint = Case(api)
    case = CallbackCase(api, source="complaint", source_ref=complaint.number)
    case.call(reached=True, satisfied=True, callback_remarks="返修后正常")
    assert complaint.complaint()["return_callback_result"] == "满意。返修后正常"
