"""The case page in the browser: bpmn-js's viewer draws the diagram of the case's version
(static/case.js) with the path taken and the current task marked, under the page's CSP, with no
console error; screenshots on a laptop and a phone into test-results/."""
import struct
import zlib
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[2] / "test-results"
INTAKE = {"received_at": "2026-11-20T09:30:00+08:00", "channel": "phone", "customer_name": "王先生",
          "contact_phone": "13800138000", "vehicle": "沪A·12345", "description": "保养后发动机异响",
          "customer_request": "免费复查"}


def _png(width: int, height: int) -> bytes:
    """A real PNG image, grey, that a browser draws."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _token(page, live_server) -> str:
    return page.context.request.post(live_server + "/api/v1/auth/token",
                                     data={"username": "customer_dept", "password": "demo"}).json()["token"]


def _new_complaint(page, live_server) -> dict:
    started = page.context.request.post(live_server + "/api/v1/processes/complaint/instances", data={"data": INTAKE},
                                        headers={"Authorization": f"Bearer {_token(page, live_server)}"})
    assert started.status == 201, started.text()
    return started.json()


def test_the_case_page_draws_the_diagram_with_the_current_task_marked(page, login, live_server, errors_of):
    errors = errors_of(page)
    case = _new_complaint(page, live_server)
    attached = page.context.request.post(
        f"{live_server}/api/v1/instances/{case['id']}/attachments",
        headers={"Authorization": f"Bearer {_token(page, live_server)}"},
        multipart={"file": {"name": "零件.png", "mimeType": "image/png", "buffer": _png(40, 30)}})
    assert attached.status == 201, attached.text()
    login(page, "customer_dept")
    response = page.goto(f"/instances/{case['id']}")
    assert response.status == 200
    assert page.title() == f"客户投诉处理流程 {case['business_key']}"
    csp = response.headers["content-security-policy"]
    assert "script-src" not in csp and "default-src 'self'" in csp

    page.locator("#case-diagram[data-ready='1']").wait_for(state="attached")
    assert page.locator("#case-diagram svg").count() >= 1
    current = page.locator('.djs-element.current[data-element-id="classify_complaint"]')
    assert current.count() == 1
    assert page.locator('.djs-element.done[data-element-id="start_intake"]').count() == 1
    assert page.locator('.djs-element.current[data-element-id="handle_workshop"]').count() == 0
    assert page.locator("#diagram-error").is_hidden()
    thumb = page.locator(".attachments img.thumb")
    thumb.wait_for(state="visible")
    assert page.evaluate("img => img.complete && img.naturalWidth", thumb.element_handle()) == 40
    # the current task is in sight, at a readable scale; the buttons switch to the whole diagram and back
    box, frame = current.bounding_box(), page.locator("#case-diagram").bounding_box()
    assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
    assert frame["y"] <= box["y"] and box["y"] + box["height"] <= frame["y"] + frame["height"]
    readable = page.evaluate("window.caseViewer.get('canvas').zoom()")
    page.get_by_role("button", name="整个流程图").click()
    assert page.evaluate("window.caseViewer.get('canvas').zoom()") < readable
    page.get_by_role("button", name="当前任务").click()
    assert page.evaluate("window.caseViewer.get('canvas').zoom()") == readable

    # a comment from the page shows, escaped, with its author
    page.locator("#comment-text").fill("<b>已电话安抚</b>")
    with page.expect_navigation():
        page.get_by_role("button", name="发表评论").click()
    assert page.locator(".comments .text").first.inner_text() == "<b>已电话安抚</b>"

    RESULTS.mkdir(exist_ok=True)
    page.locator("#case-diagram[data-ready='1']").wait_for(state="attached")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(RESULTS / "case-page-1366x900.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(RESULTS / "case-page-390x844.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a phone"
    assert errors == [], "\n".join(errors)


def test_the_printed_form_prints_on_a4(page, login, live_server, errors_of):
    errors = errors_of(page)
    case = _new_complaint(page, live_server)
    login(page, "customer_dept")
    assert page.goto(f"/complaints/{case['business_key']}/print").status == 200
    page.emulate_media(media="print")
    assert page.locator(".screen-only").is_hidden()
    RESULTS.mkdir(exist_ok=True)
    pdf = page.pdf(path=str(RESULTS / "complaint-print.pdf"), prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi, for a look at it
    page.screenshot(path=str(RESULTS / "complaint-print-a4.png"), full_page=True)
    assert errors == [], "\n".join(errors)
