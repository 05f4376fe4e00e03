"""The case view (/instances/<id>): the diagram with the path taken, comments and attachments,
through the API and the pages; the printed complaint handling form."""
import re
from io import BytesIO

from procedures import GOOD_HANDLING, Case

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def upload(api, case_id, content: bytes, name: str):
    return api.request("POST", f"/instances/{case_id}/attachments",
                       data={"file": (BytesIO(content), name)}, content_type="multipart/form-data")


def test_the_diagram_names_the_path_taken_and_the_current_task(api):
    case = Case(api)
    case.classify(category="repair_quality", severity="general")
    response = api.as_("customer_dept").get(f"/instances/{case.id}/diagram")
    assert response.status_code == 200, response.get_json()
    diagram = response.get_json()
    assert diagram["xml"].lstrip().startswith("<?xml") and 'id="handle_workshop"' in diagram["xml"]
    assert "classify_complaint" in diagram["completed"] and "handle_workshop" not in diagram["completed"]
    assert diagram["current"][0] == "handle_workshop" or "handle_workshop" in diagram["current"]
    assert diagram["error"] is None
    # a user who may not read the case sees neither the diagram nor anything on it
    assert api.as_("parts_manager").get(f"/instances/{case.id}/diagram").status_code == 403


def test_comments_round_trip_escaped_bounded_and_refused_to_outsiders(api, pages):
    case = Case(api)
    posted = api.as_("service_manager").post(f"/instances/{case.id}/comments",
                                             json={"text": "  <script>alert(1)</script> 客户已致电  "})
    assert posted.status_code == 201, posted.get_json()
    comment = posted.get_json()
    assert comment["text"] == "<script>alert(1)</script> 客户已致电" and comment["author"] == "service_manager"
    listed = api.as_("customer_dept").get(f"/instances/{case.id}/comments").get_json()
    assert [c["id"] for c in listed["items"]] == [comment["id"]] and listed["total"] == 1

    too_long = api.as_("service_manager").post(f"/instances/{case.id}/comments", json={"text": "长" * 2001})
    assert too_long.status_code == 422 and "text" in too_long.get_json()["error"]["fields"]
    empty = api.as_("service_manager").post(f"/instances/{case.id}/comments", json={"text": "   "})
    assert empty.status_code == 422 and "text" in empty.get_json()["error"]["fields"]
    # parts_manager neither worked on this case nor reads the ledger
    assert api.as_("parts_manager").get(f"/instances/{case.id}/comments").status_code == 403
    refused = api.as_("parts_manager").post(f"/instances/{case.id}/comments", json={"text": "偷看"})
    assert refused.status_code == 403
    assert api.as_("admin").get(f"/instances/{case.id}/comments").get_json()["total"] == 1  # nothing added

    page = pages("customer_dept").get(f"/instances/{case.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 客户已致电" in page and "<script>alert(1)" not in page


def test_a_comment_from_the_page(app, api, pages):
    case = Case(api)
    manager = pages("service_manager")
    done = manager.post(f"/instances/{case.id}/comments", {"text": "已联系车间"}, from_page=f"/instances/{case.id}")
    assert done.status_code == 302
    assert "已联系车间" in manager.get(f"/instances/{case.id}").get_data(as_text=True)
    refused = manager.post(f"/instances/{case.id}/comments", {"text": ""}, from_page=f"/instances/{case.id}")
    assert refused.status_code == 422 and "评论不能为空" in refused.get_data(as_text=True)


def test_attachments_round_trip_with_safe_headers(api):
    case = Case(api)
    clerk = api.as_("customer_dept")
    for content, name, kind in ((PNG, "损坏零件.png", "image/png"), (JPEG, "photo.JPG", "image/jpeg"),
                                (PDF, "..\\..\\etc/re<po>rt.pdf", "application/pdf")):
        response = upload(clerk, case.id, content, name)
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        assert body["content_type"] == kind and body["size"] == len(content) and body["uploaded_by"] == "customer_dept"
    listed = clerk.get(f"/instances/{case.id}/attachments").get_json()
    assert [a["file_name"] for a in listed["items"]] == ["损坏零件.png", "photo.jpg", "report.pdf"]

    pdf = listed["items"][2]
    served = api.as_("service_manager").get(f"/instances/{case.id}/attachments/{pdf['id']}")
    assert served.status_code == 200 and served.data == PDF
    assert served.headers["Content-Type"] == "application/pdf"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert "report.pdf" in served.headers["Content-Disposition"] and "/" not in served.headers["Content-Disposition"]
    assert "sandbox" in served.headers["Content-Security-Policy"]
    png = listed["items"][0]
    served = clerk.get(f"/instances/{case.id}/attachments/{png['id']}")
    assert served.data == PNG and "filename*=UTF-8''" in served.headers["Content-Disposition"]

    assert api.as_("parts_manager").get(f"/instances/{case.id}/attachments/{png['id']}").status_code == 403
    assert api.as_("parts_manager").get(f"/instances/{case.id}/attachments").status_code == 403
    assert upload(api.as_("parts_manager"), case.id, PNG, "x.png").status_code == 403
    # an attachment asked for under another case is unknown there
    other = Case(api)
    assert clerk.get(f"/instances/{other.id}/attachments/{png['id']}").status_code == 404


def test_a_wrong_type_or_an_oversized_file_is_refused_naming_the_file(app, api, monkeypatch):
    case = Case(api)
    clerk = api.as_("customer_dept")
    html = upload(clerk, case.id, b"<html><script>alert(1)</script></html>", "photo.png")
    assert html.status_code == 422, html.get_json()
    assert "file" in html.get_json()["error"]["fields"]
    missing = clerk.request("POST", f"/instances/{case.id}/attachments", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "file" in missing.get_json()["error"]["fields"]

    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1000)
    just_fits = upload(clerk, case.id, PNG + b"\x00" * (1000 - len(PNG)), "fits.png")
    assert just_fits.status_code == 201, just_fits.get_json()
    one_more = upload(clerk, case.id, PNG + b"\x00" * (1001 - len(PNG)), "big.png")
    assert one_more.status_code == 413 and "file" in one_more.get_json()["error"]["fields"]
    # beyond the whole request's limit: refused unread, still naming the file
    huge = upload(clerk, case.id, PNG + b"\x00" * 200_000, "huge.png")
    assert huge.status_code == 413 and "file" in huge.get_json()["error"]["fields"]
    assert [a["file_name"] for a in clerk.get(f"/instances/{case.id}/attachments").get_json()["items"]] == ["fits.png"]


def test_the_default_limit_takes_more_than_the_request_limit(app, api):
    """10 MiB attachments pass although MAX_CONTENT_LENGTH is 1 MiB."""
    case = Case(api)
    big = PNG + b"\x00" * (2 * 2**20)
    response = upload(api.as_("customer_dept"), case.id, big, "scan.png")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["size"] == len(big)


def test_an_attachment_from_the_page(api, pages):
    case = Case(api)
    clerk = pages("customer_dept")
    page = clerk.get(f"/instances/{case.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = clerk.client.post(f"/instances/{case.id}/attachments", content_type="multipart/form-data",
                             data={"csrf_token": token, "file": (BytesIO(PDF), "签字报告.pdf")})
    assert done.status_code == 302
    page = clerk.get(f"/instances/{case.id}").get_data(as_text=True)
    link = re.search(r'href="(/instances/\d+/attachments/\d+)">签字报告.pdf<', page).group(1)
    served = clerk.get(link)
    assert served.data == PDF and served.headers["X-Content-Type-Options"] == "nosniff"
    wrong = clerk.client.post(f"/instances/{case.id}/attachments", content_type="multipart/form-data",
                              data={"csrf_token": token, "file": (BytesIO(b"GIF89a...."), "a.pdf")})
    assert wrong.status_code == 422 and "必须是 PNG 或 JPEG 图片或 PDF 文件" in wrong.get_data(as_text=True)


def test_the_case_page_is_titled_by_procedure_and_number(api, pages):
    case = Case(api)
    response = pages("customer_dept").get(f"/instances/{case.id}")
    page = response.get_data(as_text=True)
    assert f"<title>客户投诉处理流程 {case.number}</title>" in page
    assert 'id="case-diagram"' in page and "bpmn-navigated-viewer.production.min.js" in page
    assert "script-src" not in response.headers["Content-Security-Policy"]  # scripts: default-src 'self'
    assert "<script>" not in page


def test_the_printed_complaint_handling_form(api, pages):
    case = Case(api)
    case.classify(category="repair_quality", severity="general")
    case.complete("workshop_supervisor", "handle_workshop", GOOD_HANDLING)
    response = pages("service_manager").get(f"/complaints/{case.number}/print")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "投诉处理单" in page and case.number in page and "print.css" in page
    assert "装配时皮带张紧不足" in page  # the department's answers, under their labels
    assert "服务经理（签字）" in page and "总经理（签字）" in page
    # another department's complaint is unknown to it (as on /complaints/<number>); no ledger role: refused
    assert pages("parts_manager").get(f"/complaints/{case.number}/print").status_code == 404
    assert pages("repair_technician").get(f"/complaints/{case.number}/print").status_code == 403
