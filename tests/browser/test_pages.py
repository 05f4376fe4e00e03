"""The pages in a real browser (Debian's Chromium through Playwright): sign-in and language,
a complaint from intake to the department, form errors, escaping, CSRF and role checks.

The fixtures (tests/browser/conftest.py) give one server on SQLite and one Chromium per
session; `page` is a fresh context in a zh-CN browser. Setup that is not under test (a
complaint the test needs to exist) goes through the JSON API, which is faster."""
import re
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")
NUMBER = re.compile(r"TS-\d{6}-\d{4}")
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")
# received now: the procedure's clocks run from receipt (an old date would be overdue at once)
INTAKE = {"received_at": datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M"), "channel": "phone", "customer_name": "王先生",
          "contact_phone": "13800138000", "vehicle": "沪A·12345", "description": "保养后发动机异响"}
XSS = "<script>window.__xss=1</script><b>x</b>"

# ---------------------------------------------------------------- helpers


def submit(page, form):
    """Click the form's submit button; the response of the page it leads to."""
    with page.expect_navigation() as navigation:
        form.locator("button[type=submit]").click()
    return navigation.value


def fill_intake(page, **overrides):
    """From the inbox's 登记投诉 button, fill and submit the intake form; the response."""
    values = {**INTAKE, **overrides}
    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("link", name="登记投诉").click()
    form = page.locator("form.task-form")
    form.locator("#f-received_at").fill(values["received_at"])  # datetime-local: YYYY-MM-DDTHH:MM
    form.locator("#f-channel").select_option(values["channel"])
    for name in ("customer_name", "contact_phone", "vehicle", "description"):
        form.locator(f"#f-{name}").fill(values[name])
    return submit(page, form)


def take_in(page, **overrides) -> str:
    """Take in a complaint through the page; its number, read from the flash message."""
    response = fill_intake(page, **overrides)
    assert response.status == 200, page.locator("main").inner_text()
    flash = page.locator("p.flash").inner_text()
    assert "投诉已登记" in flash, flash
    found = NUMBER.search(flash)
    assert found, flash
    return found.group(0)


def ledger_total(page) -> int:
    page.goto("/complaints")
    heading = page.locator("main h1 small").inner_text()
    total = int(re.fullmatch(r"\((\d+)\)", heading.strip()).group(1))
    assert page.locator("table.ledger tbody tr").count() == total  # fewer than a page of 200
    return total


def inbox_row(page, number: str):
    """The inbox's task rows of case `number` (after opening the inbox)."""
    page.goto("/")
    return page.locator("table.tasks tbody tr").filter(has_text=number)


class Api:
    """The JSON API through the page's request context (bearer tokens, no cookies involved)."""

    def __init__(self, page, base: str):
        self.request, self.base, self.tokens = page.request, base + "/api/v1", {}

    def _headers(self, username):
        if username not in self.tokens:
            response = self.request.post(f"{self.base}/auth/token",
                                         data={"username": username, "password": "demo"})
            assert response.status == 200, response.text()
            self.tokens[username] = response.json()["token"]
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def get(self, username, path):
        response = self.request.get(self.base + path, headers=self._headers(username))
        assert response.status == 200, response.text()
        return response.json()

    def take_in(self, **overrides) -> dict:
        data = {**INTAKE, "received_at": INTAKE["received_at"] + ":00+08:00", **overrides}
        response = self.request.post(f"{self.base}/processes/complaint/instances", data={"data": data},
                                     headers=self._headers("customer_dept"))
        assert response.status == 201, response.text()
        return response.json()

    def complete(self, username, task_id, data) -> dict:
        response = self.request.post(f"{self.base}/tasks/{task_id}/complete", data={"data": data},
                                     headers=self._headers(username))
        assert response.status == 200, response.text()
        return response.json()

    def open_task(self, instance_id: int, name: str) -> dict:
        tasks = [t for t in self.get("admin", f"/instances/{instance_id}")["open_tasks"] if t["name"] == name]
        assert len(tasks) == 1, tasks
        return tasks[0]


@pytest.fixture
def api(page, live_server):
    """Overrides tests/conftest.py's `api` (which would run every test on both databases)."""
    return Api(page, live_server)


# ---------------------------------------------------------------- sign-in and language


def test_sign_in_page_is_chinese_and_a_wrong_password_stays_on_it(page):
    page.goto("/")
    assert "/login" in page.url  # not signed in: sent to the sign-in page
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("main h1").inner_text() == "登录"
    assert page.get_by_label("用户名").count() == 1 and page.get_by_label("密码").count() == 1

    page.get_by_label("用户名").fill("parts_manager")
    page.get_by_label("密码").fill("not-the-password")
    response = submit(page, page.locator("main form"))
    assert response.status == 200
    assert "/login" in page.url
    assert page.locator("main h1").inner_text() == "登录"
    assert page.get_by_role("alert").inner_text() == "用户名或密码错误。"
    page.goto("/")
    assert "/login" in page.url  # still not signed in


def test_a_browser_without_chinese_or_english_gets_chinese(new_page):
    page = new_page(locale="fr-FR")
    page.goto("/login")
    assert page.locator("main h1").inner_text() == "登录"


def test_english_link_switches_the_sign_in_page(page):
    page.goto("/login")
    with page.expect_navigation():
        page.get_by_role("link", name="English").click()
    assert "/login" in page.url
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("main h1").inner_text() == "Sign in"
    assert page.locator("main form button[type=submit]").inner_text() == "Sign in"
    page.reload()
    assert page.locator("main h1").inner_text() == "Sign in"  # kept in the session


def test_language_chosen_on_the_sign_in_page_stays_after_signing_in(page, login):
    page.goto("/login")
    with page.expect_navigation():
        page.get_by_role("link", name="English").click()
    assert page.locator("main h1").inner_text() == "Sign in"
    login(page, "customer_dept")
    assert page.locator("main h1").inner_text().startswith("Inbox")


def test_english_link_switches_the_pages_after_it(page, login, logout):
    login(page, "customer_dept")
    assert page.locator("main h1").inner_text().startswith("待办任务")
    with page.expect_navigation():
        page.get_by_role("link", name="English").click()
    assert urlsplit(page.url).path == "/"  # back on the inbox
    assert page.locator("main h1").inner_text().startswith("Inbox")
    with page.expect_navigation():
        page.locator("header nav").get_by_role("link", name="Complaints", exact=True).click()
    assert page.locator("main h1").inner_text().startswith("Complaints")
    page.goto("/start/complaint")
    assert page.locator("main h1").inner_text() == "Take in a complaint"
    assert page.locator("label[for=f-contact_phone]").inner_text() == "Contact phone *"
    logout(page)
    assert page.locator("main h1").inner_text() == "Sign in"  # signing out keeps the language
    with page.expect_navigation():
        page.get_by_role("link", name="中文").click()
    assert page.locator("main h1").inner_text() == "登录"


# ---------------------------------------------------------------- a complaint through the pages


def test_complaint_from_intake_to_the_workshop(page, login, logout):
    login(page, "customer_dept")
    number = take_in(page, customer_name="赵先生")
    assert number.startswith(f"TS-{datetime.now(SHANGHAI):%Y%m}-")
    logout(page)

    login(page, "service_manager")
    row = inbox_row(page, number)
    assert row.count() == 1
    assert "分类与指派" in row.inner_text()
    with page.expect_navigation():
        row.get_by_role("link", name="分类与指派").click()
    assert page.locator("main h1").inner_text().startswith("分类与指派")
    assert number in page.locator("main h1").inner_text()
    assert "赵先生" in page.locator("section.case").inner_text()
    assert "认领人: —" in page.locator("main > p").first.inner_text()

    with page.expect_navigation():
        page.get_by_role("button", name="认领").click()
    assert "认领人: service_manager" in page.locator("main > p").first.inner_text()
    assert page.get_by_role("button", name="放弃认领").count() == 1

    form = page.locator("form.task-form")
    form.locator("#f-category").select_option("repair_quality")
    form.locator("#f-severity").select_option("general")
    assert submit(page, form).status == 200
    assert page.locator("p.flash").inner_text() == f"任务已提交。 {number}"
    assert inbox_row(page, number).count() == 0  # gone from the manager's inbox
    logout(page)

    login(page, "workshop_supervisor")
    row = inbox_row(page, number)
    assert row.count() == 1
    cells = row.locator("td").all_inner_texts()
    assert cells[0] == "车间处理投诉" and cells[1] == number and cells[2] == "车间主管"
    due = cells[3].strip()
    assert MOMENT.fullmatch(due), due
    assert due > f"{datetime.now(SHANGHAI):%Y-%m-%d %H:%M}"  # a deadline in the future
    logout(page)

    login(page, "customer_dept")
    page.goto("/complaints")
    row = page.locator("table.ledger tbody tr").filter(has_text=number)
    assert row.count() == 1
    cells = row.locator("td").all_inner_texts()
    assert cells[0] == number
    assert cells[2] == "电话" and cells[3] == "赵先生"
    assert cells[4] == "维修质量" and cells[5] == "一般" and cells[6] == "车间主管"
    assert cells[7] == due  # the ledger's deadline is the workshop task's due time


def test_invalid_phone_is_shown_at_the_field_and_nothing_is_created(page, login):
    login(page, "customer_dept")
    before = ledger_total(page)

    response = fill_intake(page, contact_phone="abc", customer_name="钱女士")
    assert response.status == 422
    assert "/start/complaint" in page.url
    assert page.locator("p.flash").count() == 0
    assert page.locator("main p.error").inner_text() == "表单有误，请检查标出的字段。"
    field = page.locator("div.field.invalid")
    assert field.count() == 1  # only the phone is wrong
    assert field.locator("#f-contact_phone").count() == 1
    assert field.locator("span.reason").inner_text().strip() != ""
    # what was typed is still there to correct
    assert page.locator("#f-contact_phone").input_value() == "abc"
    assert page.locator("#f-customer_name").input_value() == "钱女士"
    assert page.locator("#f-received_at").input_value() == INTAKE["received_at"]
    assert page.locator("#f-channel").input_value() == "phone"

    assert ledger_total(page) == before


def test_user_text_is_escaped_on_every_page(page, login, logout):
    login(page, "customer_dept")
    number = take_in(page, customer_name=XSS)

    page.goto("/complaints")
    row = page.locator("table.ledger tbody tr").filter(has_text=number)
    assert XSS in row.inner_text()
    assert row.locator("script, b").count() == 0
    assert page.evaluate("window.__xss") is None

    with page.expect_navigation():
        row.get_by_role("link", name=number).click()
    assert page.get_by_text(XSS, exact=True).first.is_visible()
    assert page.locator("dl.card b, dl.card script").count() == 0
    assert page.evaluate("window.__xss") is None
    logout(page)

    login(page, "service_manager")
    with page.expect_navigation():
        inbox_row(page, number).get_by_role("link").first.click()
    assert XSS in page.locator("section.case").inner_text()
    assert page.locator("section.case b, section.case script").count() == 0
    assert page.evaluate("window.__xss") is None


def test_department_opens_its_handling_form(page, login, api):
    started = api.take_in(customer_name="吴先生")
    classify = api.open_task(started["id"], "classify_complaint")
    api.complete("service_manager", classify["id"], {"category": "repair_quality", "severity": "general"})
    task = api.open_task(started["id"], "handle_workshop")

    login(page, "workshop_supervisor")
    response = page.goto(f"/tasks/{task['id']}")
    assert response.status == 200, page.locator("main").inner_text()
    assert page.locator("main h1").inner_text().startswith("车间处理投诉")
    form = page.locator("form.task-form")
    for name in ("result", "root_cause", "improvement"):
        assert form.locator(f"textarea#f-{name}").count() == 1
    for name in ("return_repair", "hard_fault"):  # yes/no fields
        assert form.locator(f"select#f-{name} option").all_inner_texts() == ["否", "是"]


# ---------------------------------------------------------------- refusals


def test_sign_in_and_language_links_only_lead_back_to_this_site(page, live_server):
    for target in ("//evil.example/x", "/%5Cevil.example/x", "https://evil.example/x"):
        page.goto(f"/lang/en?next={target}")
        assert page.url.startswith(live_server + "/"), (target, page.url)
    page.goto("/login?next=//evil.example/x")
    page.locator("input[name=username]").fill("customer_dept")
    page.locator("input[name=password]").fill("demo")
    submit(page, page.locator("main form"))
    assert page.url == live_server + "/", page.url  # signed in, on the inbox


def test_form_post_without_csrf_token_is_refused(page, live_server):
    refused = page.request.post(live_server + "/login", form={"username": "customer_dept", "password": "demo"})
    assert refused.status == 400
    page.goto("/")
    assert "/login" in page.url  # the forged sign-in did not sign anyone in

    token = page.locator("input[name=csrf_token]").input_value()
    accepted = page.request.post(live_server + "/login",
                                 form={"username": "customer_dept", "password": "demo", "csrf_token": token})
    assert accepted.status == 200 and "/login" not in accepted.url  # control: with the token it works


def test_claim_without_csrf_token_is_refused(page, login, api):
    started = api.take_in(customer_name="孙先生")
    task = api.open_task(started["id"], "classify_complaint")

    login(page, "service_manager")
    page.goto(f"/tasks/{task['id']}")
    post = """async ([url, token]) => {
        const body = new URLSearchParams(token ? {csrf_token: token} : {});
        return (await fetch(url, {method: "POST", body, redirect: "manual"})).status;
    }"""
    claim_url = f"/tasks/{task['id']}/claim"
    assert page.evaluate(post, [claim_url, None]) == 400
    assert api.open_task(started["id"], "classify_complaint")["claimed_by"] is None
    page.reload()
    assert page.get_by_role("button", name="认领").count() == 1

    token = page.locator("form.task-form input[name=csrf_token]").input_value()
    assert page.evaluate(post, [claim_url, token]) in (0, 302)  # control: 0 is an opaque redirect
    assert api.open_task(started["id"], "classify_complaint")["claimed_by"] == "service_manager"


def test_task_of_another_role_gets_the_403_page(page, login, api):
    started = api.take_in(customer_name="周女士")
    task = api.open_task(started["id"], "classify_complaint")

    login(page, "customer_dept")
    response = page.goto(f"/tasks/{task['id']}")
    assert response.status == 403
    assert page.locator("main h1").inner_text() == "403"
    assert page.get_by_role("alert").is_visible()
    assert page.locator("form.task-form").count() == 0
    assert page.get_by_role("button", name="认领").count() == 0
    assert "周女士" not in page.content()  # nothing of the case shown

    token = page.locator("header input[name=csrf_token]").input_value()
    status = page.evaluate("""async ([url, token]) =>
        (await fetch(url, {method: "POST", body: new URLSearchParams({csrf_token: token}),
                           redirect: "manual"})).status""", [f"/tasks/{task['id']}/claim", token])
    assert status == 403
    assert api.open_task(started["id"], "classify_complaint")["claimed_by"] is None
