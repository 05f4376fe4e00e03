"""The page before deploying a draft (static/src/diff.js): the deployed version and the draft side by
side with the difference marked and listed, and the dry run's path marked on the draft."""
import copy

from lxml import etree

from versions import NS, _text, as_json, insert_task_after, shipped, with_bpmn


def _drawn(xml: str, element_id: str, beside: str) -> str:
    """The diagram with a shape for `element_id` (as the modeler would draw it), below `beside`'s."""
    root = etree.fromstring(xml.encode())
    shape = root.find(f".//bpmndi:BPMNShape[@bpmnElement='{beside}']", NS)
    added = copy.deepcopy(shape)
    added.set("id", f"{element_id}_di")
    added.set("bpmnElement", element_id)
    bounds = added[0]
    bounds.set("y", str(float(bounds.get("y")) + 2 * float(bounds.get("height"))))
    shape.addnext(added)
    return _text(root)


def _draft_with_an_added_task(page, live_server) -> int:
    token = page.context.request.post(live_server + "/api/v1/auth/token",
                                      data={"username": "process_owner", "password": "demo"}).json()["token"]
    files = with_bpmn(shipped(), lambda xml: _drawn(insert_task_after(
        xml, "handle_workshop", "inspect_vehicle", "复检车辆", "complaint.handle", "workshop_supervisor"),
        "inspect_vehicle", "handle_workshop"))
    files["complaint.test.json"] = shipped()["complaint.test.json"]  # kept with the edited diagram
    response = page.context.request.post(live_server + "/api/v1/drafts", data=as_json(files),
                                         headers={"Authorization": "Bearer " + token})
    assert response.status == 201, response.text()
    return response.json()["id"]


def test_the_added_task_is_marked_and_listed_and_the_saved_case_runs_on_the_diagram(
        page, login, live_server, errors_of):
    errors = errors_of(page)
    draft = _draft_with_an_added_task(page, live_server)
    login(page, "admin")
    page.goto(f"/procedures/drafts/{draft}")
    page.locator("#draft-changes").click()
    page.wait_for_selector("#diff[data-ready='1']")
    markers = page.evaluate("""() => {
        const has = (viewer, id, marker) => viewer.get('canvas').hasMarker(id, marker);
        return {added: has(window.diffPage.after, 'inspect_vehicle', 'diff-added'),
                unchanged: has(window.diffPage.after, 'classify_complaint', 'diff-added')
                           || has(window.diffPage.after, 'classify_complaint', 'diff-changed'),
                absentBefore: !window.diffPage.before.get('elementRegistry').get('inspect_vehicle')};
    }""")
    assert markers == {"added": True, "unchanged": False, "absentBefore": True}
    added = page.locator("#diff-changes li[data-element='inspect_vehicle']")
    assert added.get_attribute("data-change") == "added"
    assert "新增" in added.inner_text() and "用户任务" in added.inner_text() and "复检车辆" in added.inner_text()
    assert page.locator("#diff-changes li[data-change='added']").count() >= 2  # the task and its new flow

    # The saved case of the complaint procedure, run on the draft: its path and end marked.
    page.locator("#dry-run-saved-button").click()
    page.wait_for_selector("#dry-run-status[data-outcome]")
    assert page.locator("#dry-run-status").get_attribute("data-outcome") == "ended"
    assert "end_closed" in page.locator("#dry-run-status").inner_text()
    assert page.locator("#dry-run-steps li[data-element='handle_business']").count() == 1
    path = page.evaluate("""() => {
        const canvas = window.diffPage.run.get('canvas');
        return {done: canvas.hasMarker('handle_business', 'run-done'), end: canvas.hasMarker('end_closed', 'run-end'),
                untouched: canvas.hasMarker('handle_workshop', 'run-done')};
    }""")
    assert path == {"done": True, "end": True, "untouched": False}

    # Answers typed in the box: the run stops where they run out, the task marked.
    page.locator("#dry-run-case").fill('{"start": {"received_at": "{now}", "channel": "phone", "customer_name": "王",'
                                       ' "contact_phone": "13800138000", "vehicle": "沪A", "description": "异响"},'
                                       ' "tasks": []}')
    page.locator("#dry-run-button").click()
    page.wait_for_selector("#dry-run-status[data-outcome='stopped']")
    assert "classify_complaint" in page.locator("#dry-run-status").inner_text()
    assert page.evaluate("() => window.diffPage.run.get('canvas').hasMarker('classify_complaint', 'run-stopped')")
    page.locator("#dry-run-case").fill("{not json")
    page.locator("#dry-run-button").click()
    page.wait_for_selector("#dry-run-status[data-outcome='refused']")
    assert errors == []
