"""Issue 10, done when: a process owner changes the complaint procedure in the browser — a lane for
the head of customer service with a new task on the parts department's way, its new form of a
choice and a text, a boundary timer "2 个工作日" — and saves a draft that passes; an admin sees what
changes and the saved case's dry run, and deploys; the head of customer service finds the task in
the inbox with the new form, and the timer fires on the second working day (the service clock
moved, the timer runner's pass run). No file is edited by hand."""
import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from test_form_editing_in_the_browser import _drag_from_palette, _open_group, _option

from app import clock
from app.extensions import db
from app.models import OpenTask, ProcessInstance
from app.timer_runner import run_pass
from app.workdays import add_working_days

# received now: the procedure's clocks run from receipt (an old date would be overdue at once)
INTAKE = {"received_at": datetime.now(ZoneInfo("Asia/Shanghai")).isoformat(timespec="seconds"), "channel": "phone", "customer_name": "赵先生",
          "contact_phone": "13900139000", "vehicle": "沪B54321", "description": "更换的刹车片有异响"}


def _field(page, entry_id, tag="select"):
    return page.locator(f'[data-entry-id="{entry_id}"] {tag}').first


def _select(page, element_id):
    page.evaluate("id => window.modeler.get('selection').select(window.modeler.get('elementRegistry').get(id))",
                  element_id)


def _api(page, live_server, username):
    token = page.context.request.post(live_server + "/api/v1/auth/token",
                                      data={"username": username, "password": "demo"}).json()["token"]
    headers = {"Authorization": "Bearer " + token}

    def call(method, path, body=None):
        response = page.context.request.fetch(live_server + "/api/v1" + path, method=method, headers=headers,
                                              data=body)
        assert response.status < 300, response.text()
        return response.json()
    return call


def _drag(page, field_type):
    """A field dragged from form-js's palette with the mouse; a drop the editor did not take (the
    mouse moved before it was ready) is tried again, as a person would."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    for attempt in range(3):
        page.evaluate("() => window.scrollTo(0, 0)")  # typing in the properties panel may have scrolled
        try:
            return _drag_from_palette(page, field_type)
        except PlaywrightTimeout:
            if attempt == 2:
                raise


def _draft_id(page) -> int:
    match = re.search(r"/procedures/drafts/(\d+)$", page.url)
    assert match, page.url
    return int(match.group(1))


def _owner_draws_the_change(page) -> tuple[int, str, str]:
    """The lane, the task on the way to the parts department, its boundary timer; saved: the
    draft, the task's and the timer's ids."""
    page.goto("/procedures/complaint/edit")
    page.locator('.djs-element[data-element-id="clock_parts"]').wait_for(state="visible")
    page.locator("#modeler-status").filter(has_text="未发现问题。").wait_for()

    lane = page.evaluate("""() => {
        const registry = window.modeler.get('elementRegistry');
        const lane = window.modeler.get('modeling').addLane(registry.get('Lane_claims_supervisor'), 'bottom');
        window.modeler.get('selection').select(lane);
        return lane.id;
    }""")
    _field(page, "spiff-role").select_option("department_head")

    task, timer = page.evaluate("""laneId => {
        const m = window.modeler, registry = m.get('elementRegistry'), modeling = m.get('modeling');
        const lane = registry.get(laneId), parts = registry.get('clock_parts');  // the parts department's clocked handling
        const task = modeling.createShape(m.get('elementFactory').createShape({type: 'bpmn:UserTask'}),
            {x: parts.x - 60, y: lane.y + lane.height / 2}, registry.get('Participant_complaint'));
        modeling.updateLabel(task, '部长检查');
        const flow = registry.get('Flow_dispatch_department_clock_parts');
        modeling.reconnectEnd(flow, task, {x: task.x, y: task.y + task.height / 2});
        modeling.connect(task, parts);
        const timer = modeling.createShape(m.get('elementFactory').createShape(
            {type: 'bpmn:BoundaryEvent', eventDefinitionType: 'bpmn:TimerEventDefinition'}),
            {x: task.x + task.width / 2, y: task.y + task.height}, task, {attach: true});
        modeling.connect(timer, parts);
        return [task.id, timer.id];
    }""", lane)

    _select(page, task)
    _field(page, "spiff-form-key").select_option(label="新建表单…")
    name = _field(page, "spiff-form-new", "input")
    name.fill("inspection")
    name.blur()  # committed while its task is shown (a field left focused commits when it blurs)
    page.locator('[data-entry-id="spiff-form-new"]').filter(has_text="complaint.inspection").wait_for()

    # The timer's panel, as a new timer shows it (a free expression, none yet), before its mode changes.
    _select(page, timer)
    _field(page, "spiff-timer-expression", "input").wait_for()
    mode = _field(page, "spiff-timer-mode")
    expect(mode).to_have_value("expression")
    mode.select_option(label="N 个工作日后")
    expect(mode).to_have_value("days")  # the entry before the count: the mode taken, the count follows it
    _field(page, "spiff-timer-count", "input").fill("2")
    page.locator('[data-entry-id="spiff-timer-count"]').filter(has_text="working_days(2)").wait_for()

    with page.expect_navigation():
        page.get_by_role("button", name="保存为草稿").click()
    return _draft_id(page), task, timer


def _owner_makes_the_form(page, draft_id: int) -> int:
    """The new form's two fields in form-js's editor; saved: the new draft."""
    with page.expect_navigation():
        page.locator('#draft-files a[href$="/forms/complaint.inspection"]').click()
    page.locator("#form-editor .fjs-palette").wait_for(state="visible")
    _drag(page, "select")
    _open_group(page, "group-general")
    page.locator("#bio-properties-panel-label").fill("检查结论")
    page.locator("#bio-properties-panel-key").fill("inspection_result")
    page.locator("#english-labels #english-label").fill("Finding")
    _open_group(page, "group-staticOptions")
    _option(page, 0, "label").fill("刹车片合格")
    _option(page, 0, "value").fill("pads_ok")
    page.locator('[data-group-id="group-staticOptions"] button[title="Create new list item"]').click()
    _option(page, 1, "label").fill("需更换刹车片")
    _option(page, 1, "value").fill("pads_replace")
    _drag(page, "textfield")
    _open_group(page, "group-general")
    page.wait_for_function("() => (document.querySelector('#bio-properties-panel-key') || {}).value"
                           " && document.querySelector('#bio-properties-panel-key').value !== 'inspection_result'")
    page.locator("#bio-properties-panel-label").fill("检查说明")
    page.locator("#form-editor").get_by_text("检查说明").wait_for()  # taken (form-js commits typing in a while)
    page.locator("#bio-properties-panel-key").fill("inspection_notes")
    page.locator("#title-zh").fill("部长检查")
    page.locator("#title-en").fill("Inspection by the head of customer service")
    with page.expect_navigation():
        page.locator("#save-form").click()
    saved = _draft_id(page)
    assert saved != draft_id
    return saved


def test_a_process_owner_changes_the_complaint_procedure_and_it_runs(new_page, login, logout, live_app, live_server,
                                                                    errors_of):
    page = new_page()
    errors = errors_of(page)
    login(page, "process_owner")
    first, task, timer = _owner_draws_the_change(page)
    assert "complaint.inspection.form" in page.locator("#draft-files").inner_text()
    draft = _owner_makes_the_form(page, first)
    body = _api(page, live_server, "process_owner")("GET", f"/drafts/{draft}")
    assert body["valid"] is True, body["problems"]
    files = {f["name"]: f["content"] for f in body["files"]}
    assert "working_days(2)" in files["complaint.bpmn"] and 'value="department_head"' in files["complaint.bpmn"]
    kinds = [(c["type"], c["key"]) for c in json.loads(files["complaint.inspection.form"])["components"]]
    assert kinds == [("select", "inspection_result"), ("textfield", "inspection_notes")]
    logout(page)

    # The admin: what changes, the saved case run on the draft, and the deployment.
    login(page, "admin")
    page.goto(f"/procedures/drafts/{draft}")
    with page.expect_navigation():
        page.locator("#draft-changes").click()
    page.wait_for_selector("#diff[data-ready='1']")
    assert page.locator(f"#diff-changes li[data-element='{task}'][data-change='added']").count() == 1
    page.locator("#dry-run-saved-button").click()
    page.wait_for_selector("#dry-run-status[data-outcome]")
    assert page.locator("#dry-run-status").get_attribute("data-outcome") == "ended"
    page.goto(f"/procedures/drafts/{draft}")
    with page.expect_navigation():
        page.get_by_role("button", name="发布为下一个版本").click()
    assert "已发布为版本" in page.locator("p.flash").inner_text()
    logout(page)

    # A parts complaint on the new version reaches the head of customer service.
    started = _api(page, live_server, "customer_dept")("POST", "/processes/complaint/instances", {"data": INTAKE})
    manager = _api(page, live_server, "service_manager")
    classify = next(t for t in manager("GET", "/tasks?lane=service_manager&per_page=100")["items"]
                    if t["instance_id"] == started["id"])
    manager("POST", f"/tasks/{classify['id']}/complete", {"data": {"category": "parts", "severity": "general"}})
    login(page, "department_head")
    page.goto("/")  # the inbox
    with page.expect_navigation():
        page.locator("main a").filter(has_text="部长检查").first.click()
    form = page.locator("main form").filter(has=page.locator("select"))
    assert "检查结论" in form.inner_text() and "检查说明" in form.inner_text()
    assert form.locator("select option").all_inner_texts()[-2:] == ["刹车片合格", "需更换刹车片"]

    # The boundary timer: not before the second working day, then the parts department has it.
    with live_app.app_context():
        opened = db.session.scalar(db.select(OpenTask.created_at).where(OpenTask.instance_id == started["id"]))
        due = db.session.get(ProcessInstance, started["id"]).next_timer_at
        assert abs((due - add_working_days(opened, 2)).total_seconds()) < 5
        try:
            clock.set_now(due - timedelta(minutes=1))
            run_pass()
            assert db.session.scalars(db.select(OpenTask.task_name).where(
                OpenTask.instance_id == started["id"])).all() == [task]
            clock.set_now(due + timedelta(seconds=1))
            run_pass()
            assert db.session.scalars(db.select(OpenTask.task_name).where(
                OpenTask.instance_id == started["id"])).all() == ["handle_parts"]
        finally:
            clock.set_now(None)
            db.session.remove()
    assert errors == [], "\n".join(errors)
