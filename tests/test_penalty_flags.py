"""The penalty flags reach the general manager: the confirmation that raises one (the third
confirmed penalty of a person in a month → half the month's pay; the third month in a row →
dismissal review) queues a notice to the general manager by the channel chosen on the settings
page, and the flags stand above the general manager's inbox and on the register's page. Months
of 2031, which no other test uses, on the moved service clock."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import Notice, User
from procedures import moved_clock

SH = timezone(timedelta(hours=8))
GM_MAIL = "gm@example.test"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def gm_listens(app, pages):
    """The general manager takes notices by e-mail (the settings page); back to none afterwards, and
    nothing queued here is sent (the database is shared with the other tests)."""
    assert pages("general_manager").post("/settings", {"notify_by": "email", "notify_to": GM_MAIL}).status_code == 302
    yield
    with app.app_context():
        db.session.execute(update(User).values(notify_by="none", notify_to=None))
        db.session.execute(update(Notice).values(next_attempt_at=None))
        db.session.commit()


def gm_flag_notices(app) -> list[Notice]:
    with app.app_context():
        gm = db.session.scalar(select(User).where(User.username == "general_manager"))
        found = db.session.scalars(select(Notice).where(Notice.user_id == gm.id, Notice.task_id.is_(None))
                                   .order_by(Notice.id)).all()
        db.session.expunge_all()
        return found


def confirm_findings(api, person: str, moment: datetime, count: int) -> None:
    with moved_clock(api, moment):
        for n in range(count):
            found = api.as_("customer_dept").post("/penalties", json={
                "person": person, "breach": "perfunctory_handling", "note": f"回访调查发现处理敷衍 #{n}"})
            assert found.status_code == 201, found.get_json()
            confirmed = api.as_("service_manager").post(f"/penalties/{found.get_json()['id']}/confirm")
            assert confirmed.status_code == 200, confirmed.get_json()


def test_the_third_confirmed_penalty_in_a_month_tells_the_general_manager(app, api, pages, gm_listens):
    before = len(gm_flag_notices(app))
    confirm_findings(api, "claims_supervisor", at(2031, 1, 8, 10), 2)
    assert len(gm_flag_notices(app)) == before  # two are no flag
    confirm_findings(api, "claims_supervisor", at(2031, 1, 9, 10), 1)
    told = gm_flag_notices(app)[before:]
    assert len(told) == 1
    notice = told[0]
    assert (notice.channel, notice.address, notice.next_attempt_at is not None) == ("email", GM_MAIL, True)
    assert "处罚预警" in notice.subject and "claims_supervisor" in notice.subject and "2031-01" in notice.subject
    assert "扣发当月工资50%" in notice.body and "/penalties?month=2031-01" in notice.body
    confirm_findings(api, "claims_supervisor", at(2031, 1, 10, 10), 1)
    assert len(gm_flag_notices(app)) == before + 1  # the flag was raised once: a fourth tells nothing new
    # The inbox of the general manager carries the flag in that month (and the next), not other people's.
    with moved_clock(api, at(2031, 1, 12, 9)):
        page = pages("general_manager").get("/").get_data(as_text=True)
        assert 'id="penalty-flags"' in page and 'data-person="claims_supervisor" data-month="2031-01"' in page
        assert 'data-flag="pay"' in page
        assert 'id="penalty-flags"' not in pages("service_manager").get("/").get_data(as_text=True)
        register = pages("general_manager").get("/penalties?month=2031-01").get_data(as_text=True)
        assert 'data-person="claims_supervisor"' in register and 'data-flag="pay"' in register
        flagged = api.as_("general_manager").get("/penalties/flags")
        assert flagged.status_code == 200, flagged.get_json()
        assert flagged.get_json()["months"] == ["2031-01", "2030-12"]
        row = next(r for r in flagged.get_json()["flags"] if r["person"] == "claims_supervisor")
        assert (row["month"], row["confirmed"], row["pay_flag"], row["dismissal_flag"]) == ("2031-01", 4, True, False)
        assert api.as_("service_manager").get("/penalties/flags").status_code == 403
        asked = api.as_("general_manager").get("/penalties/flags", query_string={"month": "2031-13"})
        assert asked.status_code == 422 and "month" in asked.get_json()["error"]["fields"]


def test_the_third_month_in_a_row_tells_the_general_manager_of_a_dismissal_review(app, api, pages, gm_listens):
    before = len(gm_flag_notices(app))
    confirm_findings(api, "workshop_supervisor", at(2031, 4, 7, 10), 3)
    confirm_findings(api, "workshop_supervisor", at(2031, 5, 8, 10), 3)
    told = gm_flag_notices(app)[before:]
    assert len(told) == 2 and all("辞退审查" not in n.subject for n in told)
    confirm_findings(api, "workshop_supervisor", at(2031, 6, 9, 10), 3)
    told = gm_flag_notices(app)[before + 2:]
    assert sorted("辞退审查" in n.subject for n in told) == [False, True]  # June's pay flag and the review
    review = next(n for n in told if "辞退审查" in n.subject)
    assert "workshop_supervisor" in review.subject and "连续3个月" in review.body and "2031-06" in review.body
    with moved_clock(api, at(2031, 7, 2, 9)):  # early next month: last month's flags still stand above the inbox
        page = pages("general_manager").get("/").get_data(as_text=True)
        assert 'data-person="workshop_supervisor" data-month="2031-06"' in page and 'data-flag="dismissal"' in page


def test_nobody_taking_notices_is_told_only_on_the_pages(app, api, pages):
    with app.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(Notice).where(Notice.task_id.is_(None)))
    confirm_findings(api, "parts_manager", at(2031, 9, 8, 10), 3)
    with app.app_context():
        after = db.session.scalar(select(db.func.count()).select_from(Notice).where(Notice.task_id.is_(None)))
    assert after == before  # no channel chosen: no notice queued
    with moved_clock(api, at(2031, 9, 9, 9)):
        page = pages("general_manager").get("/").get_data(as_text=True)
        assert 'data-person="parts_manager" data-month="2031-09"' in page
