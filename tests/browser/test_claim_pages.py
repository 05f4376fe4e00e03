"""Claiming that protects work, in a real browser: what is typed into a task form survives a
lost session (kept in this browser by keep-form.js, brought back after signing in again), and a
task held by someone else opens read-only."""
from urllib.parse import urlsplit

import pytest

from page_api import PageApi

INTAKE = {"received_at": "2026-11-20T09:30:00+08:00", "channel": "phone", "customer_name": "郑先生",
          "contact_phone": "13800138000", "vehicle": "沪A·54321", "description": "空调不制冷"}
NOTE = "请车间今天联系客户"


class Api(PageApi):
    def classify_task(self) -> dict:
        started = self.call("POST", "customer_dept", "/processes/complaint/instances", {"data": INTAKE})
        return next(t for t in self.call("GET", "admin", f"/instances/{started['id']}")["open_tasks"]
                    if t["name"] == "classify_complaint")


@pytest.fixture
def api(page, live_server):
    return Api(page, live_server)


def kept_forms(page) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('keep-form:'))")


def test_what_was_typed_survives_a_lost_session(page, login, api):
    task = api.classify_task()
    login(page, "service_manager")
    page.goto(f"/tasks/{task['id']}")
    form = page.locator("form.task-form")
    form.locator("#f-category").select_option("repair_quality")
    form.locator("#f-severity").select_option("general")
    form.locator("#f-manager_note").fill(NOTE)
    assert len(kept_forms(page)) == 1

    page.context.clear_cookies()  # the session is gone (expired, or signed out elsewhere)
    with page.expect_navigation():
        form.get_by_role("button", name="提交", exact=True).click()
    assert urlsplit(page.url).path == "/login"
    assert page.locator("p.flash").inner_text() == "登录已失效：请重新登录后继续。"

    page.locator("input[name=username]").fill("service_manager")
    page.locator("input[name=password]").fill("demo")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert urlsplit(page.url).path == f"/tasks/{task['id']}"  # back on the task
    form = page.locator("form.task-form")
    assert form.locator("#f-category").input_value() == "repair_quality"
    assert form.locator("#f-severity").input_value() == "general"
    assert form.locator("#f-manager_note").input_value() == NOTE
    assert form.locator(".keep-note").is_visible()

    with page.expect_navigation():
        form.get_by_role("button", name="提交", exact=True).click()
    assert page.locator("p.flash").inner_text().startswith("任务已提交。")
    assert kept_forms(page) == []  # completed: the browser forgets it
    done = api.call("GET", "admin", f"/instances/{task['instance_id']}")["history"][-1]
    assert done["data"]["manager_note"] == NOTE


def test_a_task_held_by_someone_else_opens_read_only(page, login, api):
    task = api.classify_task()
    api.call("POST", "demo_all", f"/tasks/{task['id']}/claim")
    login(page, "service_manager")
    page.goto(f"/tasks/{task['id']}")
    assert "认领人: demo_all" in page.locator("main > p").first.inner_text()
    assert page.get_by_text("此任务已由 demo_all 认领：表单仅供查看。").is_visible()
    form = page.locator("form.task-form")
    assert form.locator("#f-category").is_disabled()
    assert not form.locator("#f-manager_note").is_editable()
    assert form.locator("[type=submit]").count() == 0  # neither complete nor save a draft
    assert page.get_by_role("button", name="认领", exact=True).count() == 0
    assert kept_forms(page) == []
