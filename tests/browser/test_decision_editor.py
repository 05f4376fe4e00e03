"""Editing a draft's decision table in the browser: dmn-js's decision-table view on
/procedures/drafts/<id>/decisions/<file> (static/src/decision-editor.js), checked by the server
as the owner types, saved as a new draft."""
import re
from pathlib import Path

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
CELL = '#decision-table td[data-row-id="Rule_sales"][data-col-id="Input_category"]'


def _upload_shipped_complaint(page) -> str:
    """A draft of the shipped complaint procedure, uploaded on the procedures page; its URL."""
    page.goto("/procedures")
    page.locator("input#files").set_input_files(
        [str(PROCESSES / name) for name in ("complaint.bpmn", "complaint_routing.dmn", "warranty_check.dmn")])
    with page.expect_navigation():
        page.locator("input#files").evaluate("input => input.form.requestSubmit()")
    assert re.search(r"/procedures/drafts/\d+$", page.url), page.url
    return page.url


def _retype(page, cell: str, text: str) -> None:
    """Type into a table cell as a person does: click it, select what is there, type."""
    editor = page.locator(cell + " [contenteditable=true]")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.locator("h1").click()  # leave the cell


def test_owner_makes_two_rules_overlap_sees_it_saves_it_and_fixes_it(page, login, live_server, errors_of):
    errors = errors_of(page)
    login(page, "process_owner")
    _upload_shipped_complaint(page)
    with page.expect_navigation():
        page.locator('a.decision-link[href$="/decisions/complaint_routing.dmn"]').click()
    response = page.context.request.get(page.url)
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    page.wait_for_selector("body[data-decision-editor=ready]")
    assert page.locator("#decision-status").inner_text() == "未发现问题。"

    _retype(page, CELL, '"parts"')  # rule 5 now says what rule 3 says
    assert page.locator(CELL).inner_text().strip() == '"parts"'
    problem = page.locator("#decision-problems li").filter(has_text="Rule_parts")
    problem.wait_for()  # the debounced check after the edit
    assert "规则 3 (Rule_parts) 和 5 (Rule_sales)" in problem.inner_text() and '"parts"' in problem.inner_text()
    marked = page.locator("#decision-table tr.has-problem")
    assert marked.count() == 2  # both rules' rows
    assert page.locator('#decision-table td[data-row-id="Rule_sales"]').first.evaluate(
        "cell => getComputedStyle(cell).backgroundColor") == "rgb(253, 226, 226)"

    with page.expect_navigation():
        page.locator("#save-decision").click()
    first = re.search(r"/procedures/drafts/(\d+)$", page.url)
    assert first, page.url
    assert page.locator("p.flash").inner_text() == "草稿已保存，但有问题需要修正。"
    table = page.locator("table.problems").inner_text()
    assert "complaint_routing.dmn" in table and "Rule_sales" in table and "Rule_parts" in table

    with page.expect_navigation():
        page.locator('a.decision-link[href$="/decisions/complaint_routing.dmn"]').click()
    page.wait_for_selector("body[data-decision-editor=ready]")
    assert page.locator("#decision-problems li").filter(has_text="Rule_parts").count() == 1  # shown on opening
    _retype(page, CELL, '"sales"')
    page.locator("#check-decision").click()
    page.locator("#decision-status").filter(has_text="未发现问题。").wait_for()
    assert page.locator("#decision-table tr.has-problem").count() == 0
    with page.expect_navigation():
        page.locator("#save-decision").click()
    second = re.search(r"/procedures/drafts/(\d+)$", page.url)
    assert second and int(second.group(1)) > int(first.group(1))
    assert page.locator("p.flash").inner_text() == "草稿已保存。"
    assert "没有问题：此草稿可以发布。" in page.locator("main").inner_text()
    assert errors == [], "\n".join(errors)


def test_customer_dept_may_not_open_the_decision_editor(page, login, errors_of):
    login(page, "customer_dept")
    response = page.goto("/procedures/drafts/1/decisions/complaint_routing.dmn")
    assert response.status == 403
    assert page.locator("#decision-table").count() == 0
