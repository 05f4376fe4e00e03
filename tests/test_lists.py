"""The inbox and the ledger at scale: due times on every task with a deadline, counts per lane,
sort orders, every filter, keyset paging (no row twice, none lost when rows arrive between
pages), bounded counts, saved filters, and CSV/XLSX exports of the filtered ledger."""
import csv
import io
import re
import uuid
from datetime import datetime, timedelta

from openpyxl import load_workbook

from return_authorization import ReturnCase
from procedures import GOOD_HANDLING, Case



def marker() -> str:
    return "标记" + uuid.uuid4().hex[:8]


def all_pages(client, path: str, params: dict, per_page: int = 2, between=None) -> list[dict]:
    """Every item of a list walked with ?after=, calling `between(page_number)` after each page."""
    items, after, page = [], None, 0
    while True:
        query = {**params, "per_page": per_page, **({"after": after} if after else {})}
        response = client.get(path, query_string=query)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert len(body["items"]) <= per_page
        items += body["items"]
        after, page = body["next_after"], page + 1
        if after is None:
            return items
        if between:
            between(page)


def test_every_task_with_a_deadline_has_its_due_time(api):
    case = Case(api, customer_name=marker())
    classify = case.open_task("classify_complaint")
    assert classify["due_at"] is not None and classify["due_at"] > classify["created_at"]  # 1 working day
    case.classify(category="repair_quality", severity="general")
    handle = case.open_task("handle_workshop")
    assert handle["due_at"] == case.complaint()["deadline_at"]
    case.complete("workshop_supervisor", "handle_workshop", GOOD_HANDLING)
    for lane_user, name, data in (("service_manager", "confirm_handling", {"confirmation": "approve"}),
                                  ("customer_dept", "call_back_customer",
                                   {"problem_solved": True, "callback_satisfied": True}),
                                  ("general_manager", "sign_close", None)):
        task = case.open_task(name)
        assert task["due_at"] is not None and task["due_at"] > task["created_at"], name
        if data is not None:
            case.complete(lane_user, name, data)


def test_a_task_without_a_deadline_shows_a_dash_and_one_with_a_deadline_its_time(api, pages):
    def row_of(username: str, query: str, task_id: str) -> str:  # other tests' tasks may come first
        page = pages(username).get(f"/?{query}&per_page=500").get_data(as_text=True)
        return re.search(rf'<tr class="[^"]*" data-task-id="{task_id}">(.*?)</tr>', page, re.S).group(1)

    review = api.as_("branch_manager").get("/tasks", query_string={"per_page": 500}).get_json()["items"]
    ReturnCase(api)  # the branch manager's review has no deadline
    known = {t["id"] for t in review}
    task = next(t for t in api.as_("branch_manager").get("/tasks", query_string={"per_page": 500}).get_json()["items"]
                if t["id"] not in known)
    assert re.search(r'class="due">—', row_of("branch_manager", "sort=-created", task["id"]))
    case = Case(api, customer_name=marker())
    task = case.open_task("classify_complaint")
    row = row_of("service_manager", "sort=-created&lane=service_manager", task["id"])
    assert re.search(r'class="due">\d{4}-\d\d-\d\d \d\d:\d\d', row)


def test_lane_counts_agree_with_the_filtered_lists(api):
    Case(api, customer_name=marker())
    manager = api.as_("demo_all")
    counts = manager.get("/tasks/counts")
    assert counts.status_code == 200, counts.get_json()
    lanes = {row["lane"]: row for row in counts.get_json()}
    assert "service_manager" in lanes and "admin" in lanes  # every lane of the person, empty ones too
    for lane, row in lanes.items():
        listed = manager.get("/tasks", query_string={"lane": lane, "per_page": 1}).get_json()
        late = manager.get("/tasks", query_string={"lane": lane, "overdue": "true", "per_page": 1}).get_json()
        assert (row["total"], row["overdue"]) == (listed["total"], late["total"]), lane
    assert lanes["service_manager"]["total"] >= 1


def _is_sorted(values: list, descending: bool) -> bool:
    present = [v for v in values if v is not None]
    nulls_last = values[len(present):] == [None] * (len(values) - len(present))
    return nulls_last and present == sorted(present, reverse=descending)


def test_the_inbox_sorts_by_due_and_created_both_ways_stably(api):
    for _ in range(3):
        Case(api, customer_name=marker())
    ReturnCase(api)
    person = api.as_("demo_all")
    everything = None
    for sort, key, descending in (("due", "due_at", False), ("-due", "due_at", True),
                                  ("created", "created_at", False), ("-created", "created_at", True)):
        items = person.get("/tasks", query_string={"sort": sort, "per_page": 500}).get_json()["items"]
        assert _is_sorted([t[key] for t in items], descending), sort
        assert all_pages(person, "/tasks", {"sort": sort}, per_page=3) == items, sort  # stable across pages
        ids = sorted(t["id"] for t in items)
        assert everything in (None, ids)
        everything = ids
    assert any(t["due_at"] is None for t in items) and any(t["due_at"] for t in items)
    refused = person.get("/tasks", query_string={"sort": "name"})
    assert refused.status_code == 422 and "sort" in refused.get_json()["error"]["fields"]


def test_the_inbox_filters_by_lane_procedure_claim_and_overdue(api):
    case = Case(api, customer_name=marker())
    ReturnCase(api)
    person = api.as_("demo_all")
    task = case.open_task("classify_complaint")
    assert person.post(f"/tasks/{task['id']}/claim").status_code == 200

    def ids(**query):
        body = person.get("/tasks", query_string={**query, "per_page": 500}).get_json()
        return body["items"]

    assert {t["lane"] for t in ids(lane="service_manager")} == {"service_manager"}
    assert {t["process_key"] for t in ids(process_key="return_authorization")} == {"return_authorization"}
    mine = ids(claimed="me")
    assert task["id"] in [t["id"] for t in mine] and {t["claimed_by"] for t in mine} == {"demo_all"}
    assert task["id"] not in [t["id"] for t in ids(claimed="none")]
    assert all(t["claimed_by"] is None for t in ids(claimed="none"))
    assert all(t["overdue"] for t in ids(overdue="true"))
    assert not any(t["overdue"] for t in ids(overdue="false"))
    person.post(f"/tasks/{task['id']}/unclaim")


def _complaints(api, tag: str, count: int, start: datetime) -> list[str]:
    return [Case(api, customer_name=f"{tag}客户{i}",
                 received_at=(start + timedelta(hours=i)).isoformat()).number for i in range(count)]


def test_keyset_paging_repeats_and_loses_no_complaint_when_rows_arrive_between_pages(api):
    tag = marker()
    start = datetime.fromisoformat("2026-10-10T09:00:00+08:00")
    numbers = _complaints(api, tag, 5, start)
    clerk = api.as_("customer_dept")
    added = []

    def arrive(page):  # one newer than every row seen (before the cursor), one older (after it)
        if page == 1:
            added.append(Case(api, customer_name=f"{tag}新", received_at="2026-10-11T09:00:00+08:00").number)
            added.append(Case(api, customer_name=f"{tag}旧", received_at="2026-10-01T09:00:00+08:00").number)

    walked = [c["number"] for c in all_pages(clerk, "/complaints", {"q": tag, "sort": "-received"}, between=arrive)]
    assert len(walked) == len(set(walked))  # nothing twice
    assert walked == [*reversed(numbers), added[1]]  # the older one is reached, the newer was before the cursor
    listed = clerk.get("/complaints", query_string={"q": tag, "sort": "-received"}).get_json()
    assert listed["total"] == 7 and listed["total_exact"] is True and listed["next_after"] is None
    ascending = [c["number"] for c in all_pages(clerk, "/complaints", {"q": tag, "sort": "number"}, per_page=3)]
    assert ascending == sorted(numbers + added)
    by_page = [c["number"] for p in (1, 2, 3, 4) for c in clerk.get(
        "/complaints", query_string={"q": tag, "sort": "received", "page": p, "per_page": 2}).get_json()["items"]]
    assert by_page == [added[1], *numbers, added[0]]  # the page number of shared/api.md still works


def test_a_cursor_of_another_order_or_a_made_up_one_is_refused(api):
    tag = marker()
    _complaints(api, tag, 3, datetime.fromisoformat("2026-10-12T09:00:00+08:00"))
    clerk = api.as_("customer_dept")
    cursor = clerk.get("/complaints", query_string={"q": tag, "per_page": 1}).get_json()["next_after"]
    for query in ({"sort": "number", "after": cursor}, {"after": "not-a-cursor"}, {"after": "W10"},
                  {"after": "WyItcmVjZWl2ZWQiLCAieCIsIDFd"}):
        refused = clerk.get("/complaints", query_string={"q": tag, **query})
        assert refused.status_code == 422, query
        assert "after" in refused.get_json()["error"]["fields"]
    assert clerk.get("/complaints", query_string={"sort": "colour"}).status_code == 422


def test_the_ledger_sorts_by_deadline_with_the_unassigned_last(api):
    tag = marker()
    first, second, _ = (Case(api, customer_name=f"{tag}{i}") for i in range(3))
    first.classify(category="repair_quality", severity="general", deadline_days=9)
    second.classify(category="service_attitude", severity="general", deadline_days=2)
    clerk = api.as_("customer_dept")
    for sort, expected in (("deadline", [second.number, first.number]),
                           ("-deadline", [first.number, second.number])):
        items = clerk.get("/complaints", query_string={"q": tag, "sort": sort}).get_json()["items"]
        assert [c["number"] for c in items][:2] == expected and items[2]["deadline_at"] is None, sort


def test_each_ledger_filter_narrows_the_list(api):
    tag = marker()
    workshop = Case(api, customer_name=f"{tag}甲", channel="email", received_at="2026-08-05T10:00:00+08:00")
    attitude = Case(api, customer_name=f"{tag}乙", channel="phone", received_at="2026-09-05T10:00:00+08:00")
    waiting = Case(api, customer_name=f"{tag}丙", channel="phone", received_at="2026-09-06T10:00:00+08:00")
    workshop.classify(category="repair_quality", severity="major")
    attitude.classify(category="service_attitude", severity="general")
    clerk = api.as_("customer_dept")

    def numbers(**query):
        response = clerk.get("/complaints", query_string={"q": tag, **query})
        assert response.status_code == 200, response.get_json()
        return {c["number"] for c in response.get_json()["items"]}

    assert numbers() == {workshop.number, attitude.number, waiting.number}
    assert numbers(category="repair_quality") == {workshop.number}
    assert numbers(severity="general") == {attitude.number}
    assert numbers(channel="email") == {workshop.number}
    assert numbers(month="2026-09") == {attitude.number, waiting.number}
    assert numbers(status="registered") == {waiting.number} and numbers(status="closed") == set()
    role = attitude.complaint()["responsible_role"]
    assert numbers(responsible=role) == {attitude.number}
    assert clerk.get("/complaints", query_string={"q": f"{tag}甲"}).get_json()["total"] == 1
    assert clerk.get("/complaints", query_string={"month": "2026-13"}).status_code == 422


def test_counts_stop_at_their_bound(app, api):
    tag = marker()
    _complaints(api, tag, 3, datetime.fromisoformat("2026-10-13T09:00:00+08:00"))
    from sqlalchemy import select

    from app.models import Complaint
    from app.services import paging
    with app.app_context():
        query = select(Complaint).where(Complaint.customer_name.like(f"{tag}%"))
        assert paging.bounded_count(query, bound=2) == (2, False)
        assert paging.bounded_count(query, bound=3) == (3, True)
        page = paging.paginate(query, paging.Sort("x", ((Complaint.id, False),)), per_page=2, count_bound=1)
        assert (page.total, page.total_exact, len(page.items)) == (1, False, 2) and page.next_after


def test_the_ledger_page_says_more_than_beyond_the_bound_and_pages_with_a_cursor(app, api, pages):
    tag = marker()
    numbers = _complaints(api, tag, 3, datetime.fromisoformat("2026-10-14T09:00:00+08:00"))
    page = pages("customer_dept").get(f"/complaints?q={tag}&sort=received").get_data(as_text=True)
    assert all(n in page for n in numbers) and "(3)" in page
    assert 'rel="next"' not in page
    for name in ("status", "category", "severity", "channel", "responsible", "month", "q", "sort"):
        assert f'name="{name}"' in page, name  # a control for every filter


def test_saved_filters_are_saved_applied_and_deleted_by_their_owner_only(app, pages):
    clerk = pages("customer_dept")
    saved = clerk.post("/complaints/filters", {"name": "本月电话", "query": "channel=phone&month=2026-11&after=xyz"},
                       from_page="/complaints")
    assert saved.status_code == 302 and saved.location.endswith("/complaints?channel=phone&month=2026-11")
    page = clerk.get("/complaints").get_data(as_text=True)
    assert '<a href="/complaints?channel=phone&amp;month=2026-11">本月电话</a>' in page
    filter_id = int(re.search(r'/complaints/filters/(\d+)/delete', page).group(1))
    again = clerk.post("/complaints/filters", {"name": "本月电话", "query": "channel=email"}, from_page="/complaints")
    assert again.status_code == 302
    page = clerk.get("/complaints").get_data(as_text=True)
    assert page.count("本月电话</a>") == 1 and "/complaints?channel=email" in page  # replaced, not doubled

    other = pages("demo_all")
    refused = other.post(f"/complaints/filters/{filter_id}/delete", {}, from_page="/complaints")
    assert refused.status_code == 404
    assert "本月电话" not in other.get("/complaints").get_data(as_text=True)
    empty = clerk.post("/complaints/filters", {"name": " ", "query": "q=x"}, from_page="/complaints")
    assert empty.status_code == 302 and "本月电话" in clerk.get("/complaints").get_data(as_text=True)

    deleted = clerk.post(f"/complaints/filters/{filter_id}/delete", {}, from_page="/complaints")
    assert deleted.status_code == 302
    assert "本月电话" not in clerk.get("/complaints").get_data(as_text=True)

    manager = pages("service_manager")
    assert manager.post("/inbox/filters", {"name": "我的", "query": "claimed=me&sort=-due"}).status_code == 302
    assert '<a href="/?claimed=me&amp;sort=-due">我的</a>' in manager.get("/").get_data(as_text=True)
    clerk_of_returns = pages("logistics_clerk")  # reads no ledger: saves no filter of it
    assert clerk_of_returns.post("/complaints/filters", {"name": "x", "query": "q=1"}, from_page="/").status_code == 403


def test_the_filtered_ledger_exports_as_csv_and_xlsx_with_chinese(api, pages):
    tag = marker()
    numbers = _complaints(api, tag, 2, datetime.fromisoformat("2026-10-15T09:00:00+08:00"))
    clerk = api.as_("customer_dept")
    answer = clerk.get("/complaints/export", query_string={"format": "csv", "q": tag, "sort": "number"})
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv")
    assert answer.headers["X-Export-Truncated"] == "false"
    raw = answer.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["编号", "受理时间", "投诉渠道", "客户姓名"]
    assert [r[0] for r in rows[1:]] == numbers and rows[1][2] == "电话" and rows[1][3] == f"{tag}客户0"
    assert rows[1][12] == "已登记"

    page = pages("customer_dept").get(f"/complaints/export.xlsx?q={tag}&sort=-number")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(page.get_data())).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "编号" and [r[0] for r in values[1:]] == list(reversed(numbers))
    assert values[1][3] == f"{tag}客户1"
    english = clerk.get("/complaints/export", query_string={"format": "csv", "q": tag, "lang": "en"})
    assert english.get_data().decode("utf-8-sig").startswith("Number,Received,Channel")
    bad = clerk.get("/complaints/export", query_string={"format": "pdf"})
    assert bad.status_code == 422 and "format" in bad.get_json()["error"]["fields"]
    assert api.as_("workshop_supervisor").get("/complaints/export", query_string={
        "format": "csv", "q": tag}).get_data().decode("utf-8-sig").count(tag) == 0  # not the workshop's


def test_an_export_stops_at_its_bound_and_says_so(app, api):
    tag = marker()
    numbers = _complaints(api, tag, 3, datetime.fromisoformat("2026-10-16T09:00:00+08:00"))
    from app.models import User
    from app.services import complaints
    from app.extensions import db
    with app.test_request_context():
        clerk = db.session.scalar(db.select(User).where(User.username == "customer_dept"))
        content, cut = complaints.export_file(clerk, "csv", "zh-CN", "仅导出前 {limit} 行", q=tag, sort="number",
                                              limit=2)
        assert cut
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        assert rows[0] == ["仅导出前 2 行"] and [r[0] for r in rows[2:]] == numbers[:2]
        content, cut = complaints.export_file(clerk, "xlsx", "en", "only {limit}", q=tag, limit=3)
        assert not cut
        sheet = load_workbook(io.BytesIO(content)).active
        assert sheet.max_row == 4 and sheet["A1"].value == "Number"
        db.session.rollback()


def test_the_return_register_and_the_callback_log_page_with_the_same_cursor(api):
    for _ in range(3):
        ReturnCase(api)
    for username, path, params in (("department_head", "/return-authorizations", {}),
                                   ("logistics_clerk", "/return-authorizations", {"status": "under_review"}),
                                   ("customer_dept", "/callbacks", {})):
        person = api.as_(username)
        whole = person.get(path, query_string={**params, "per_page": 500}).get_json()
        walked = all_pages(person, path, params, per_page=2)
        assert walked == whole["items"] and len(walked) == whole["total"], path
