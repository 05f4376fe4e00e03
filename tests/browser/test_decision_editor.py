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


def test_probe(page, login, live_server, errors_of):
    errors = errors_of(page)
    login(page, "process_owner")
    _upload_shipped_complaint(page)
    with page.expect_navigation():
        page.locator('a.decision-link[href$="/decisions/complaint_routing.dmn"]').click()
    page.wait_for_selector("body[data-decision-editor=ready]")
    page.screenshot(path="/tmp/dmnx/editor.png", full_page=True)
    print(page.locator(CELL).evaluate("e => e.outerHTML"))
    print(errors)
