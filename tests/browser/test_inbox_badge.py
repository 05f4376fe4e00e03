"""The inbox badge in a real browser: it shows the count of the person's inbox on every page and
follows a task arriving while the page is open (the poll is asked for at once through the
script's own function instead of waiting its interval); the inbox page then says new tasks
have arrived, with a link that reloads it."""
from playwright.sync_api import expect

INTAKE = {"received_at": "2026-11-20T09:30:00+08:00", "channel": "phone", "customer_name": "王先生",
          "contact_phone": "13800138000", "vehicle": "沪A·12345", "description": "保养后发动机异响"}


def _token(page, live_server, username):
    response = page.request.post(f"{live_server}/api/v1/auth/token", data={"username": username, "password": "demo"})
    assert response.status == 200, response.text()
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _open_count(page, live_server, username) -> int:
    response = page.request.get(f"{live_server}/api/v1/tasks/summary", headers=_token(page, live_server, username))
    assert response.status == 200, response.text()
    return response.json()["open"]


def _take_in(page, live_server) -> str:
    response = page.request.post(f"{live_server}/api/v1/processes/complaint/instances", data={"data": INTAKE},
                                 headers=_token(page, live_server, "customer_dept"))
    assert response.status == 201, response.text()
    return response.json()["business_key"]


def test_the_badge_shows_the_inbox_count_and_follows_a_task_arriving(page, login, live_server):
    _take_in(page, live_server)  # at least one task in the manager's inbox
    login(page, "service_manager")
    badge = page.locator("header #inbox-badge")
    count = _open_count(page, live_server, "service_manager")
    expect(badge).to_have_text(str(count))
    expect(badge).to_be_visible()
    notice = page.locator("#new-tasks")
    expect(notice).to_be_hidden()

    number = _take_in(page, live_server)  # a task arrives while the inbox is open
    page.evaluate("window.inboxBadge.poll()")
    expect(badge).to_have_text(str(count + 1))
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("有新任务到达")
    with page.expect_navigation():
        notice.get_by_role("link").click()
    expect(page.locator("table.tasks")).to_contain_text(number)
    expect(page.locator("#new-tasks")).to_be_hidden()

    page.goto("/complaints")  # every page has the badge
    expect(page.locator("header #inbox-badge")).to_have_text(str(count + 1))


def test_an_empty_inbox_shows_no_badge_and_the_script_passes_the_csp(page, login, live_server):
    errors = []  # a script the CSP refused, or a failing poll, shows here
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    login(page, "process_owner")  # works in no lane of the diagrams: an empty inbox
    assert _open_count(page, live_server, "process_owner") == 0
    page.goto("/settings")
    expect(page.locator("main h1")).to_have_text("我的设置")
    badge = page.locator("header #inbox-badge")
    expect(badge).to_have_text("0")  # the poll answered...
    expect(badge).to_be_hidden()  # ...and nothing is shown for nothing
    assert errors == []
