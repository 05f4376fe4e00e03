"""KPIs (考核指标) and the general manager's monthly report, over records built through the
procedures on a moved clock, in months no other test uses (April and July 2026)."""
from datetime import datetime

from cases import SHANGHAI, CallbackCase
from return_authorization import ReturnCase
from procedures import GOOD_HANDLING, Case, fire_timers, moved_clock


def at(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def complaint_at(api, moment, **intake):
    with moved_clock(api, moment):
        return Case(api, received_at=moment.isoformat(), **intake)


def repaired_return(api, units, received, repaired):
    """An application of `units` units received at `received`, repaired (QC passed) at `repaired`."""
    serials = [f"KPI-{received:%m%d}-{units}-{n}" for n in range(units)]
    with moved_clock(api, at(4, 13, 9)):
        case = ReturnCase(api, quantity=units, serial_numbers=serials, purchase_date="2026-01-10").approve()
    with moved_clock(api, received):
        case.ship(serials=serials, received_at=received.isoformat())
        case.check_warranty()
    with moved_clock(api, repaired):
        case.repair_round()
    return case


def build_april(app, api):
    """April 2026: what each KPI should count is in the comment beside it."""
    # complaints: received in April 4 (A, B, C, E); one received 1 May 00:30 local (30 April in UTC) does not count
    a = complaint_at(api, at(4, 14, 10))
    with moved_clock(api, at(4, 14, 11)):
        a.classify(category="repair_quality", severity="general")
    with moved_clock(api, at(4, 15, 15)):  # handled on time, closed satisfied in April
        a.complete("workshop_supervisor", "handle_workshop", GOOD_HANDLING)
        a.complete("service_manager", "confirm_handling", {"confirmation": "approve"})
        a.complete("customer_dept", "call_back_customer", {"problem_solved": True, "callback_satisfied": True})
        a.complete("general_manager", "sign_close", {})
    b = complaint_at(api, at(4, 14, 10, 30), channel="email")
    with moved_clock(api, at(4, 14, 11)):  # deadline 5 working days: 21 April 11:00
        b.classify(category="parts", severity="general")
        api.as_("parts_manager").post(f"/tasks/{b.open_task('handle_parts')['id']}/claim")
    fire_timers(app, api, at(4, 22, 9))  # the miss is recorded against parts_manager in April
    with moved_clock(api, at(4, 27, 10)):  # handled late
        b.complete("parts_manager", "handle_parts", GOOD_HANDLING)
    complaint_at(api, at(4, 14, 12), channel="online_chat")  # C: only registered
    complaint_at(api, at(4, 30, 23, 30), channel="in_store")  # E: still April in Shanghai
    may_complaint = complaint_at(api, at(5, 1, 0, 30))  # May

    # callbacks: due in April 5 (1, 2, 3, 5 and the follow-up of 4, two weeks after 25 March);
    # completed in April 3 (1, 2, 4)
    with moved_clock(api, at(4, 1, 9)):  # 4: due in March, completed 1 April, satisfied
        CallbackCase(api, picked_up_at=at(3, 25, 10)).call(reached=True, satisfied=True)
    with moved_clock(api, at(4, 20, 11)):
        first, second, third, fifth = (CallbackCase(api, picked_up_at=at(4, 20, 10)) for _ in range(4))
    with moved_clock(api, at(4, 21, 10)):
        first.call(reached=True, satisfied=True)
        second.call(reached=True, satisfied=False)  # apology left open: no complaint is opened
    assert third.record()["deadline_at"] == "2026-04-23T10:00:00+08:00" and fifth.record()["status"] == "due"

    # returns: 1 unit due 17 April repaired 16 April (on time), 2 units due 23 April repaired 27 April (late)
    on_time = repaired_return(api, 1, at(4, 14, 10), at(4, 16, 10))
    late = repaired_return(api, 2, at(4, 14, 10), at(4, 27, 10))
    assert on_time.record()["repaired_on_time"] is True and late.record()["repaired_on_time"] is False
    return {"a": a, "b": b, "may": may_complaint}


def kpis(api, month, username="general_manager"):
    response = api.as_(username).get("/kpis", query_string={"month": month})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    return body, {k["key"]: (k["numerator"], k["denominator"], k["value"]) for k in body["items"]}


def test_the_kpis_of_a_month_count_exactly_its_records_and_the_report_shows_them(app, api):
    cases = build_april(app, api)
    body, april = kpis(api, "2026-04")
    assert body["month"] == "2026-04" and body["provisional"] is False
    assert [k["key"] for k in body["items"]] == ["timeliness", "satisfaction", "satisfied_closure", "complaint_rate",
                                                 "effective_callback_rate", "return_repair_on_time",
                                                 "follow_up_satisfaction", "on_time_delivery", "on_time_completion",
                                                 "estimate_accuracy"]
    assert april["timeliness"] == (1, 2, 50.0)  # A and B are due in April (21 April), B handled late
    # the first callbacks 1, 2 and 4 and complaint A's own callback (satisfied): domain.md counts both
    assert april["satisfaction"] == (3, 4, 75.0)
    assert april["follow_up_satisfaction"] == (0, 0, None)
    assert april["on_time_delivery"] == april["estimate_accuracy"] == (0, 0, None)  # no delivery registered
    assert april["satisfied_closure"] == (1, 1, 100.0)
    assert april["complaint_rate"] == (4, None, None)  # nobody entered the deliveries yet
    assert april["effective_callback_rate"] == (2, 5, 40.0)
    assert april["return_repair_on_time"] == (1, 3, 33.33)

    admin = api.as_("admin")
    assert admin.request("PUT", "/deliveries/2026-04", json={"deliveries": 0}).status_code == 200
    assert kpis(api, "2026-04")[1]["complaint_rate"] == (4, 0, None)
    entered = admin.request("PUT", "/deliveries/2026-04", json={"deliveries": 200})
    assert entered.status_code == 200 and entered.get_json()["entered_by"] == "admin"
    assert kpis(api, "2026-04", "service_manager")[1]["complaint_rate"] == (4, 200, 2.0)
    refused = api.as_("general_manager").request("PUT", "/deliveries/2026-04", json={"deliveries": 1})
    assert refused.status_code == 403
    bad = admin.request("PUT", "/deliveries/2026-13", json={"deliveries": -1})
    assert bad.status_code == 422
    assert admin.request("PUT", "/deliveries/2026-04", json={"deliveries": "many"}).status_code == 422
    assert kpis(api, "2026-04")[1]["complaint_rate"] == (4, 200, 2.0)  # the refused ones changed nothing

    _, may = kpis(api, "2026-05", "admin")
    # the 1 May 00:30 complaint counts in May (other tests' complaints received in May 2026 count too:
    # cases are received at the service clock's now)
    assert may["complaint_rate"][0] >= 1 and may["complaint_rate"][1:] == (None, None)
    # unclassified, it has no deadline yet, so May's timeliness does not count it (other tests' cases
    # whose first deadline falls in May 2026 do: the figure itself is not this test's to assert)
    assert cases["may"].complaint()["first_deadline_at"] is None
    check_april_report(api)


def test_kpis_are_for_managers_and_the_customer_department_and_want_a_month(api):
    assert api.as_("customer_dept").get("/kpis", query_string={"month": "2026-04"}).status_code == 200
    for username in ("workshop_supervisor", "branch_engineer"):
        response = api.as_(username).get("/kpis", query_string={"month": "2026-04"})
        assert response.status_code == 403, username
    for month in ("2026-4", "2026-13", "april", ""):
        response = api.as_("general_manager").get("/kpis", query_string={"month": month})
        assert response.status_code == 422 and "month" in response.get_json()["error"]["fields"], month
    assert api.as_("general_manager").get("/kpis").status_code == 422
    assert api.get("/kpis", query_string={"month": "2026-04"}).status_code == 401
    current = datetime.now(SHANGHAI).strftime("%Y-%m")
    assert kpis(api, current)[0]["provisional"] is True


def pdf_text_contains(pdf: bytes, text: str) -> bool:
    """Whether the PDF shows `text`: pdftotext when Debian's poppler-utils is there, else the
    page streams inflated and searched (reportlab writes the CID font's text as UTF-16BE)."""
    import re
    import shutil
    import subprocess
    import zlib
    if shutil.which("pdftotext"):
        shown = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
        return text in shown.decode()
    import base64
    streams = []
    for head, raw in re.findall(rb"<<((?:(?!<<).)*?)>>\s*stream\r?\n(.*?)\s*endstream", pdf, re.S):
        if b"/ASCII85Decode" in head:
            raw = base64.a85decode(raw.strip().removesuffix(b"~>"))
        stream = zlib.decompress(raw) if b"/FlateDecode" in head else raw
        # literal strings: octal escapes and escaped delimiters back to their bytes
        streams.append(re.sub(rb"\\([0-7]{1,3}|.)", lambda m: bytes([int(m.group(1), 8)]) if m.group(1).isdigit()
                              else {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(m.group(1), m.group(1)), stream, flags=re.S))
    wanted = (text.encode(), text.encode("utf-16-be"), text.encode("utf-16-be").hex().encode(),
              text.encode("utf-16-be").hex().upper().encode())
    return any(w in s for s in streams for w in wanted)


def report(api, month, fmt=None, username="general_manager", accept=None):
    return api.as_(username).get(f"/reports/monthly/{month}", query_string={"format": fmt} if fmt else {},
                                 headers={"Accept": accept} if accept else {})


def check_april_report(api):
    import io

    from openpyxl import load_workbook

    html = report(api, "2026-04")
    assert html.status_code == 200 and html.mimetype == "text/html"
    page = html.get_data(as_text=True)
    assert "售后服务月度报告" in page and "2026-04" in page and 'data-provisional="false"' in page
    assert '<tr data-kpi="timeliness"><td>投诉处理及时率</td><td>Complaint handling timeliness rate</td><td>1</td>' in page
    assert "50.00%" in page and "33.33%" in page and "parts_manager" in page

    xlsx = report(api, "2026-04", accept="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    assert 'filename="monthly-report-2026-04.xlsx"' in xlsx.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(xlsx.data))
    rows = {row[0]: row for row in book["KPIs 考核指标"].iter_rows(values_only=True) if row and row[0]}
    assert rows["timeliness"][1:] == ("投诉处理及时率", "Complaint handling timeliness rate", 1, 2, 50)
    assert rows["complaint_rate"][3:] == (4, 200, 2)
    assert rows["return_repair_on_time"][3:] == (1, 3, 33.33)
    overdue = list(book["Overdue 超时记录"].iter_rows(values_only=True))
    assert ("parts_manager", 1, False) in overdue
    returns = {row[0]: row[2] for row in book["Returns 返修"].iter_rows(values_only=True)}
    assert returns["已修复台数"] == 3 and returns["提交申请"] == 2

    pdf = report(api, "2026-04", "pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert pdf_text_contains(pdf.data, "2026-04") and pdf_text_contains(pdf.data, "投诉处理及时率")
    assert not pdf_text_contains(pdf.data, "2026-03")


def test_the_report_escapes_what_people_typed_and_says_when_it_is_provisional(app, api, pages):
    import io

    from openpyxl import load_workbook

    case = complaint_at(api, at(7, 14, 10), customer_name="<script>alert(1)</script>",
                        description='=HYPERLINK("http://evil.example","点击")&<b>')
    with moved_clock(api, at(7, 14, 11)):
        case.classify(category="sales", severity="major")
    page = report(api, "2026-07", "html").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&amp;&lt;b&gt;" in page and case.number in page
    sheet = load_workbook(io.BytesIO(report(api, "2026-07", "xlsx").data))["Complaints 投诉"]
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert len(cells) == 1 and cells[0].data_type == "s"  # kept as text, never a formula
    pdf = report(api, "2026-07", accept="application/pdf")
    assert pdf.mimetype == "application/pdf" and pdf_text_contains(pdf.data, "2026-07")

    current = datetime.now(SHANGHAI).strftime("%Y-%m")
    assert 'data-provisional="true"' in report(api, current).get_data(as_text=True)
    assert pdf_text_contains(report(api, current, "pdf").data, "Provisional")

    gm = pages("general_manager")
    listing = gm.get("/reports/monthly?month=2026-07").get_data(as_text=True)
    for fmt in ("html", "xlsx", "pdf"):
        assert f'href="/reports/monthly/2026-07.{fmt}"' in listing
    downloaded = gm.get("/reports/monthly/2026-07.pdf")
    assert downloaded.status_code == 200 and downloaded.data.startswith(b"%PDF")
    # the customer department compiles the report: it reads it (domain.md, "The monthly report")
    assert pages("customer_dept").get("/reports/monthly/2026-07.xlsx").status_code == 200
    assert pages("workshop_supervisor").get("/reports/monthly").status_code == 403


def test_the_report_is_for_managers_and_wants_a_month_and_a_known_format(api):
    for username in ("workshop_supervisor", "logistics_clerk"):
        assert report(api, "2026-04", username=username).status_code == 403
    for month in ("2026-4", "2026-00", "latest"):
        response = report(api, month)
        assert response.status_code == 422 and "month" in response.get_json()["error"]["fields"]
    response = report(api, "2026-04", "docx")
    assert response.status_code == 422 and "format" in response.get_json()["error"]["fields"]
    assert report(api, "2026-04", accept="text/html").mimetype == "text/html"
    assert report(api, "2026-04", username="service_manager", accept="*/*").mimetype == "text/html"
    assert report(api, "2026-04", username="admin", accept="application/pdf;q=0.5, text/html;q=0.1").mimetype == \
        "application/pdf"


def test_an_admin_enters_the_months_deliveries_on_the_report_page(api, pages):
    admin = pages("admin")
    page = admin.get("/reports/monthly?month=2026-02").get_data(as_text=True)
    assert 'name="deliveries"' in page
    saved = admin.post("/reports/monthly/deliveries", {"month": "2026-02", "deliveries": "120"},
                       from_page="/reports/monthly?month=2026-02")
    assert saved.status_code == 302
    rate = {k["key"]: k for k in api.as_("general_manager").get("/kpis", query_string={"month": "2026-02"})
            .get_json()["items"]}["complaint_rate"]
    assert rate["denominator"] == 120
    refused = admin.post("/reports/monthly/deliveries", {"month": "2026-02", "deliveries": "-5"},
                         from_page="/reports/monthly?month=2026-02")
    assert refused.status_code == 302
    assert {k["key"]: k for k in api.as_("general_manager").get("/kpis", query_string={"month": "2026-02"})
            .get_json()["items"]}["complaint_rate"]["denominator"] == 120
    manager = pages("general_manager")
    assert 'name="deliveries"' not in manager.get("/reports/monthly?month=2026-02").get_data(as_text=True)
    assert manager.post("/reports/monthly/deliveries", {"month": "2026-02", "deliveries": "1"},
                        from_page="/reports/monthly?month=2026-02").status_code == 403
