"""The 8D complaint's case page in the browser: bpmn-js's viewer draws the quality complaint's
diagram (lanes, the clocked subprocesses with their timers) with the task inside a subprocess marked
current, and the register page lists it; no console error. A screenshot into test-results/."""
from datetime import datetime, timedelta, timezone
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[2] / "test-results"
SHANGHAI = timezone(timedelta(hours=8))


def _api(page, live_server, username: str):
    token = page.context.request.post(live_server + "/api/v1/auth/token",
                                      data={"username": username, "password": "demo"}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_the_8d_case_page_draws_its_diagram_with_the_task_inside_a_subprocess_current(page, login, live_server,
                                                                                     errors_of):
    errors = errors_of(page)
    qa = _api(page, live_server, "quality_assurance")
    started = page.context.request.post(live_server + "/api/v1/quality-complaints", headers=qa, data={"data": {
        "received_at": (datetime.now(SHANGHAI) - timedelta(minutes=5)).isoformat(), "customer_name": "华东精密机械有限公司",
        "contact_phone": "021-5555 0188", "product": "XR-200 外壳", "description": "外壳注塑件批量缩痕"}})
    assert started.status == 201, started.text()
    case = started.json()
    tasks = page.context.request.get(f"{live_server}/api/v1/instances/{case['id']}", headers=qa).json()["open_tasks"]
    done = page.context.request.post(f"{live_server}/api/v1/tasks/{tasks[0]['id']}/complete", headers=qa,
                                     data={"data": {"onsite_needed": False, "response": "远程跟进"}})
    assert done.status == 200, done.text()

    login(page, "quality_assurance")
    assert page.goto(f"/instances/{case['id']}").status == 200
    page.locator("#case-diagram[data-ready='1']").wait_for(state="attached")
    assert page.locator('.djs-element.current[data-element-id="temporary_measure"]').count() == 1
    assert page.locator('.djs-element.done[data-element-id="assess_complaint"]').count() == 1
    assert page.locator('.djs-element[data-element-id="temporary_overdue"]').count() == 1
    assert page.locator("#diagram-error").is_hidden()
    page.get_by_role("button", name="整个流程图").click()
    RESULTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1600, "height": 900})
    page.locator("#case-diagram").screenshot(path=str(RESULTS / "quality-complaint-case.png"))

    page.goto("/quality-complaints")
    row = page.locator(f'tr[data-number="{case["business_key"]}"]')
    assert row.count() == 1 and "临时对策" in row.inner_text()
    assert errors == [], "\n".join(errors)
