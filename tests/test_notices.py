"""Task notices: the inbox count the badge polls, each person's preference (the settings page),
and the outbox sent after the commit to a real SMTP server (aiosmtpd) and a fake WeCom robot
webhook, both listening on 127.0.0.1 in this process; failures retried, then given up."""
import socket
from datetime import datetime, timedelta, timezone

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from app import clock
from app.extensions import db
from app.models import Notice, User
from endpoints import JsonEndpoint
from procedures import Case, moved_clock

SM_MAIL = "manager@example.test"
CD_MAIL = "clerk@example.test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """What the local SMTP server received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def smtp(app, monkeypatch):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    yield inbox
    controller.stop()


@pytest.fixture
def webhook(app, monkeypatch):
    monkeypatch.setitem(app.config, "WECOM_WEBHOOK_HOSTS", "qyapi.weixin.qq.com,127.0.0.1")
    made = []

    def make(status=200, reply=None):  # a fake WeCom robot
        made.append(JsonEndpoint(reply or {"errcode": 0, "errmsg": "ok"}, status, "/cgi-bin/webhook/send?key=test-key"))
        return made[-1]

    yield make
    for hook in made:
        hook.close()


@pytest.fixture
def preferences(app, pages):
    """set(username, channel, address) through the settings page; all back to none afterwards,
    and whatever this test queued is dropped (the database is shared with the other tests)."""
    def set_(username, channel, address=""):
        response = pages(username).post("/settings", {"notify_by": channel, "notify_to": address})
        assert response.status_code == 302, response.get_data(as_text=True)

    with app.app_context():
        db.session.execute(update(Notice).values(next_attempt_at=None))  # earlier tests' leftovers
        db.session.commit()
    yield set_
    with app.app_context():
        db.session.execute(update(User).values(notify_by="none", notify_to=None))
        db.session.execute(update(Notice).values(next_attempt_at=None))
        db.session.commit()


def send(app) -> str:
    result = app.test_cli_runner().invoke(args=["notices"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_a_task_arriving_sends_one_mail_to_the_person_holding_its_lane(app, api, smtp, preferences):
    preferences("service_manager", "email", SM_MAIL)
    preferences("customer_dept", "email", CD_MAIL)  # starts the case, holds no lane of the new task
    case = Case(api)
    task = case.open_task("classify_complaint")
    assert smtp.messages == []  # nothing goes out inside the request: the sender sends after the commit
    assert send(app) == "notices: 1 sent, 0 failed"
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == [SM_MAIL] and message["To"] == SM_MAIL
    assert case.number in message["Subject"] and "分类与指派" in message["Subject"]
    assert f"/tasks/{task['id']}" in message.get_content() and case.number in message.get_content()
    assert send(app) == "notices: 0 sent, 0 failed" and len(smtp.messages) == 1  # sent once


def test_a_wecom_robot_gets_the_json_text_message(app, api, webhook, preferences):
    hook = webhook()
    preferences("workshop_supervisor", "wecom", hook.url)
    case = Case(api)
    case.classify(category="repair_quality", severity="general")
    task = case.open_task("handle_workshop")
    assert send(app) == "notices: 1 sent, 0 failed"
    assert len(hook.bodies) == 1 and hook.bodies[0]["msgtype"] == "text"
    content = hook.bodies[0]["text"]["content"]
    assert case.number in content and f"/tasks/{task['id']}" in content


@pytest.mark.parametrize("failure", [{"status": 500}, {"reply": {"errcode": 93000, "errmsg": "invalid webhook url"}}])
def test_a_failing_webhook_is_retried_then_given_up_and_the_case_moves_on(app, api, webhook, preferences,
                                                                         monkeypatch, failure):
    monkeypatch.setitem(app.config, "NOTICE_MAX_ATTEMPTS", 3)
    monkeypatch.setitem(app.config, "NOTICE_RETRY_SECONDS", 60)
    hook = webhook(**failure)
    preferences("workshop_supervisor", "wecom", hook.url)
    case = Case(api)
    case.classify(category="repair_quality", severity="general")
    start = clock.now()
    try:
        assert send(app) == "notices: 0 sent, 1 failed"
        assert send(app) == "notices: 0 sent, 0 failed"  # not before its retry time
        clock.set_now(start + timedelta(seconds=61))
        assert send(app) == "notices: 0 sent, 1 failed"
        clock.set_now(start + timedelta(seconds=61 + 121))
        assert send(app) == "notices: 0 sent, 1 failed"
        clock.set_now(start + timedelta(days=1))
        assert send(app) == "notices: 0 sent, 0 failed"  # given up after three attempts
    finally:
        clock.set_now(None)
    assert len(hook.bodies) == 3
    with app.app_context():
        notice = db.session.scalar(select(Notice).order_by(Notice.id.desc()).limit(1))
        assert notice.given_up_at is not None and notice.sent_at is None and notice.attempts == 3
        assert notice.last_error
    from procedures import GOOD_HANDLING
    case.complete("workshop_supervisor", "handle_workshop", GOOD_HANDLING)  # the case never waited for it
    assert "confirm_handling" in case.open_names()


def test_an_unreachable_smtp_server_never_fails_the_case(app, api, preferences, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", _free_port())  # nobody listens there
    preferences("service_manager", "email", SM_MAIL)
    case = Case(api)
    assert send(app) == "notices: 0 sent, 1 failed"
    case.classify(category="parts", severity="general")
    assert case.open_names() == ["handle_parts"]


def test_the_settings_page_refuses_bad_addresses_naming_the_field(app, pages, preferences):
    manager = pages("service_manager")
    for data, field in ([{"notify_by": "email", "notify_to": "not-an-address"}, "notify_to"],
                        [{"notify_by": "wecom", "notify_to": "https://evil.example/cgi-bin/webhook/send"}, "notify_to"],
                        [{"notify_by": "email", "notify_to": ""}, "notify_to"],
                        [{"notify_by": "email", "notify_to": "a@example.test, b@example.test"}, "notify_to"],
                        [{"notify_by": "pigeon", "notify_to": ""}, "notify_by"]):
        response = manager.post("/settings", data)
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert 'class="field invalid"' in page and f'id="{field}"' in page
    preferences("service_manager", "email", SM_MAIL)
    page = manager.get("/settings").get_data(as_text=True)
    assert f'value="{SM_MAIL}"' in page and "我的设置" in page
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "service_manager"))
        assert (user.notify_by, user.notify_to) == ("email", SM_MAIL)


def test_the_inbox_count_follows_the_tasks_arriving(app, api, pages):
    manager = pages("service_manager")
    before = manager.get("/inbox/count")
    assert before.status_code == 200 and before.headers["Cache-Control"] == "no-store"
    counted = before.get_json()
    listed = api.as_("service_manager").get("/tasks", query_string={"per_page": 1}).get_json()["total"]
    assert counted["open"] == listed
    assert api.as_("service_manager").get("/tasks/summary").get_json() == counted
    # The new task arrives after any other test's (some move the service clock years ahead).
    with moved_clock(api, datetime(2040, 1, 2, 10, tzinfo=timezone(timedelta(hours=8)))):
        arrived = Case(api)
    after = manager.get("/inbox/count").get_json()
    assert after["open"] == counted["open"] + 1 and after["newest"] != counted["newest"]
    assert api.as_("service_manager").get("/tasks/summary").get_json() == after
    assert pages("customer_dept").get("/inbox/count").get_json()["open"] >= 0
    anonymous = app.test_client().get("/inbox/count")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert api.get("/tasks/summary").status_code == 401
    api.as_("admin").post(f"/instances/{arrived.id}/cancel", json={"reason": "test over"})  # no task from 2040 left


def test_the_overdue_count_turns_with_the_clock(app, api, pages):
    case = Case(api)
    case.classify(category="parts", severity="general", deadline_days=3)
    parts = api.as_("parts_manager")
    now_count = parts.get("/tasks/summary").get_json()
    from procedures import moved_clock
    with moved_clock(api, clock.now() + timedelta(days=30)):
        later = parts.get("/tasks/summary").get_json()
    assert later["open"] == now_count["open"] and later["overdue"] == later["open"] >= 1
