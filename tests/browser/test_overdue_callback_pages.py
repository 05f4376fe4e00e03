"""An overdue callback in a real browser: the customer department's manager finds the escalation
in the inbox, takes the call over, sees the customer's channel, preferred time and service advisor
above the form and makes the call; then reads the weekly callback report and downloads it."""
from datetime import datetime, timedelta, timezone

from page_api import PageApi

SHANGHAI = timezone(timedelta(hours=8))


def test_the_manager_takes_an_overdue_callback_over_and_reads_the_weekly_report(page, login, live_server, live_app,
                                                                                errors_of):
    api = PageApi(page, live_server)
    picked = datetime.now(SHANGHAI) - timedelta(days=9)  # its 3 working days are over; the follow-up is not due
    started = api.call("POST", "customer_dept", "/processes/callback/instances", {"data": {
        "customer_name": "韩女士", "contact_phone": "13600136000", "subject": "沪E·97531",
        "picked_up_at": picked.isoformat(), "preferred_channel": "sms", "service_advisor": "林顾问"}})
    result = live_app.test_cli_runner().invoke(args=["timers"])  # the runner's pass: the deadline has passed
    assert result.exit_code == 0, result.output
    errors = errors_of(page)
    login(page, "customer_dept_manager")
    page.goto("/")
    escalation = page.locator("table.tasks tbody tr", has_text="处理回访超时")
    assert escalation.count() >= 1
    page.goto(f"/tasks/{_task(api, started['id'], 'escalate_callback')}")
    form = page.locator("form.task-form")
    form.locator("#f-callback_escalation_action").select_option("take_over")
    with page.expect_navigation():
        form.get_by_role("button", name="提交", exact=True).click()
    assert page.locator("p.flash").inner_text().startswith("任务已提交。")

    call = _task(api, started["id"], "call_customer")
    page.goto(f"/tasks/{call}")
    shown = page.locator("section.case").inner_text()
    assert "短信" in shown and "林顾问" in shown and "韩女士" in shown
    form = page.locator("form.task-form")
    form.locator("#f-reached").select_option("true")
    form.locator("#f-repair_quality").select_option("good")
    form.locator("#f-service_quality").select_option("fair")
    form.locator("#f-satisfied").select_option("true")
    with page.expect_navigation():
        form.get_by_role("button", name="提交", exact=True).click()
    assert page.locator("p.flash").inner_text().startswith("任务已提交。")
    assert api.call("GET", "admin", f"/instances/{started['id']}")["open_tasks"] == []  # the escalation closed too

    page.get_by_role("link", name="回访周报").click()
    assert page.locator("h1").inner_text().startswith("回访周报")
    due = api.call("GET", "admin", f"/callbacks/{started['business_key']}")["deadline_at"][:10]
    page.locator("input[name=week]").fill(due)
    with page.expect_navigation():
        page.locator("main form.filters button[type=submit]").click()
    row = page.locator("table.advisor-figures tr[data-advisor='林顾问']")
    assert row.count() == 1 and "100.0%" in row.inner_text()
    with page.expect_download() as download:
        page.locator("a[data-format=xlsx]").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert errors == []


def _task(api, instance_id: int, name: str) -> str:
    return next(t["id"] for t in api.call("GET", "admin", f"/instances/{instance_id}")["open_tasks"] if t["name"] == name)
