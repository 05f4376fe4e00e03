"""The editor's side panel (static/modeler-panel.js): lanes shown with their roles' labels, a user
task's form and a service task's handler chosen from the registries, and a saved draft that keeps
the lanes named by role keys (the engine's roles) and carries the new form."""
import re
import xml.etree.ElementTree as ET

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"


def _element(page, element_id):
    return page.locator(f'.djs-element[data-element-id="{element_id}"]').first


def _saved_bpmn(page, live_server, draft_id):
    token = page.context.request.post(live_server + "/api/v1/auth/token",
                                      data={"username": "admin", "password": "demo"}).json()["token"]
    draft = page.context.request.get(f"{live_server}/api/v1/drafts/{draft_id}",
                                     headers={"Authorization": "Bearer " + token})
    assert draft.status == 200, draft.text()
    body = draft.json()
    assert body["valid"] is True and body["problems"] == []
    return {f["name"]: f["content"] for f in body["files"]}["complaint.bpmn"]


def test_panel_sets_a_form_and_lanes_keep_their_role_keys(page, login, live_server, errors_of):
    errors = errors_of(page)
    login(page, "process_owner")
    page.goto("/procedures/complaint/edit")
    _element(page, "classify_complaint").wait_for(state="visible")
    panel = page.locator("#modeler-panel")
    assert "选择一个元素" in panel.inner_text()

    # Lanes read in Chinese while editing.
    assert "客户部" in _element(page, "Lane_customer_dept").text_content()
    assert "customer_dept" not in _element(page, "Lane_customer_dept").text_content()
    page.evaluate("""() => {
        const lane = window.modeler.get('elementRegistry').get('Lane_customer_dept');
        window.modeler.get('selection').select(lane);
    }""")
    assert page.locator("#panel-id").inner_text() == "Lane_customer_dept"
    assert page.locator("#panel-role").input_value() == "customer_dept"
    assert page.locator("#panel-role option:checked").inner_text() == "客户部 (customer_dept)"
    page.evaluate("""() => window.modeler.get('selection').select(
        window.modeler.get('elementRegistry').get('Lane_claims_supervisor'))""")
    assert page.locator("#panel-role").input_value() == "claims_supervisor"

    # A service task shows its handler (the first task sits under the palette: selected by the service).
    page.evaluate("""() => window.modeler.get('selection').select(
        window.modeler.get('elementRegistry').get('register_complaint'))""")
    assert page.locator("#panel-id").inner_text() == "register_complaint"
    assert page.locator("#panel-handler").is_visible() and not page.locator("#panel-form").is_visible()
    assert page.locator("#panel-handler").input_value() == "complaints.register"

    # A user task, clicked: its form, changed through the panel.
    page.evaluate("() => window.modeler.get('selection').select(null)")  # no context pad over it
    assert page.locator("#panel-id").is_hidden()
    page.evaluate("""() => {  // the fitted diagram is small: at full size, the task in view
        const canvas = window.modeler.get('canvas');
        canvas.zoom(1);
        canvas.scrollToElement(window.modeler.get('elementRegistry').get('classify_complaint'));
    }""")
    _element(page, "classify_complaint").click()
    assert page.locator("#panel-id").inner_text() == "classify_complaint"
    assert page.locator("#panel-name").inner_text() == "分类与指派"
    assert page.locator("#panel-form").input_value() == "complaint.classify"
    assert not page.locator("#panel-role").is_visible()
    options = page.locator("#panel-form option").all_inner_texts()
    assert any(o.endswith("(complaint.follow_up)") for o in options)
    assert not any("return." in o for o in options)  # the forms of this procedure only
    page.locator("#panel-form").select_option("complaint.follow_up")
    assert page.evaluate("""() => {
        const bo = window.modeler.get('elementRegistry').get('classify_complaint').businessObject;
        const props = bo.extensionElements.values.find(v => v.$type === 'spiffworkflow:properties');
        return props.$children.find(p => p.name === 'form').value;
    }""") == "complaint.follow_up"

    with page.expect_navigation():
        page.get_by_role("button", name="保存为草稿").click()
    match = re.search(r"/procedures/drafts/(\d+)$", page.url)
    assert match, page.url
    assert page.locator("p.flash").inner_text() == "草稿已保存。"

    root = ET.fromstring(_saved_bpmn(page, live_server, match.group(1)))
    lanes = {lane.get("id"): lane.get("name") for lane in root.iter(BPMN + "lane")}
    assert lanes["Lane_customer_dept"] == "customer_dept"
    assert all(name == lane_id.removeprefix("Lane_") for lane_id, name in lanes.items()), lanes
    tasks = {task.get("id"): task for task in root.iter(BPMN + "userTask")}
    forms = {task_id: [p.get("value") for p in task.iter(SPIFF + "property") if p.get("name") == "form"]
             for task_id, task in tasks.items()}
    assert forms["classify_complaint"] == ["complaint.follow_up"]
    assert forms["follow_up_major"] == ["complaint.follow_up"]  # the others kept
    operators = [op.get("id") for op in root.iter(SPIFF + "serviceTaskOperator")]
    assert "complaints.register" in operators
    assert errors == [], "\n".join(errors)


def test_panel_creates_the_extensions_a_new_task_lacks(page, login, live_server, errors_of):
    """A new user task has no extension elements: choosing its form creates them; a service
    task's handler and a lane's role change through the panel too (undone and redone)."""
    errors = errors_of(page)
    login(page, "process_owner")
    page.goto("/procedures/complaint/edit")
    _element(page, "classify_complaint").wait_for(state="visible")
    new_id = page.evaluate("""() => {
        const registry = window.modeler.get('elementRegistry');
        const lane = registry.get('Lane_customer_dept');
        const shape = window.modeler.get('elementFactory').createShape({type: 'bpmn:UserTask'});
        window.modeler.get('modeling').createShape(
            shape, {x: lane.x + lane.width - 80, y: lane.y + lane.height / 2}, registry.get('Participant_complaint'));
        window.modeler.get('selection').select(shape);
        return shape.id;
    }""")
    assert page.locator("#panel-id").inner_text() == new_id
    assert page.locator("#panel-form").input_value() == ""
    page.locator("#panel-form").select_option("complaint.close")

    page.evaluate("""() => window.modeler.get('selection').select(
        window.modeler.get('elementRegistry').get('assign_complaint'))""")
    assert page.locator("#panel-handler").input_value() == "complaints.assign"
    page.locator("#panel-handler").select_option("returns.check_receipt")
    assert page.locator("#panel-handler-description").inner_text().startswith("Count, model and serial numbers")

    page.evaluate("""() => window.modeler.get('selection').select(
        window.modeler.get('elementRegistry').get('Lane_claims_supervisor'))""")
    page.locator("#panel-role").select_option("branch_manager")
    assert "分公司经理" in _element(page, "Lane_claims_supervisor").text_content()
    page.evaluate("() => window.modeler.get('commandStack').undo()")
    assert "索赔主管" in _element(page, "Lane_claims_supervisor").text_content()
    assert page.locator("#panel-role").input_value() == "claims_supervisor"
    page.evaluate("() => window.modeler.get('commandStack').redo()")
    assert page.locator("#panel-role").input_value() == "branch_manager"

    with page.expect_navigation():
        page.get_by_role("button", name="保存为草稿").click()
    match = re.search(r"/procedures/drafts/(\d+)$", page.url)
    assert match, page.url
    token = page.context.request.post(live_server + "/api/v1/auth/token",
                                      data={"username": "admin", "password": "demo"}).json()["token"]
    body = page.context.request.get(f"{live_server}/api/v1/drafts/{match.group(1)}",
                                    headers={"Authorization": "Bearer " + token}).json()
    root = ET.fromstring({f["name"]: f["content"] for f in body["files"]}["complaint.bpmn"])
    task = next(t for t in root.iter(BPMN + "userTask") if t.get("id") == new_id)
    assert [(p.get("name"), p.get("value")) for p in task.iter(SPIFF + "property")] == [("form", "complaint.close")]
    service = next(t for t in root.iter(BPMN + "serviceTask") if t.get("id") == "assign_complaint")
    assert [op.get("id") for op in service.iter(SPIFF + "serviceTaskOperator")] == ["returns.check_receipt"]
    lanes = {lane.get("id"): lane.get("name") for lane in root.iter(BPMN + "lane")}
    assert lanes["Lane_claims_supervisor"] == "branch_manager" and lanes["Lane_customer_dept"] == "customer_dept"
    assert errors == [], "\n".join(errors)
