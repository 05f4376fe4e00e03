"""The modeler's properties panel (bundle app/web/static/src/modeler.js: bpmn-js-properties-panel with
our groups, modeler/provider.js), as a process owner uses it: a new lane's role, a new user task's
new form and "2 个工作日", a timer set with the working-day helper, a condition checked as it is
typed; saved as a draft whose diagram carries the properties (read back through the API), then
that draft opened in the editor; and unsaved work restored after a reload."""
import re
import xml.etree.ElementTree as ET

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"


def _field(page, entry_id, tag="select"):
    return page.locator(f'[data-entry-id="{entry_id}"] {tag}').first


def _select(page, element_id):
    page.evaluate("""id => {
        const registry = window.modeler.get('elementRegistry');
        window.modeler.get('selection').select(registry.get(id));
    }""", element_id)


def _draft(page, live_server, draft_id) -> dict:
    token = page.context.request.post(live_server + "/api/v1/auth/token",
                                      data={"username": "process_owner", "password": "demo"}).json()["token"]
    draft = page.context.request.get(f"{live_server}/api/v1/drafts/{draft_id}",
                                     headers={"Authorization": "Bearer " + token})
    assert draft.status == 200, draft.text()
    return draft.json()


def _properties(element) -> dict:
    return {p.get("name"): p.get("value") for p in element.iter(SPIFF + "property")}


def _save(page) -> str:
    with page.expect_navigation():
        page.get_by_role("button", name="保存为草稿").click()
    match = re.search(r"/procedures/drafts/(\d+)$", page.url)
    assert match, page.url
    return match.group(1)


def test_owner_sets_role_form_due_rule_timer_and_condition_and_the_draft_carries_them(page, login, live_server, errors_of):
    errors = errors_of(page)
    login(page, "process_owner")
    page.goto("/procedures/complaint/edit")
    page.locator('.djs-element[data-element-id="classify_complaint"]').wait_for(state="visible")
    page.locator("#modeler-status").filter(has_text="未发现问题。").wait_for()
    assert page.locator(".djs-minimap").count() == 1

    # A new lane: its role chosen in Chinese fills its empty name with the role's label.
    lane_id = page.evaluate("""() => {
        const registry = window.modeler.get('elementRegistry');
        const lane = window.modeler.get('modeling').addLane(registry.get('Lane_claims_supervisor'), 'bottom');
        window.modeler.get('selection').select(lane);
        return lane.id;
    }""")
    role = _field(page, "spiff-role")
    assert role.input_value() == ""
    assert "分公司经理 (branch_manager)" in role.locator("option").all_inner_texts()
    role.select_option("branch_manager")
    assert page.evaluate("id => window.modeler.get('elementRegistry').get(id).businessObject.name", lane_id) == "分公司经理"

    # A user task in it: a new form named in the panel, due in 2 working days, showing the intake.
    task_id = page.evaluate("""laneId => {
        const registry = window.modeler.get('elementRegistry');
        const lane = registry.get(laneId);
        const shape = window.modeler.get('elementFactory').createShape({type: 'bpmn:UserTask'});
        window.modeler.get('modeling').createShape(
            shape, {x: lane.x + 300, y: lane.y + lane.height / 2}, registry.get('Participant_complaint'));
        window.modeler.get('modeling').updateLabel(shape, '复核');
        window.modeler.get('selection').select(shape);
        return shape.id;
    }""", lane_id)
    form = _field(page, "spiff-form-key")
    assert form.input_value() == ""
    assert any(o.endswith("(complaint.intake)") for o in form.locator("option").all_inner_texts())
    form.select_option(label="新建表单…")
    _field(page, "spiff-form-new", "input").fill("review")
    page.wait_for_function("id => (window.modeler.get('elementRegistry').get(id).businessObject"
                           ".extensionElements || {values: []}).values.length > 0", arg=task_id)
    assert "complaint.review" in page.locator('[data-entry-id="spiff-form-new"]').inner_text()
    _field(page, "spiff-due-rule").select_option(label="N 个工作日")
    _field(page, "spiff-due-days", "input").fill("2")
    page.locator('[data-entry-id="spiff-shows-complaint.intake"] input').check()

    # The timer after the vehicle's release: "N 个工作日后", 3.
    _select(page, "wait_after_release")
    mode = _field(page, "spiff-timer-mode")
    assert mode.input_value() == "expression"
    assert _field(page, "spiff-timer-expression", "input").input_value() == "add_days(released_at, 3)"
    mode.select_option(label="N 个工作日后")
    count = _field(page, "spiff-timer-count", "input")
    assert count.input_value() == "1"  # nothing to carry over from add_days(...)
    count.fill("5")
    page.locator('[data-entry-id="spiff-timer-count"]').filter(has_text="working_days(5)").wait_for()
    assert "表达式：working_days(5)" in page.locator('[data-entry-id="spiff-timer-count"]').inner_text()

    # A condition typed wrong: the server's problem shows under the field, and goes when fixed.
    _select(page, "Flow_is_major_note_follow_up")
    condition = _field(page, "spiff-condition", "input")
    assert condition.input_value() == 'severity == "major"'
    condition.fill('severity == "major" and __import__("os")')
    problem = page.locator('[data-entry-id="spiff-condition"] .bio-properties-panel-error')
    problem.wait_for()
    assert "__import__" in problem.inner_text()
    assert page.locator('.djs-element.has-problem[data-element-id="is_major"]').count() == 1
    condition.fill('severity == "major"')
    problem.wait_for(state="detached")

    draft_id = _save(page)
    assert page.locator("p.flash").inner_text().startswith("草稿已保存")
    body = _draft(page, live_server, draft_id)
    files = {f["name"]: f["content"] for f in body["files"]}
    assert {"complaint.bpmn", "complaint_routing.dmn", "complaint.review.form"} <= set(files)
    assert '"title": {\n    "zh-CN": "复核"' in files["complaint.review.form"]
    root = ET.fromstring(files["complaint.bpmn"])
    lane = next(la for la in root.iter(BPMN + "lane") if la.get("id") == lane_id)
    assert lane.get("name") == "分公司经理" and _properties(lane) == {"role": "branch_manager"}
    assert task_id in [ref.text for ref in lane.iter(BPMN + "flowNodeRef")]
    task = next(t for t in root.iter(BPMN + "userTask") if t.get("id") == task_id)
    assert _properties(task) == {"form": "complaint.review", "due_days": "2", "shows": "complaint.intake"}
    timer = next(e for e in root.iter(BPMN + "intermediateCatchEvent") if e.get("id") == "wait_after_release")
    assert [d.text for d in timer.iter(BPMN + "timeDate")] == ["working_days(5)"]
    flow = next(f for f in root.iter(BPMN + "sequenceFlow") if f.get("id") == "Flow_is_major_note_follow_up")
    assert [c.text for c in flow.iter(BPMN + "conditionExpression")] == ['severity == "major"']
    classify = next(t for t in root.iter(BPMN + "userTask") if t.get("id") == "classify_complaint")
    assert _properties(classify)["form"] == "complaint.classify"  # the rest kept
    assert "complaints.register" in [op.get("id") for op in root.iter(SPIFF + "serviceTaskOperator")]

    # The draft opened in the editor: its own diagram, and saving makes another draft.
    page.goto(f"/procedures/drafts/{draft_id}")
    with page.expect_navigation():
        page.locator("#edit-draft-diagram").click()
    assert page.url.endswith(f"/procedures/complaint/edit?draft={draft_id}")
    assert f"草稿 {draft_id}" in page.locator("h1").inner_text()
    page.locator(f'.djs-element[data-element-id="{task_id}"]').wait_for(state="attached")
    _select(page, task_id)
    assert _field(page, "spiff-form-key").input_value() == "complaint.review"
    assert _field(page, "spiff-due-days", "input").input_value() == "2"
    _field(page, "spiff-due-rule").select_option(label="来自数据字段")
    _field(page, "spiff-due-from", "input").fill("deadlines.handling")
    page.wait_for_function("""id => window.modeler.get('elementRegistry').get(id).businessObject
        .extensionElements.values[0].properties.some(p => p.name === 'due_from' && p.value === 'deadlines.handling')""",
                           arg=task_id)
    second = _save(page)
    assert second != draft_id
    task = next(t for t in ET.fromstring({f["name"]: f["content"] for f in _draft(page, live_server, second)["files"]}
                                         ["complaint.bpmn"]).iter(BPMN + "userTask") if t.get("id") == task_id)
    assert _properties(task) == {"form": "complaint.review", "due_from": "deadlines.handling", "shows": "complaint.intake"}
    first = {f["name"]: f["content"] for f in _draft(page, live_server, draft_id)["files"]}
    assert first == files  # the base draft stays as it was
    assert errors == [], "\n".join(errors)


def test_a_service_task_shows_its_handler_the_start_event_its_case_fields_and_a_timer_set_in_hours(page, login, errors_of):
    errors = errors_of(page)
    login(page, "process_owner")
    page.goto("/procedures/complaint/edit")
    page.locator('.djs-element[data-element-id="register_complaint"]').wait_for(state="attached")
    _select(page, "register_complaint")
    handler = _field(page, "spiff-handler-key")
    assert handler.input_value() == "complaints.register"
    entry = page.locator('[data-entry-id="spiff-handler-key"]')
    assert "将投诉登记入台账并编号" in entry.inner_text() and "投诉编号" in entry.inner_text()
    handler.select_option("complaints.close")
    entry.filter(has_text="结案").wait_for()
    assert page.evaluate("""() => window.modeler.get('elementRegistry').get('register_complaint').businessObject
        .extensionElements.values.find(v => v.$type === 'spiffworkflow:serviceTaskOperator').id""") == "complaints.close"
    assert _field(page, "spiff-result-variable", "input").input_value() == "complaint_number"

    # The plain start event: its form and the case fields every task page shows.
    _select(page, "start_intake")
    assert _field(page, "spiff-form-key").input_value() == "complaint.intake"
    _field(page, "spiff-case-fields", "input").fill("number, customer_name")
    page.wait_for_function("""() => window.modeler.get('elementRegistry').get('start_intake').businessObject
        .extensionElements.values[0].properties.some(p => p.name === 'case_fields' && p.value === 'number customer_name')""")

    # A lane's role, changed and undone: its role and its name (the role's label) go back together.
    _select(page, "Lane_claims_supervisor")
    role = _field(page, "spiff-role")
    assert role.input_value() == "claims_supervisor"  # its role property, or a lane still named by its role key
    lane_name = "() => window.modeler.get('elementRegistry').get('Lane_claims_supervisor').businessObject.name"
    before = page.evaluate(lane_name)
    assert before in ("claims_supervisor", "索赔主管")
    role.select_option("parts_manager")
    assert page.evaluate(lane_name) == "配件经理"
    page.evaluate("() => window.modeler.get('commandStack').undo()")
    assert page.evaluate(lane_name) == before
    page.wait_for_function("() => document.querySelector('[data-entry-id=\"spiff-role\"] select').value === 'claims_supervisor'")

    _select(page, "wait_after_release")
    _field(page, "spiff-timer-mode").select_option(label="N 小时内")
    _field(page, "spiff-timer-count", "input").fill("24")
    page.locator('[data-entry-id="spiff-timer-count"]').filter(has_text="in_hours(24)").wait_for()
    page.locator("#modeler-status").filter(has_text="未发现问题。").wait_for()
    assert errors == [], "\n".join(errors)


def test_unsaved_work_is_restored_after_a_reload_and_can_be_discarded(page, login, errors_of):
    errors = errors_of(page)
    login(page, "process_owner")
    page.goto("/procedures/complaint/edit")
    page.locator('.djs-element[data-element-id="classify_complaint"]').wait_for(state="visible")
    assert page.locator("#modeler-restored").is_hidden()
    page.evaluate("""() => window.modeler.get('modeling').updateLabel(
        window.modeler.get('elementRegistry').get('classify_complaint'), '分类定级')""")
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('modeler:complaint:version-'))")

    page.reload()
    page.locator("#modeler-restored").wait_for(state="visible")
    element = page.locator('.djs-element[data-element-id="classify_complaint"]').first
    element.wait_for(state="visible")
    assert "分类定级" in element.text_content()
    page.locator("#modeler-discard").click()
    page.locator("#modeler-restored").wait_for(state="hidden")
    page.wait_for_function("""() => window.modeler.get('elementRegistry').get('classify_complaint')
        .businessObject.name === '分类与指派'""")
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('modeler:'))") == []

    # Kept again after a change, and cleared by saving.
    page.evaluate("""() => window.modeler.get('modeling').updateLabel(
        window.modeler.get('elementRegistry').get('classify_complaint'), '分类定级')""")
    page.wait_for_function("() => Object.keys(localStorage).some(k => k.startsWith('modeler:'))")
    page.locator("#zoom-fit").click()
    _save(page)
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('modeler:'))") == []
    assert errors == [], "\n".join(errors)
