"""Deadlines in working days of the mainland-China calendar, the escalation of late work,
overdue records and the third-miss flag, on a moved clock through the real engine."""
import threading
from datetime import datetime, timedelta, timezone

import pytest

from app.extensions import db
from app.models import OverdueRecord
from app.workdays import add_working_days
from procedures import GOOD_HANDLING, Case, fire_timers, in_handling, moved_clock

SH = timezone(timedelta(hours=8))


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.mark.parametrize("start,days,due", [
    (at(2026, 11, 20, 10), 5, at(2026, 11, 27, 10)),   # over a weekend
    (at(2026, 9, 30, 10), 1, at(2026, 10, 8, 10)),     # over the National Day holiday
    (at(2026, 9, 18, 10), 1, at(2026, 9, 20, 10)),     # the adjusted working Sunday (调休)
    (at(2026, 10, 9, 16), 1, at(2026, 10, 10, 16)),    # the make-up Saturday after National Day
    (at(2026, 12, 30, 10), 3, at(2027, 1, 4, 10)),     # into 2027, which nobody has entered yet
])
def test_working_days_follow_the_chinese_calendar(app, start, days, due):
    with app.app_context():
        assert add_working_days(start, days) == due


def test_an_admin_enters_next_years_holidays_and_deadlines_follow_them(app, api, client):
    admin = api.as_("admin")
    assert admin.get("/calendar/2027").get_json()["source"] == "weekdays"
    try:
        assert admin.request("PUT", "/calendar/days/2027-01-01", json={"is_working": False, "note": "元旦"}).status_code == 200
        assert admin.request("PUT", "/calendar/days/2027-01-02", json={"is_working": True, "note": "调休"}).status_code == 200
        assert admin.get("/calendar/2027").get_json()["source"] == "admin"
        with app.app_context():
            assert add_working_days(at(2026, 12, 30, 10), 3) == at(2027, 1, 4, 10)  # 31st, 2nd (Sat), 4th
            assert add_working_days(at(2026, 12, 31, 10), 1) == at(2027, 1, 2, 10)
        refused = api.as_("service_manager").request("PUT", "/calendar/days/2027-01-03", json={"is_working": True})
        assert refused.status_code == 403
        bad = admin.request("PUT", "/calendar/days/2027-02-30", json={"is_working": "yes"})
        assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"day", "is_working"}
    finally:
        for day in ("2027-01-01", "2027-01-02"):
            admin.request("DELETE", f"/calendar/days/{day}")
    assert admin.get("/calendar/2027").get_json()["source"] == "weekdays"


def _records(app, case) -> list[tuple]:
    """(month, person, task, miss in month) of each overdue record of the case."""
    with app.app_context():
        return [(r.month, r.person.username if r.person else None, r.task_name, r.miss_in_month)
                for r in db.session.query(OverdueRecord).filter_by(business_key=case.number)]


def test_a_missed_deadline_escalates_to_the_manager_and_is_recorded_against_the_holder(api, app):
    with moved_clock(api, at(2026, 9, 18, 10)) as clock:   # Friday before the adjusted Sunday
        case = in_handling(api)
        due = case.open_task("handle_parts")["due_at"]
        assert due.startswith("2026-09-20T10:00")
        clock.to(at(2026, 9, 20, 9, 59))
        fire_timers(app)
        assert case.open_names() == ["handle_parts"] and _records(app, case) == []
        clock.to(at(2026, 9, 20, 10, 1))
        fire_timers(app)
        assert case.open_names() == ["escalate_handle_parts", "handle_parts"]  # the task stays with the department
        parts_task = case.open_task("handle_parts")
        assert parts_task["overdue"] is True and parts_task["claimed_by"] == "parts_manager"
        manager_inbox = api.as_("service_manager").get("/tasks", query_string={"process_key": "complaint"}).get_json()
        assert case.open_task("escalate_handle_parts")["id"] in [t["id"] for t in manager_inbox["items"]]
        [record] = _records(app, case)
        assert record[:3] == ("2026-09", "parts_manager", "handle_parts")
        listed = api.as_("general_manager").get("/overdue", query_string={"month": "2026-09",
                                                                          "person": "parts_manager"}).get_json()
        assert case.number in [r["business_key"] for r in listed["items"]]
        fire_timers(app)  # a second runner pass fires nothing twice
        assert len(_records(app, case)) == 1
        case.complete("parts_manager", "handle_parts", GOOD_HANDLING)
        assert case.open_names() == ["confirm_handling"]  # the work done closed the escalation


def test_a_deadline_over_national_day_and_one_met_in_time(api, app):
    with moved_clock(api, at(2026, 9, 30, 10)) as clock:
        late = in_handling(api, days=2)
        met = in_handling(api, days=2)
        assert late.open_task("handle_parts")["due_at"].startswith("2026-10-09T10:00")
        clock.to(at(2026, 10, 8, 23))
        fire_timers(app)
        assert late.open_names() == ["handle_parts"]
        met.complete("parts_manager", "handle_parts", GOOD_HANDLING)
        clock.to(at(2026, 10, 9, 10, 5))
        fire_timers(app)
        assert late.open_names() == ["escalate_handle_parts", "handle_parts"]
        assert met.open_names() == ["confirm_handling"] and _records(app, met) == []


def test_the_third_miss_in_a_month_puts_a_flag_in_the_general_managers_inbox(api, app):
    with moved_clock(api, at(2026, 3, 2, 9)) as clock:
        cases = [in_handling(api, category="warranty_claim", task="handle_claims", holder="claims_supervisor")
                 for _ in range(3)]
        clock.to(at(2026, 3, 3, 9, 30))
        fire_timers(app)
        misses = sorted((_records(app, c)[0][3], c.open_names()) for c in cases)
        assert [m for m, _ in misses] == [1, 2, 3]
        flagged = [names for m, names in misses if "review_repeated_overdue" in names]
        assert len(flagged) == 1 and misses[2][1] == ["escalate_handle_claims", "handle_claims", "review_repeated_overdue"]
        flag_case = [c for c in cases if "review_repeated_overdue" in c.open_names()][0]
        assert flag_case.open_task("review_repeated_overdue")["lane"] == "general_manager"


def test_a_deadline_in_the_new_year_counts_weekdays_and_fires(api, app):
    with moved_clock(api, at(2026, 12, 30, 10)) as clock:
        case = in_handling(api, category="sales", days=3, task="handle_business", holder="business_supervisor")
        assert case.open_task("handle_business")["due_at"].startswith("2027-01-04T10:00")
        clock.to(at(2027, 1, 4, 10, 1))
        fire_timers(app)
        assert "escalate_handle_business" in case.open_names()


def test_two_runners_at_once_fire_each_timer_exactly_once(api, app):
    with moved_clock(api, at(2026, 5, 11, 9)) as clock:
        cases = [in_handling(api) for _ in range(6)]
        clock.to(at(2026, 5, 12, 9, 30))
        from app.timer_runner import run_pass
        fired, errors = [], []

        def runner():
            try:
                with app.app_context():
                    fired.append(run_pass())
            except Exception as err:  # reported below, never lost in the thread
                errors.append(err)

        threads = [threading.Thread(target=runner) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert sum(fired) == len(cases)
        for case in cases:
            assert len(_records(app, case)) == 1
            assert {"escalate_handle_parts", "handle_parts"} <= set(case.open_names())
        misses = sorted(_records(app, c)[0][3] for c in cases)
        assert misses == [1, 2, 3, 4, 5, 6]  # counted one by one, even by two runners


def test_a_major_complaint_needs_a_first_response_within_24_hours(api):
    with moved_clock(api, at(2026, 11, 20, 15)):
        case = Case(api)
        case.classify(category="parts", severity="major")
        follow_up = case.open_task("follow_up_major")
        assert follow_up["due_at"].startswith("2026-11-21T15:00")
        assert case.complaint()["deadline_at"].startswith("2026-11-25T15:00")  # its handling plan: 3 working days


def test_the_calendar_page_warns_of_a_year_counted_monday_to_friday(app, pages):
    admin = pages("admin")
    page = admin.get("/admin/calendar?year=2027").get_data(as_text=True)
    assert "2027 年的节假日尚未录入" in page
    saved = admin.post("/admin/calendar", {"day": "2027-10-01", "is_working": "false", "note": "国庆节"},
                       from_page="/admin/calendar")
    assert saved.status_code == 302
    try:
        page = admin.get("/admin/calendar?year=2027").get_data(as_text=True)
        assert "2027-10-01" in page and "国庆节" in page and "2027 年的节假日尚未录入" not in page
    finally:
        admin.post("/admin/calendar", {"remove": "2027-10-01"}, from_page="/admin/calendar")
    assert pages("service_manager").get("/admin/calendar").status_code == 403
    refused = admin.client.post("/admin/calendar", data={"day": "2027-10-02", "is_working": "false"})
    assert refused.status_code == 400  # no CSRF token
