"""Editing a procedure's diagram in the browser: bpmn-js's Modeler on /procedures/<key>/edit
(static/modeler.js, vendor/bpmn-js copied by scripts/bootstrap), saved as a draft with the
procedure's decision tables, under the page's own CSP (inline styles only, scripts 'self')."""
import re

NEW_LABEL = "分类、定级与指派"
ELEMENT = '.djs-element[data-element-id="classify_complaint"]'


def test_process_owner_edits_a_label_and_saves_a_valid_draft(page, login, live_server, errors_of):
    errors = errors_of(page)
    login(page, "process_owner")
    page.goto("/procedures")
    with page.expect_navigation():
        page.locator('a[href="/procedures/complaint/edit"]').click()
    response = page.context.request.get(live_server + "/procedures/complaint/edit")
    csp = response.headers["content-security-policy"]
    assert "style-src 'self' 'unsafe-inline'" in csp and "script-src" not in csp and "default-src 'self'" in csp

    page.locator(ELEMENT).wait_for(state="visible")
    assert page.get_by_role("button", name="保存为草稿").count() == 1
    page.evaluate("""label => {
        const element = window.modeler.get('elementRegistry').get('classify_complaint');
        window.modeler.get('modeling').updateLabel(element, label);
    }""", NEW_LABEL)
    assert NEW_LABEL in page.locator(ELEMENT).first.text_content()

    with page.expect_navigation():
        page.get_by_role("button", name="保存为草稿").click()
    match = re.search(r"/procedures/drafts/(\d+)$", page.url)
    assert match, page.url
    assert page.locator("p.flash").inner_text() == "草稿已保存。"
    assert "没有问题：此草稿可以发布。" in page.locator("main").inner_text()
    assert "complaint.bpmn" in page.locator("main").inner_text()
    assert "complaint_routing.dmn" in page.locator("main").inner_text()

    draft = page.context.request.get(f"{live_server}/api/v1/drafts/{match.group(1)}", headers={
        "Authorization": "Bearer " + page.context.request.post(
            live_server + "/api/v1/auth/token", data={"username": "process_owner", "password": "demo"}).json()["token"]})
    assert draft.status == 200, draft.text()
    body = draft.json()
    assert body["valid"] is True and body["problems"] == []
    files = {f["name"]: f["content"] for f in body["files"]}
    assert {"complaint.bpmn", "complaint_routing.dmn"} <= set(files)  # with the version's decision tables
    assert f'id="classify_complaint" name="{NEW_LABEL}"' in files["complaint.bpmn"]
    assert errors == [], "\n".join(errors)


def test_customer_dept_may_not_edit_a_diagram(page, login, errors_of):
    errors = errors_of(page)
    login(page, "customer_dept")
    response = page.goto("/procedures/complaint/edit")
    assert response.status == 403
    assert page.locator("main h1").inner_text() == "403"
    assert page.locator("#canvas").count() == 0
    status = page.evaluate("""async () => (await fetch('/procedures/complaint/edit', {method: 'POST'})).status""")
    assert status in (400, 403)  # no CSRF token, and no right to propose anyway
    assert [e for e in errors if "403" not in e and "400" not in e] == []


def test_problems_are_marked_on_the_diagram_as_the_owner_edits_and_cleared_when_fixed(page, login, errors_of):
    """A lane given a role that is none: after the debounced check its task carries the red marker
    and the list names it; clicking the list item selects it; giving it back its role clears both."""
    errors = errors_of(page)
    login(page, "process_owner")
    page.goto("/procedures/complaint/edit")
    status = page.locator("#modeler-status")
    status.filter(has_text="未发现问题。").wait_for()  # checked once after the import
    assert page.locator(".has-problem").count() == 0

    rename = """value => {
        const lane = window.modeler.get('elementRegistry').get('Lane_claims_supervisor');
        const role = lane.businessObject.extensionElements.values[0].properties.find(p => p.name === 'role');
        window.modeler.get('modeling').updateModdleProperties(lane, role, {value});
    }"""
    page.evaluate(rename, "claims")
    marked = page.locator('.djs-element.has-problem[data-element-id="handle_claims"]')
    marked.wait_for(state="attached")
    item = page.locator('#modeler-problems li[data-element-id="handle_claims"]')
    assert "泳道“claims”不是角色" in item.inner_text()
    item.locator("button").click()
    selected = page.evaluate("() => window.modeler.get('selection').get().map(e => e.id)")
    assert selected == ["handle_claims"]

    page.evaluate(rename, "claims_supervisor")
    status.filter(has_text="未发现问题。").wait_for()
    assert marked.count() == 0 and page.locator(".has-problem").count() == 0
    assert page.locator("#modeler-problems li").count() == 0
    assert errors == [], "\n".join(errors)


def _extensions(xml: str) -> list:
    """Every spiffworkflow element of a diagram with its element's id, attributes and text, in order."""
    import xml.etree.ElementTree as ET
    found = []
    for element in ET.fromstring(xml).iter():
        for child in element:
            if child.tag == "{http://www.omg.org/spec/BPMN/20100524/MODEL}extensionElements":
                found += [(element.get("id"), e.tag, sorted(e.attrib.items()), (e.text or "").strip())
                          for e in child.iter() if e is not child]
    return found


def test_the_spiffworkflow_extensions_round_trip_unchanged(page, login, errors_of):
    """Our moddle descriptor reads and writes every extension the shipped diagrams use."""
    from pathlib import Path
    errors = errors_of(page)
    login(page, "process_owner")
    for key in ("complaint", "return_authorization", "callback", "quality_complaint"):
        page.goto(f"/procedures/{key}/edit")
        page.wait_for_function("() => window.modelerReady !== undefined")
        saved = page.evaluate("""async () => {
            await window.modelerReady;
            return (await window.modeler.saveXML({format: true})).xml;
        }""")
        original = (Path(__file__).resolve().parents[2] / "processes" / f"{key}.bpmn").read_text()
        assert _extensions(saved) == _extensions(original) and len(_extensions(original)) > 10, key
        assert "spiffworkflow:properties" in saved and "xmlns:spiffworkflow" in saved
    # The palette and the panel's own words in Chinese too.
    assert page.locator('.djs-palette .entry[aria-label="创建任务"]').count() == 1
    assert page.locator(".bio-properties-panel-group-header-title").first.inner_text() == "常规"
    assert errors == [], "\n".join(errors)
