"""The monthly report procedure in a real browser: the review task's page shows the month's
report above its form; once the general manager and the group supervisor signed, the report page
says so, names who signed, and links to the stored files, which open as they were signed (the
page and the stored HTML under the pages' CSP, with no console error)."""
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

MONTH = "2026-09"  # a month of its own in the live app
REVIEW = {"analysis": "九月投诉量平稳，回访满意度提升。", "improvements": "继续每周抽查回访录音。"}


def _token(page, live_server, username):
    response = page.request.post(f"{live_server}/api/v1/auth/token", data={"username": username, "password": "demo"})
    assert response.status == 200, response.text()
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _open_task(page, live_server, instance_id, name):
    case = page.request.get(f"{live_server}/api/v1/instances/{instance_id}", headers=_token(page, live_server, "admin"))
    assert case.status == 200, case.text()
    return next(t for t in case.json()["open_tasks"] if t["name"] == name)


def _complete(page, live_server, instance_id, name, username, data):
    task = _open_task(page, live_server, instance_id, name)
    done = page.request.post(f"{live_server}/api/v1/tasks/{task['id']}/complete",
                             headers=_token(page, live_server, username), data={"data": data})
    assert done.status == 200, done.text()


def test_the_report_page_shows_the_signed_state_and_opens_the_stored_files(new_page, login, live_server, errors_of):
    from app import clock
    clock.set_now(datetime(2026, 10, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    try:
        clerk = new_page()
        started = clerk.request.post(f"{live_server}/api/v1/reports/monthly/{MONTH}/start",
                                     headers=_token(clerk, live_server, "admin"))
        assert started.status == 201, started.text()
        instance_id = started.json()["instance_id"]

        errors = errors_of(clerk)
        login(clerk, "customer_dept")
        review = _open_task(clerk, live_server, instance_id, "review_report")
        clerk.goto(f"/tasks/{review['id']}")
        shown = clerk.locator(f'section.shown-report[data-month="{MONTH}"]')
        expect(shown.locator("table.kpis")).to_be_visible()
        expect(shown.locator("p.draft")).to_contain_text("草稿")
        clerk.locator("textarea[name=analysis]").fill(REVIEW["analysis"])
        clerk.locator("textarea[name=improvements]").fill(REVIEW["improvements"])
        with clerk.expect_navigation():
            clerk.locator("form.task-form button[type=submit]").click()
        expect(clerk.locator("main")).to_contain_text("RPT-202609")  # the inbox says the task was completed
        _complete(clerk, live_server, instance_id, "sign_general_manager", "general_manager", {"decision": "sign"})
        _complete(clerk, live_server, instance_id, "sign_group_supervisor", "group_supervisor", {"decision": "sign"})
        assert errors == []

        manager = new_page()
        errors = errors_of(manager)
        login(manager, "general_manager")
        manager.goto(f"/reports/monthly?month={MONTH}")
        state = manager.locator('section.report-state[data-state="signed"]')
        expect(state.locator("b.state")).to_have_text("已签发")
        expect(state.locator('li[data-signer="group_supervisor"]')).to_contain_text("group_supervisor")
        expect(state.locator("a[data-frozen]")).to_have_count(3)
        with manager.expect_navigation():
            state.locator('a[data-frozen="html"]').click()
        expect(manager.locator("p.signed")).to_contain_text("已签发")
        expect(manager.locator("p.analysis")).to_have_text(REVIEW["analysis"])
        expect(manager.locator('table.signatures tr[data-signer="general_manager"]')).to_be_visible()
        assert manager.locator("p.draft").count() == 0
        assert errors == []
    finally:
        clock.set_now(None)
