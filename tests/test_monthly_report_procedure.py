"""The monthly report as a procedure (issue 12 item 4, domain.md "The monthly report as a
procedure"): started for the month before on the 1st by the timer runner, once; the customer
department reviews and submits its analysis by the 8th (late: the overdue record, the 200 元
penalty proposal and an escalation to the head of customer relations, which closes itself when
the report is submitted); the general manager and the group's after-sales supervisor sign or
send it back; the signed report is frozen in every format. Each test takes a month of its own."""
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import func, select

from app import permissions
from app.extensions import db
from app.models import MonthlyReport, ProcessInstance, User
from procedures import Case, fire_timers, moved_clock, two_runners

SHANGHAI = ZoneInfo("Asia/Shanghai")
REVIEW = {"analysis": "本月重大投诉两起，均已结案；回访满意度下降。", "improvements": "加强车间复检，客服专员每周抽查回访。"}
FORMATS = ("html", "xlsx", "pdf")


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


class Report(Case):
    """One month's report procedure, driven through the API as the demo users."""

    def __init__(self, api, instance_id: int, business_key: str):
        self.api, self.id, self.number = api, instance_id, business_key

    @classmethod
    def started_by_admin(cls, api, month: str) -> "Report":
        response = api.as_("admin").post(f"/reports/monthly/{month}/start")
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        return cls(api, body["instance_id"], body["business_key"])

    def status(self, username="general_manager") -> dict:
        response = self.api.as_(username).get(f"/reports/monthly/{self.number[4:8]}-{self.number[8:]}/status")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def cancel(self) -> None:
        """Leaves no timer behind for the other tests' passes."""
        if self.instance()["status"] not in ("completed", "cancelled"):
            response = self.api.as_("admin").post(f"/instances/{self.id}/cancel", json={"reason": "test over"})
            assert response.status_code == 200, response.get_json()


@pytest.fixture
def autostart(app):
    from app.services import monthly_reports
    app.config["MONTHLY_REPORT_AUTOSTART"] = True
    monthly_reports._started.clear()
    yield
    app.config["MONTHLY_REPORT_AUTOSTART"] = False


def report_instances(app, business_key: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProcessInstance)
                                 .where(ProcessInstance.business_key == business_key))


def files(api, month: str, username="group_supervisor") -> dict:
    found = {}
    for fmt in FORMATS:
        response = api.as_(username).get(f"/reports/monthly/{month}", query_string={"format": fmt})
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        found[fmt] = (response.get_data(), response.headers.get("X-Report-SHA256"))
    return found


def claim(api, report: Report, task: str, username: str) -> None:
    assert api.as_(username).post(f"/tasks/{report.open_task(task)['id']}/claim").status_code == 200


def close_general_complaint(case: Case) -> None:
    case.complete("service_manager", "classify_complaint", {"category": "service_attitude", "severity": "general"})
    case.complete("business_supervisor", "handle_business", {"result": "已当面致歉", "root_cause": "接待流程未执行",
                                                             "improvement": "重新培训接待流程"})
    case.complete("service_manager", "confirm_handling", {"confirmation": "approve"})
    case.complete("customer_dept", "call_back_customer", {"problem_solved": True, "callback_satisfied": True})
    case.complete("general_manager", "sign_close", {})


def test_the_runner_starts_last_months_report_on_the_first_once_and_the_signed_report_is_frozen(app, api, pages,
                                                                                                autostart):
    with moved_clock(api, at(2026, 11, 25, 10)):
        later_closed = Case(api, received_at="2026-11-24T09:00:00+08:00", description="等待时间过长")
    # two passes of the runner on December 1st (local time): November's report, once
    fire_timers(app, api, at(2026, 12, 1, 0, 0, 30))
    fire_timers(app, api, at(2026, 12, 1, 0, 1))
    assert report_instances(app, "RPT-202611") == 1
    with app.app_context():
        row = db.session.get(MonthlyReport, "2026-11")
        report = Report(api, row.instance_id, row.business_key)
        assert row.due_at == at(2026, 12, 8, 23, 59, 59)  # the end of the 8th
    assert report.open_names() == ["review_report"]
    assert report.instance()["unit"] == "group"  # the group's procedure: its tasks are no branch's
    assert report.status()["state"] == "in_progress"
    unsigned = api.as_("general_manager").get("/reports/monthly/2026-11", query_string={"format": "html"})
    assert "草稿" in unsigned.get_data(as_text=True) and unsigned.headers.get("X-Report-SHA256") is None

    with moved_clock(api, at(2026, 12, 3, 10)):
        # the review task's page shows the month's report: KPIs, every complaint, per department and person
        task = report.open_task("review_report")
        page = api.as_("customer_dept").get(f"/tasks/{task['id']}")
        assert page.status_code == 200
        report.complete("customer_dept", "review_report", REVIEW)
        assert report.status()["state"] == "signing"
        report.complete("general_manager", "sign_general_manager", {"decision": "sign"})
        report.complete("group_supervisor", "sign_group_supervisor", {"decision": "sign"})
    assert report.instance()["status"] == "completed"
    status = report.status("customer_dept")
    assert status["state"] == "signed" and [f["format"] for f in status["files"]] == ["html", "pdf", "xlsx"]
    assert [(s["role"], s["person"]["username"]) for s in status["signatures"]] == [
        ("general_manager", "general_manager"), ("group_supervisor", "group_supervisor")]
    frozen = files(api, "2026-11")
    stored = {f["format"]: f["sha256"] for f in status["files"]}
    for fmt, (content, digest) in frozen.items():
        assert digest == stored[fmt] and len(content) == next(f["size"] for f in status["files"] if f["format"] == fmt)
    html = frozen["html"][0].decode()
    assert "已签发" in html and "草稿" not in html and REVIEW["analysis"] in html
    assert 'data-signer="group_supervisor"' in html and later_closed.number in html
    assert frozen["pdf"][0].startswith(b"%PDF") and frozen["xlsx"][0].startswith(b"PK")
    first_sheet = openpyxl.load_workbook(io.BytesIO(frozen["xlsx"][0])).worksheets[0]
    lines = [row[0] for row in first_sheet.iter_rows(values_only=True) if row and isinstance(row[0], str)]
    assert f"客户部分析 Analysis: {REVIEW['analysis']}" in lines
    assert any(line.startswith("签字 Signed — 集团售后督导 Group after-sales supervisor") for line in lines), lines

    # a complaint of November closed afterwards changes the records, not the signed report
    with moved_clock(api, at(2026, 12, 10, 9)):
        close_general_complaint(later_closed)
    assert later_closed.complaint()["status"] == "closed"
    assert files(api, "2026-11", "general_manager") == frozen
    # a third pass of the runner in December starts nothing more
    fire_timers(app, api, at(2026, 12, 20, 9))
    assert report_instances(app, "RPT-202611") == 1
    # the report page shows the state and links to the stored files, which serve them as stored
    page = pages("general_manager").get("/reports/monthly?month=2026-11").get_data(as_text=True)
    assert 'data-state="signed"' in page and 'data-frozen="pdf"' in page
    stored_html = pages("group_supervisor").get("/reports/monthly/2026-11.html")
    assert stored_html.get_data() == frozen["html"][0]


def test_a_late_analysis_writes_the_overdue_record_proposes_200_yuan_and_escalates_until_submitted(app, api):
    with moved_clock(api, at(2027, 2, 1, 9)):
        report = Report.started_by_admin(api, "2027-01")
        claim(api, report, "review_report", "customer_dept")
    assert report.number == "RPT-202701"
    fire_timers(app, api, at(2027, 2, 8, 23, 50))  # not yet late
    assert report.open_names() == ["review_report"]
    fire_timers(app, api, at(2027, 2, 9, 0, 5))
    assert report.open_names() == ["escalate_review", "review_report"]
    escalation = report.open_task("escalate_review")
    assert escalation["lane"] == "customer_dept_manager"
    inbox = api.as_("customer_dept_manager").get("/tasks").get_json()["items"]
    assert escalation["id"] in [t["id"] for t in inbox]

    records = [r for r in api.as_("admin").get("/overdue", query_string={"month": "2027-02"}).get_json()["items"]
               if r["business_key"] == "RPT-202701"]
    assert [(r["person"], r["role"], r["task"]) for r in records] == [("customer_dept", "customer_dept", "review_report")]
    penalties = [p for p in api.as_("service_manager").get("/penalties", query_string={"month": "2027-02"})
                 .get_json()["items"] if p["business_key"] == "RPT-202701"]
    assert [(p["person"], p["amount"], p["unit"], p["status"]) for p in penalties] == [
        ("customer_dept", 200, "yuan", "proposed")]
    assert penalties[0]["rule"].endswith("Rule_late_monthly_analysis")

    # submitted late: the escalation closes itself, the report goes on to the general manager
    with moved_clock(api, at(2027, 2, 9, 10)):
        report.complete("customer_dept", "review_report", REVIEW)
    assert report.open_names() == ["sign_general_manager"]
    assert escalation["id"] not in [t["id"] for t in api.as_("customer_dept_manager").get("/tasks").get_json()["items"]]
    report.cancel()


def test_a_report_sent_back_returns_to_the_customer_department_and_the_signatures_lapse(app, api):
    with moved_clock(api, at(2027, 4, 1, 9)):
        report = Report.started_by_admin(api, "2027-03")
        report.complete("customer_dept", "review_report", REVIEW)
        refused = report.complete("general_manager", "sign_general_manager", {"decision": "send_back"}, expect=422)
        assert "send_back_reason" in str(refused)
        report.complete("general_manager", "sign_general_manager",
                        {"decision": "send_back", "send_back_reason": "缺少分部门的原因分析"})
        assert report.open_names() == ["review_report"]
        assert report.status()["state"] == "in_progress"
        task = report.open_task("review_report")
        shown = api.as_("customer_dept").get(f"/tasks/{task['id']}").get_json()
        assert "缺少分部门的原因分析" in str(shown["case"])
        report.complete("customer_dept", "review_report", {**REVIEW, "analysis": "补充：车间复检不足。"})
        report.complete("general_manager", "sign_general_manager", {"decision": "sign"})
        assert [s["role"] for s in report.status()["signatures"]] == ["general_manager"]
        report.complete("group_supervisor", "sign_group_supervisor",
                        {"decision": "send_back", "send_back_reason": "请附上罚款明细"})
        assert report.open_names() == ["review_report"]
        assert report.status()["signatures"] == []  # the general manager signs again
    report.cancel()


def test_who_may_sign_start_and_read(app, api):
    with moved_clock(api, at(2027, 6, 2, 9)):
        # nobody but an admin starts a month; a month has one report; a month not over has none yet
        assert api.as_("customer_dept").post("/reports/monthly/2027-05/start").status_code == 403
        assert api.as_("workshop_supervisor").post("/reports/monthly/2027-05/start").status_code == 403
        report = Report.started_by_admin(api, "2027-05")
        again = api.as_("admin").post("/reports/monthly/2027-05/start")
        assert again.status_code == 409 and "RPT-202705" in str(again.get_json())
        early = api.as_("admin").post("/reports/monthly/2027-06/start")
        assert early.status_code == 422 and "month" in early.get_json()["error"]["fields"]
        assert report_instances(app, "RPT-202705") == 1

        report.complete("workshop_supervisor", "review_report", REVIEW, expect=403)
        report.complete("customer_dept", "review_report", REVIEW)
        report.complete("group_supervisor", "sign_general_manager", {"decision": "sign"}, expect=403)
        report.complete("general_manager", "sign_general_manager", {"decision": "sign"})
        report.complete("workshop_supervisor", "sign_group_supervisor", {"decision": "sign"}, expect=403)
        report.complete("general_manager", "sign_group_supervisor", {"decision": "sign"}, expect=403)
        assert report.open_names() == ["sign_group_supervisor"]
    # a workshop supervisor does not read the report; the customer department reads what it compiles
    assert api.as_("workshop_supervisor").get("/reports/monthly/2027-05/status").status_code == 403
    assert api.as_("workshop_supervisor").get("/reports/monthly/2027-05").status_code == 403
    for path in ("/reports/monthly/2027-05/status", "/reports/monthly/2027-05?format=xlsx",
                 "/kpis?month=2027-05"):
        assert api.as_("customer_dept").get(path).status_code == 200, path
    report.cancel()


def test_the_group_supervisor_reads_everything(app, api):
    """Every read action of the permission table, on every object; and the supervisor's API reads."""
    reads = [name for name in permissions.ACTIONS if name.split(".")[1].split("_")[0] in ("read", "list")]
    assert {"complaints.read_ledger", "returns.read_register", "penalties.read", "overdue.read", "instances.read",
            "tasks.read", "reports.read", "kpis.read", "callbacks.read_log"} <= set(reads)
    with app.app_context():
        supervisor = db.session.scalar(select(User).where(User.username == "group_supervisor"))
        assert [name for name in reads if not permissions.sees_every(supervisor, name)] == []
    for path in ("/complaints", "/return-authorizations", "/callbacks", "/overdue", "/penalties", "/kpis?month=2026-11",
                 "/instances?status=error"):
        assert api.as_("group_supervisor").get(path).status_code == 200, path


def test_an_admin_starts_a_month_from_the_command_line_once(app, api):
    with moved_clock(api, at(2027, 8, 2, 9)):
        started = app.test_cli_runner().invoke(args=["monthly-report", "2027-07"])
        assert started.exit_code == 0 and "RPT-202707" in started.output, started.output
        again = app.test_cli_runner().invoke(args=["monthly-report", "2027-07"])
        assert again.exit_code == 1 and "已在进行中（RPT-202707）" in again.output  # the catalogue's language
        early = app.test_cli_runner().invoke(args=["monthly-report", "2027-08"])
        assert early.exit_code == 1 and "尚未结束" in early.output
    assert report_instances(app, "RPT-202707") == 1
    with app.app_context():
        row = db.session.get(MonthlyReport, "2027-07")
        first = Report(api, row.instance_id, row.business_key)
    first.cancel()
    # a cancelled month's report may be started afresh by an admin, never by the runner
    with moved_clock(api, at(2027, 8, 3, 9)):
        second = Report.started_by_admin(api, "2027-07")
    assert second.id != first.id and second.open_names() == ["review_report"]
    second.cancel()


def test_two_runners_starting_the_same_month_at_once_start_one_report(app, api):
    """Runner A has written the month's row and not yet committed when runner B, not seeing it,
    starts too: on PostgreSQL B's insert waits on the unique key and fails when A commits, and
    B moves on without a report (on SQLite B waits for A's write lock and then finds the row)."""
    from app.services import monthly_reports

    month = "2027-09"

    def start():
        instance = monthly_reports.start_for_month(month)
        return instance.id if instance is not None else None

    with moved_clock(api, at(2027, 10, 1, 0, 0, 30)):
        results = two_runners(app, start)
    assert isinstance(results["A"], int) and results["B"] is None, results
    assert report_instances(app, "RPT-202709") == 1
    with app.app_context():
        row = db.session.get(MonthlyReport, month)
        assert row.instance_id == results["A"]
    Report(api, results["A"], "RPT-202709").cancel()
