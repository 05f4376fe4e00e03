"""Callback version 2 (回访, the rules in full): the call's deadline timer with its overdue record and
the escalation to the customer department's manager (urge, take over, closed by the call); the
customer's preferred time and channel and the service advisor; the figures per advisor; the weekly
callback report (回访周报); the apology text through a local fake SMS gateway and WeCom robot."""
import io
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from app.extensions import db
from app.models import Notice, User
from cases import SHANGHAI, CallbackCase
from endpoints import JsonEndpoint
from procedures import fire_timers, moved_clock, two_runners


def started(api, picked_up_at: datetime, **start) -> CallbackCase:
    """A callback registered an hour after the customer took the car back (the service clock there)."""
    with moved_clock(api, picked_up_at + timedelta(hours=1)):
        return CallbackCase(api, picked_up_at=picked_up_at, **start)


def inbox_ids(api, username: str) -> set[str]:
    listed = api.as_(username).get("/tasks", query_string={"process_key": "callback", "per_page": 500})
    assert listed.status_code == 200, listed.get_json()
    return {t["id"] for t in listed.get_json()["items"]}


def cancel(api, *cases) -> None:
    """Their follow-up timers lie in the past: they would fire in every later timer run of this database."""
    for case in cases:
        if case.instance()["status"] not in ("completed", "cancelled"):
            assert api.as_("admin").post(f"/instances/{case.id}/cancel", json={"reason": "测试数据"}).status_code == 200


def test_a_callback_past_its_deadline_is_recorded_overdue_and_escalated_until_the_call_is_made(api, app):
    picked = datetime(2026, 11, 9, 10, 0, tzinfo=SHANGHAI)  # a Monday: due Thursday 10:00
    deadline = datetime(2026, 11, 12, 10, 0, tzinfo=SHANGHAI)
    case = started(api, picked, service_advisor="王顾问")
    call = case.open_task("call_customer")
    assert call["due_at"] == deadline.isoformat()
    with moved_clock(api, picked + timedelta(hours=2)):
        assert api.as_("customer_dept").post(f"/tasks/{call['id']}/claim").status_code == 200
    fire_timers(app, api, deadline - timedelta(minutes=1))
    assert case.open_names() == ["call_customer"]  # not before the deadline
    fire_timers(app, api, deadline + timedelta(minutes=1))
    assert case.open_names() == ["call_customer", "escalate_callback"]
    escalation = case.open_task("escalate_callback")
    assert escalation["lane"] == "customer_dept_manager"
    assert escalation["id"] in inbox_ids(api, "customer_dept_manager")
    assert escalation["id"] not in inbox_ids(api, "customer_dept")
    # the overdue record falls on the clerk who held the call, and proposes its penalty
    records = api.as_("service_manager").get("/overdue", query_string={"month": "2026-11", "per_page": 500})
    mine = [r for r in records.get_json()["items"] if r["instance_id"] == case.id]
    assert len(mine) == 1
    assert mine[0]["person"] == "customer_dept" and mine[0]["role"] == "customer_dept"
    assert mine[0]["task"] == "call_customer" and mine[0]["deadline_at"] == deadline.isoformat()
    proposals = api.as_("service_manager").get("/penalties", query_string={"month": "2026-11", "per_page": 500})
    proposed = [p for p in proposals.get_json()["items"] if p["overdue_record_id"] == mine[0]["id"]]
    assert len(proposed) == 1 and proposed[0]["person"] == "customer_dept" and proposed[0]["status"] == "proposed"
    # the call is made: the escalation closes itself, nothing is left for the manager
    with moved_clock(api, deadline + timedelta(hours=3)):
        case.call(reached=True, satisfied=True, callback_remarks="迟到的回访")
    assert case.open_names() == []
    assert escalation["id"] not in inbox_ids(api, "customer_dept_manager")
    record = case.record()
    assert record["status"] == "completed" and record["completed_by"] == "customer_dept"
    history = [entry["task"] for entry in case.instance()["history"]]
    assert "call_customer" in history and "escalate_callback" not in history
    cancel(api, case)


@pytest.fixture
def clerk_mail(app, pages):
    """customer_dept takes notices by e-mail (the settings page); back to none afterwards."""
    with app.app_context():
        db.session.execute(update(Notice).values(next_attempt_at=None))  # earlier tests' leftovers
        db.session.commit()
    response = pages("customer_dept").post("/settings", {"notify_by": "email", "notify_to": "clerk@example.test"})
    assert response.status_code == 302
    yield
    with app.app_context():
        db.session.execute(update(User).values(notify_by="none", notify_to=None))
        db.session.execute(update(Notice).values(next_attempt_at=None))
        db.session.commit()


def test_the_manager_urges_the_clerk_or_takes_the_call_over(api, app, clerk_mail):
    picked = datetime(2026, 11, 16, 10, 0, tzinfo=SHANGHAI)  # a Monday: due Thursday 10:00
    deadline = datetime(2026, 11, 19, 10, 0, tzinfo=SHANGHAI)
    urged, taken = started(api, picked, customer_name="钱先生"), started(api, picked, customer_name="孙女士")
    fire_timers(app, api, deadline + timedelta(minutes=1))
    assert urged.open_names() == taken.open_names() == ["call_customer", "escalate_callback"]
    manager = api.as_("customer_dept_manager")
    refused = urged.complete("customer_dept_manager", "escalate_callback", {"callback_escalation_action": "wait"},
                             expect=422)
    assert "callback_escalation_action" in refused["error"]["fields"]
    with moved_clock(api, deadline + timedelta(hours=1)):
        urged.complete("customer_dept_manager", "escalate_callback",
                       {"callback_escalation_action": "urge", "callback_escalation_notes": "请今天之内回访"})
    assert urged.open_names() == ["call_customer"]  # the call stays with the department
    entry = [h for h in urged.instance()["history"] if h["task"] == "urge"]
    assert len(entry) == 1 and "customer_dept" in entry[0]["data"]["urged"]
    assert entry[0]["data"]["note"] == "请今天之内回访" and entry[0]["completed_by"] == "customer_dept_manager"
    with app.app_context():
        clerk = db.session.scalar(select(User).where(User.username == "customer_dept"))
        notice = db.session.scalars(select(Notice).where(Notice.user_id == clerk.id).order_by(Notice.id.desc())).first()
        assert notice is not None and notice.address == "clerk@example.test"
        assert "已超时" in notice.subject and "请今天之内回访" in notice.body
        assert notice.body.endswith(f"/tasks/{urged.open_task('call_customer')['id']}")
    with moved_clock(api, deadline + timedelta(hours=1)):
        taken.complete("customer_dept_manager", "escalate_callback", {"callback_escalation_action": "take_over"})
    call = taken.open_task("call_customer")
    assert call["claimed_by"] == "customer_dept_manager" and call["lane"] == "customer_dept"
    assert call["id"] in inbox_ids(api, "customer_dept_manager")
    assert call["id"] not in inbox_ids(api, "customer_dept")  # held by the manager now
    shown = manager.get(f"/tasks/{call['id']}")
    assert shown.status_code == 200  # with its case: the escalation's end beside the open call hides nothing
    assert {f["name"]: f["value"] for f in shown.get_json()["case"]["fields"]}["customer_name"] == "孙女士"
    with moved_clock(api, deadline + timedelta(hours=2)):
        taken.complete("customer_dept_manager", "call_customer", {"reached": True, "repair_quality": "good",
                                                                   "service_quality": "good", "satisfied": True})
    assert taken.open_names() == [] and taken.record()["completed_by"] == "customer_dept_manager"
    assigned = [h for h in taken.instance()["history"] if h["task"] == "reassign"]
    assert assigned and assigned[0]["data"]["assigned_to"] == "customer_dept_manager"
    cancel(api, urged, taken)


def test_the_preferred_time_holds_the_due_time_and_the_call_shows_channel_and_advisor(api, app):
    picked = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)  # a Monday: the rule says Thursday 10:00
    deadline = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
    preferred = datetime(2026, 11, 28, 19, 0, tzinfo=SHANGHAI)  # the customer: Saturday evening, not before
    case = started(api, picked, preferred_channel="wechat", preferred_call_at=preferred.isoformat(),
                   service_advisor="李顾问")
    record = case.record()
    assert record["preferred_channel"] == "wechat" and record["service_advisor"] == "李顾问"
    assert record["preferred_call_at"] == preferred.isoformat() and record["due_at"] == preferred.isoformat()
    call = case.open_task("call_customer")
    assert call["due_at"] == preferred.isoformat()
    shown = api.as_("customer_dept").get(f"/tasks/{call['id']}").get_json()["case"]["fields"]
    by_name = {f["name"]: f for f in shown}
    assert by_name["preferred_channel"]["text"] == "微信" and by_name["service_advisor"]["value"] == "李顾问"
    assert by_name["preferred_channel"]["label"] == "客户希望的回访方式"
    fire_timers(app, api, deadline + timedelta(minutes=1))
    assert case.open_names() == ["call_customer"]  # the rule's deadline passed, the customer's time did not
    fire_timers(app, api, preferred + timedelta(minutes=1))
    assert case.open_names() == ["call_customer", "escalate_callback"]
    # a preferred time before the rule's deadline leaves the deadline; an unknown channel is refused
    early = started(api, picked, preferred_call_at=(picked + timedelta(days=1)).isoformat())
    assert early.record()["due_at"] == deadline.isoformat() and early.record()["preferred_channel"] == "phone"
    with moved_clock(api, picked + timedelta(hours=1)):
        bad = api.as_("customer_dept").post("/processes/callback/instances", json={"data": {
            "customer_name": "吴先生", "contact_phone": "13900139000", "subject": "沪A·1", "picked_up_at":
            picked.isoformat(), "preferred_channel": "pigeon", "service_advisor": "x" * 65}})
    assert bad.status_code == 422
    assert {"preferred_channel", "service_advisor"} <= set(bad.get_json()["error"]["fields"])
    cancel(api, case, early)


def test_the_service_advisor_comes_from_the_delivery_register_when_the_start_names_none(api):
    picked = datetime(2026, 10, 19, 16, 0, tzinfo=SHANGHAI)
    entered = api.as_("customer_dept").post("/deliveries", json={
        "repair_order": "RO-CB2-0001", "delivered_at": picked.isoformat(), "service_advisor": "周顾问"})
    assert entered.status_code in (200, 201), entered.get_json()
    case = started(api, picked, source="delivery", source_ref="RO-CB2-0001")
    assert case.record()["service_advisor"] == "周顾问"
    cancel(api, case)


def test_callback_figures_per_service_advisor_for_a_month(api, pages):
    picked = datetime(2025, 3, 3, 9, 0, tzinfo=SHANGHAI)
    zhang_ok, zhang_no = started(api, picked, service_advisor="张顾问"), started(api, picked, service_advisor="张顾问")
    zhao, nobody = started(api, picked, service_advisor="赵顾问"), started(api, picked)
    with moved_clock(api, picked + timedelta(hours=3)):
        zhang_ok.call(reached=True, satisfied=True)
        zhang_no.call(reached=True, satisfied=False)
        zhao.call(reached=True, satisfied=True)
    figures = api.as_("customer_dept_manager").get("/callbacks/advisors", query_string={"month": "2025-03"})
    assert figures.status_code == 200, figures.get_json()
    rows = {row["advisor"]: row for row in figures.get_json()["advisors"]}
    assert rows["张顾问"] == {"advisor": "张顾问", "callbacks": 2, "effective": 2, "satisfied": 1, "ineffective": 0,
                             "open": 0, "satisfaction_rate": 50.0, "effective_rate": 100.0}
    assert rows["赵顾问"]["satisfaction_rate"] == 100.0 and rows["赵顾问"]["callbacks"] == 1
    assert rows[""]["open"] == 1 and rows[""]["satisfaction_rate"] is None
    assert figures.get_json()["total"]["callbacks"] == sum(row["callbacks"] for row in rows.values())
    assert api.as_("customer_dept_manager").get("/callbacks/advisors",
                                                query_string={"month": "2025-13"}).status_code == 422
    assert api.as_("logistics_clerk").get("/callbacks/advisors", query_string={"month": "2025-03"}).status_code == 403
    page = pages("customer_dept_manager").get("/callbacks?month=2025-03").get_data(as_text=True)
    assert 'id="advisor-figures"' in page and 'data-advisor="张顾问"' in page and "50.0%" in page
    cancel(api, zhang_ok, zhang_no, zhao, nobody)


def test_the_weekly_callback_report_page_and_workbook(api, app, pages):
    picked = datetime(2025, 5, 12, 9, 0, tzinfo=SHANGHAI)  # a Monday: due Thursday 15 May, that week
    happy, unhappy = started(api, picked, service_advisor="陈顾问"), started(api, picked, service_advisor="陈顾问",
                                                                           customer_name="冯先生")
    late = started(api, picked, service_advisor="杨顾问")
    with moved_clock(api, picked + timedelta(hours=3)):
        happy.call(reached=True, satisfied=True)
        unhappy.call(reached=True, satisfied=False, callback_remarks="等待时间太长")
        unhappy.complete("customer_dept", "apologise", {"apology": "已致歉", "complaint_description": "等待时间太长"})
    fire_timers(app, api, datetime(2025, 5, 15, 9, 1, tzinfo=SHANGHAI) + timedelta(hours=1))  # late is overdue
    assert late.open_names() == ["call_customer", "escalate_callback"]
    week = api.as_("customer_dept_manager").get("/reports/callback-week", query_string={"week": "2025-05-14"})
    assert week.status_code == 200, week.get_json()
    report = week.get_json()
    assert report["week_start"] == "2025-05-12" and report["week_end"] == "2025-05-18"
    total = report["total"]
    assert total["callbacks"] >= 3 and total["overdue"] >= 1 and total["complaints"] >= 1
    rows = {row["advisor"]: row for row in report["advisors"]}
    assert rows["陈顾问"]["satisfied"] == 1 and rows["陈顾问"]["satisfaction_rate"] == 50.0
    assert rows["杨顾问"]["open"] == 1
    dissatisfied = [d for d in report["dissatisfied"] if d["id"] == unhappy.callback_id]
    assert dissatisfied[0]["complaint_number"].startswith("TS-") and dissatisfied[0]["remarks"] == "等待时间太长"
    page = pages("customer_dept_manager").get("/reports/callbacks/weekly?week=2025-05-14")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "回访周报" in html and "2025-05-12 – 2025-05-18" in html and 'data-advisor="陈顾问"' in html
    assert f'data-callback-id="{unhappy.callback_id}"' in html and "冯先生" in html
    workbook = pages("general_manager").get("/reports/callbacks/weekly.xlsx?week=2025-05-14")
    assert workbook.status_code == 200 and "callback-week-2025-05-12.xlsx" in workbook.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(workbook.data))
    summary = {row[0]: row[2] for row in book["回访周报 Weekly"].iter_rows(min_row=4, values_only=True)}
    assert summary["应回访"] == total["callbacks"] and summary["满意率 %"] == total["satisfaction_rate"]
    advisors = {row[0]: row for row in book["服务顾问 Advisors"].iter_rows(min_row=2, values_only=True)}
    assert advisors["陈顾问"][1:4] == (2, 2, 1)
    assert any(row[1] == "冯先生" for row in book["不满意 Dissatisfied"].iter_rows(min_row=2, values_only=True))
    for reader in ("service_manager", "group_supervisor"):
        assert pages(reader).get("/reports/callbacks/weekly?week=2025-05-14").status_code == 200
    assert pages("customer_dept").get("/reports/callbacks/weekly").status_code == 403
    assert pages("customer_dept").get("/reports/callbacks/weekly.xlsx").status_code == 403
    assert api.as_("logistics_clerk").get("/reports/callback-week").status_code == 403
    assert api.as_("service_manager").get("/reports/callback-week", query_string={"week": "2025-5-1"}).status_code == 422
    last_week = api.as_("general_manager").get("/reports/callback-week").get_json()
    monday = datetime.fromisoformat(last_week["week_start"])
    assert monday.weekday() == 0 and timedelta(days=7) <= datetime.now() - monday < timedelta(days=14)
    cancel(api, happy, unhappy, late)


@pytest.fixture
def gateway(app, monkeypatch):
    made = []

    def make(channel="sms", status=200, reply=None):  # a fake SMS gateway or WeCom robot
        made.append(JsonEndpoint(reply or {"code": 0}, status))
        monkeypatch.setitem(app.config, "TEXT_CHANNEL", channel)
        monkeypatch.setitem(app.config, "TEXT_SMS_URL" if channel == "sms" else "TEXT_WECOM_URL", made[-1].url)
        monkeypatch.setitem(app.config, "TEXT_SMS_TOKEN", "sms-secret" if channel == "sms" else "")
        monkeypatch.setitem(app.config, "TEXT_RETRY_SECONDS", 60)
        return made[-1]

    yield make
    for server in made:
        server.close()


def dissatisfied(api, phone: str, customer: str = "周女士") -> CallbackCase:
    case = CallbackCase(api, contact_phone=phone, customer_name=customer, subject="沪D·13579")
    case.call(reached=True, satisfied=False, callback_remarks="异响未解决")
    assert case.open_names() == ["apologise"]
    return case


def test_a_dissatisfied_customer_gets_the_apology_text_through_the_sms_gateway(api, app, gateway):
    sms = gateway("sms")
    case = dissatisfied(api, "13700137001")
    queued = case.record()["texts"]
    assert [t["status"] for t in queued] == ["pending"] and sms.bodies == []  # sent after the commit, not in it
    fire_timers(app)
    mine = [(body, headers) for body, headers in zip(sms.bodies, sms.headers) if body["phone"] == "13700137001"]
    assert len(mine) == 1
    body, headers = mine[0]
    assert "周女士" in body["text"] and "深表歉意" in body["text"] and "沪D·13579" in body["text"]
    assert headers["Authorization"] == "Bearer sms-secret"
    sent = case.record()["texts"][0]
    assert sent["status"] == "sent" and sent["channel"] == "sms" and sent["attempts"] == 1 and sent["error"] is None
    fire_timers(app)
    assert len([b for b in sms.bodies if b["phone"] == "13700137001"]) == 1  # sent once


def test_the_apology_text_through_a_wecom_group_robot(api, app, gateway):
    robot = gateway("wecom", reply={"errcode": 0, "errmsg": "ok"})
    case = dissatisfied(api, "13700137002", customer="郑先生")
    fire_timers(app)
    mine = [b for b in robot.bodies if "13700137002" in b["text"]["mentioned_mobile_list"]]
    assert len(mine) == 1 and mine[0]["msgtype"] == "text"
    assert "郑先生" in mine[0]["text"]["content"] and "深表歉意" in mine[0]["text"]["content"]
    assert case.record()["texts"][0]["status"] == "sent"


def test_a_failing_gateway_is_retried_then_the_text_is_recorded_as_not_sent(api, app, gateway):
    down = gateway("sms", status=500)
    case = dissatisfied(api, "13700137003")
    start = datetime.now(SHANGHAI)
    fire_timers(app)
    first = case.record()["texts"][0]
    assert first["status"] == "pending" and first["attempts"] == 1
    assert first["error"] == "the sms gateway answered HTTP 500"
    fire_timers(app, api, start + timedelta(seconds=30))
    assert case.record()["texts"][0]["attempts"] == 1  # not before the retry time (60 s)
    fire_timers(app, api, start + timedelta(minutes=2))
    fire_timers(app, api, start + timedelta(minutes=5))  # the third attempt, 120 s after the second
    last = case.record()["texts"][0]
    assert last["status"] == "failed" and last["attempts"] == 3
    assert "Traceback" not in last["error"] and "500" in last["error"]
    assert len([b for b in down.bodies if b["phone"] == "13700137003"]) == 3
    refused = gateway("sms", reply={"code": 4001, "message": "余额不足"})
    other = dissatisfied(api, "13700137004")
    fire_timers(app)
    assert other.record()["texts"][0]["error"] == "the sms gateway refused the message: 余额不足"
    assert refused.bodies
    case.complete("customer_dept", "apologise", {"apology": "已致歉", "complaint_description": "异响未解决"})
    assert case.record()["complaint_number"]  # the case went on whatever became of the text


@pytest.fixture
def week_sending(app):
    """The runner's Monday sending turned on, the customer-service and service managers (the group's)
    and the two branches' managers told by e-mail."""
    from app.services import callback_reports
    told = ("customer_dept_manager", "service_manager", "branch_manager", "branch_manager_b")
    app.config["CALLBACK_WEEK_REPORT_AUTOSEND"] = True
    callback_reports._sent.clear()
    with app.app_context():
        db.session.execute(update(User).where(User.username.in_(told))
                           .values(notify_by="email", notify_to="manager@example.test"))
        db.session.commit()
    yield told
    app.config["CALLBACK_WEEK_REPORT_AUTOSEND"] = False
    with app.app_context():
        db.session.execute(update(User).where(User.username.in_(told)).values(notify_by="none", notify_to=None))
        db.session.commit()


def week_notices(app, monday: str) -> list[tuple]:
    """(username, subject, body) of the weekly reports of the week beginning `monday` queued so far."""
    with app.app_context():
        return db.session.execute(
            select(User.username, Notice.subject, Notice.body).join(User, Notice.user_id == User.id)
            .where(Notice.task_id.is_(None), Notice.subject.contains(monday)).order_by(User.username)).all()


def week_rows(app, monday) -> dict[str, int]:
    """The unit's code -> the notices queued, of the weekly reports of the week sent."""
    from app.models import CallbackWeekReport, OrgUnit
    with app.app_context():
        return dict(db.session.execute(select(OrgUnit.code, CallbackWeekReport.recipients)
                                       .join(OrgUnit, OrgUnit.id == CallbackWeekReport.unit_id)
                                       .where(CallbackWeekReport.week == monday)).all())


def test_last_weeks_callback_report_is_sent_on_monday_once_per_unit(api, app, week_sending):
    picked = datetime(2025, 6, 9, 9, 0, tzinfo=SHANGHAI)  # a Monday: due that Thursday
    happy = started(api, picked, service_advisor="周顾问")
    east = started(api, picked, service_advisor="华东顾问", unit="east")
    with moved_clock(api, picked + timedelta(hours=3)):
        happy.call(reached=True, satisfied=True)
        east.call(reached=True, satisfied=True)

    fire_timers(app, api, datetime(2025, 6, 15, 23, 0, tzinfo=SHANGHAI))  # Sunday: the week is not over
    assert week_notices(app, "2025-06-09") == []
    monday = datetime(2025, 6, 16, 8, 0, tzinfo=SHANGHAI)
    fire_timers(app, api, monday)
    fire_timers(app, api, monday + timedelta(minutes=1))  # a second pass sends nothing more
    from app.services import callback_reports
    callback_reports._sent.clear()  # nor does another runner, which remembers nothing
    fire_timers(app, api, monday + timedelta(hours=2))
    notices = {name: (subject, body) for name, subject, body in week_notices(app, "2025-06-09")}
    assert sorted(notices) == sorted(week_sending)  # once each
    # the group's managers: every unit's report
    for name in ("customer_dept_manager", "service_manager"):
        subject, body = notices[name]
        assert subject == "回访周报 2025-06-09 至 2025-06-15"
        assert "/reports/callbacks/weekly?week=2025-06-09" in body and "/reports/callbacks/weekly.xlsx?week=2025-06-09" in body
        assert "应回访" in body and "已回访" in body, body
    # each branch's manager: the branch's, linked with its unit
    subject, body = notices["branch_manager"]
    assert subject == "华东分公司回访周报 2025-06-09 至 2025-06-15"
    assert "/reports/callbacks/weekly?week=2025-06-09&amp;unit=east" in body or \
        "/reports/callbacks/weekly?week=2025-06-09&unit=east" in body, body
    assert "应回访 1 个，已回访 1 个" in body, body
    assert notices["branch_manager_b"][0] == "西南分公司回访周报 2025-06-09 至 2025-06-15"
    assert "应回访 0 个" in notices["branch_manager_b"][1]
    rows = week_rows(app, datetime(2025, 6, 9).date())
    assert {code: rows[code] for code in ("group", "east", "southwest")} == {"group": 2, "east": 1, "southwest": 1}
    # the links open the report for those told, each of their units
    group = api.as_("service_manager").get("/reports/callback-week", query_string={"week": "2025-06-09"}).get_json()
    assert group["total"]["satisfied"] >= 2 and {"east"} <= {row["unit"] for row in group["units"]}
    branch = api.as_("branch_manager").get("/reports/callback-week", query_string={"week": "2025-06-09"}).get_json()
    assert branch["unit"] == "east" and [row["advisor"] for row in branch["advisors"]] == ["华东顾问"]
    cancel(api, happy, east)


def test_two_runners_sending_the_same_week_at_once_send_it_once(app, api, week_sending):
    """Runner A has written the week's rows and queued the notices, not yet committed, when runner B,
    not seeing them, sends too: on PostgreSQL B's insert waits on the key and fails when A commits,
    and B moves on to the next unit, which A has too (on SQLite B waits for A's write lock and then
    finds the rows)."""
    from app.services import callback_reports

    monday = datetime(2025, 10, 13).date()
    results = two_runners(app, lambda: sorted(row.unit_id for row in callback_reports.send_week(monday)))
    rows = week_rows(app, monday)
    assert isinstance(results["A"], list) and len(results["A"]) == len(rows) and results["B"] == [], results
    assert {code: rows[code] for code in ("group", "east", "southwest")} == {"group": 2, "east": 1, "southwest": 1}
    assert sorted(name for name, *_ in week_notices(app, "2025-10-13")) == sorted(week_sending)


def test_the_weekly_report_per_unit_page_and_workbook(api, app, pages):
    """A branch's manager reads the branch's figures (and its dealers'); the group's readers every
    unit's with a row per unit, or one unit's that they choose."""
    picked = datetime(2025, 10, 6, 9, 0, tzinfo=SHANGHAI)  # a Monday: due that Thursday
    east = started(api, picked, service_advisor="华东顾问", unit="east")
    west = started(api, picked, service_advisor="西南顾问", unit="southwest", customer_name="<b>赵</b>先生")
    with moved_clock(api, picked + timedelta(hours=3)):
        east.call(reached=True, satisfied=True)
        west.call(reached=True, satisfied=False, callback_remarks="不满意")
        west.complete("customer_dept", "apologise", {"apology": "已致歉", "complaint_description": "不满意"})
    week = {"week": "2025-10-08"}
    mine = api.as_("branch_manager").get("/reports/callback-week", query_string=week).get_json()
    assert mine["unit"] == "east" and mine["unit_name"] == "华东分公司" and mine["units"] == []
    assert [row["advisor"] for row in mine["advisors"]] == ["华东顾问"] and mine["dissatisfied"] == []
    refused = api.as_("branch_manager").get("/reports/callback-week", query_string={**week, "unit": "southwest"})
    assert refused.status_code == 422 and "unit" in refused.get_json()["error"]["fields"]
    other = api.as_("branch_manager_b").get("/reports/callback-week", query_string=week).get_json()
    assert other["unit"] == "southwest" and [row["advisor"] for row in other["advisors"]] == ["西南顾问"]
    assert [(row["unit"], row["complaints"]) for row in other["units"]] == [("southwest", 1)]  # and its dealer's
    group = api.as_("group_supervisor").get("/reports/callback-week", query_string=week).get_json()
    assert group["unit"] is None
    rows = {row["unit"]: row for row in group["units"]}
    assert rows["east"]["callbacks"] == 1 and rows["east"]["satisfied"] == 1 and rows["east"]["unit_name"] == "华东分公司"
    assert rows["southwest"]["callbacks"] == 1 and rows["southwest"]["complaints"] == 1
    chosen = api.as_("group_supervisor").get("/reports/callback-week", query_string={**week, "unit": "east"})
    assert chosen.get_json()["total"]["callbacks"] == 1 and chosen.get_json()["unit"] == "east"
    # the pages
    html = pages("group_supervisor").get("/reports/callbacks/weekly?week=2025-10-08").get_data(as_text=True)
    assert '<select name="unit">' in html and 'data-unit="east"' in html and 'data-unit="southwest"' in html
    assert "&lt;b&gt;赵&lt;/b&gt;先生" in html and "<b>赵</b>" not in html
    narrowed = pages("group_supervisor").get("/reports/callbacks/weekly?week=2025-10-08&unit=east")
    assert narrowed.status_code == 200 and 'class="unit">华东分公司</small>' in narrowed.get_data(as_text=True)
    branch = pages("branch_manager").get("/reports/callbacks/weekly?week=2025-10-08").get_data(as_text=True)
    assert '<select name="unit">' not in branch and 'data-advisor="华东顾问"' in branch and "西南顾问" not in branch
    # the workbooks
    book = load_workbook(io.BytesIO(pages("group_supervisor").get("/reports/callbacks/weekly.xlsx?week=2025-10-08").data))
    per_unit = {row[1]: row for row in book["组织机构 Units"].iter_rows(min_row=2, values_only=True)}
    assert per_unit["east"][0] == "华东分公司" and per_unit["east"][2] == 1 and per_unit["southwest"][-1] == 1
    mine = pages("branch_manager").get("/reports/callbacks/weekly.xlsx?week=2025-10-08")
    book = load_workbook(io.BytesIO(mine.data))
    assert "组织机构 Units" not in book.sheetnames and book["回访周报 Weekly"]["D1"].value == "华东分公司"
    assert "callback-week-2025-10-06-east.xlsx" in mine.headers["Content-Disposition"]
    cancel(api, east, west)
