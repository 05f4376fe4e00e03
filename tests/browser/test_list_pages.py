"""The inbox and the complaint ledger in a real browser, on a desktop and on a phone: a table
at 1366×900, cards at 390×844 with nothing wider than the screen, no console errors (CSP
refusals included). Screenshots go to test-results/ for a person to look at."""
from pathlib import Path

import pytest

RESULTS = Path(__file__).resolve().parents[2] / "test-results"
DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
INTAKE = {"received_at": "2026-11-21T10:00:00+08:00", "channel": "online_chat", "customer_name": "陈女士（长名字测试）",
          "contact_phone": "13900139000", "vehicle": "沪B·67890 某某品牌某某型号豪华版",
          "description": "维修后空调不制冷，客户要求尽快处理并给出书面说明"}


@pytest.fixture
def cases(page, live_server):
    """A few complaints, one of them classified, through the API."""
    base = live_server + "/api/v1"

    def token(username):
        answer = page.request.post(base + "/auth/token", data={"username": username, "password": "demo"})
        return {"Authorization": f"Bearer {answer.json()['token']}"}

    clerk, manager = token("customer_dept"), token("service_manager")
    ids = []
    for i in range(4):
        answer = page.request.post(base + "/processes/complaint/instances", headers=clerk,
                                   data={"data": {**INTAKE, "customer_name": f"{INTAKE['customer_name']}{i}"}})
        assert answer.status == 201, answer.text()
        ids.append(answer.json()["id"])
    task = page.request.get(base + f"/instances/{ids[0]}", headers=manager).json()["open_tasks"][0]
    done = page.request.post(base + f"/tasks/{task['id']}/complete", headers=manager,
                             data={"data": {"category": "service_attitude", "severity": "general"}})
    assert done.status == 200, done.text()
    return ids


def _shoot(page, name: str, size: dict) -> dict:
    page.set_viewport_size(size)
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / f"{name}-{size['width']}x{size['height']}.png"), full_page=True)
    return page.evaluate("""() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})""")


@pytest.mark.parametrize("username, path, table", [("demo_all", "/", "table.tasks"),
                                                    ("service_manager", "/complaints", "table.ledger")])
def test_lists_are_tables_on_a_desktop_and_cards_on_a_phone(page, login, cases, username, path, table, errors_of):
    errors = errors_of(page)
    login(page, username)
    page.goto(path)
    name = "inbox" if path == "/" else "ledger"

    wide = _shoot(page, name, DESKTOP)
    assert wide["scroll"] <= wide["inner"], wide
    assert page.locator(f"{table} thead").is_visible()
    first = page.locator(f"{table} tbody tr").first
    assert first.evaluate("row => getComputedStyle(row).display") == "table-row"

    narrow = _shoot(page, name, PHONE)
    assert narrow["scroll"] <= narrow["inner"], narrow  # no horizontal overflow
    assert not page.locator(f"{table} thead").is_visible()
    assert first.evaluate("row => getComputedStyle(row).display") == "block"  # a card
    label = first.locator("td").first.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label.strip('"') in ("任务", "编号")  # each value says what it is
    box = first.bounding_box()
    assert box["width"] <= PHONE["width"] and box["height"] > 100
    assert errors == [], errors


def test_the_filters_are_controls_and_the_ledger_filters_and_sorts(page, login, cases, errors_of):
    errors = errors_of(page)
    login(page, "service_manager")
    page.goto("/complaints")
    form = page.locator("form.filters").first
    form.locator("select[name=category]").select_option("service_attitude")
    form.locator("select[name=sort]").select_option("number")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "category=service_attitude" in page.url and "sort=number" in page.url
    rows = page.locator("table.ledger tbody tr")
    assert rows.count() >= 1
    assert all("服务态度" in rows.nth(i).inner_text() for i in range(rows.count()))

    page.goto("/?lane=service_manager&sort=-created")
    assert page.locator("ul.lanes li.chosen").count() == 1
    assert page.locator("select[name=claimed] option").count() == 3
    assert errors == [], errors
