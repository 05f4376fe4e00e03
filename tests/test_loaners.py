"""The loaner register (备用机台账, issue 13): a spare unit lent to the customer of a unit under
repair past its limit, taken back, overdue when not back by the agreed date or N working days
after the repaired unit was shipped back (its lender told once, by the timer runner's pass);
a branch sees its own unit's loans only. And the handlers the return procedure's review of late
units calls, through the engine glue's handler context."""
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.handlers import HandlerRefusal
from app.models import Loaner, Notice, ProcessInstance, User
from app.services import runs
from cases import SHANGHAI
from return_authorization import REQUEST, ReturnCase
from procedures import fire_timers, moved_clock

CLERK_MAIL = "clerk@example.test"


def serial(prefix: str = "SN") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8].upper()}"


def received_case(api, unit_serial: str) -> ReturnCase:
    """An east-branch (华东分公司) request of one unit, approved and its goods taken in."""
    case = ReturnCase(api, quantity=1, serial_numbers=[unit_serial]).approve()
    case.ship(serials=[unit_serial])
    return case


def southwest_case(api, unit_serial: str) -> ReturnCase:
    """The same, raised by the southwest branch's (西南分公司, a managed branch) engineer on its route."""
    case = ReturnCase(api, route="managed", branch="西南分公司", quantity=1, serial_numbers=[unit_serial]).approve()
    case.ship(serials=[unit_serial])
    return case


def lend(api, unit_serial: str, username="logistics_clerk", expect=201, **extra) -> dict:
    body = {"loaner_serial": serial("LN"), "loaner_unit_serial": unit_serial, "customer": "李工", **extra}
    response = api.as_(username).post("/loaners", json=body)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def loan_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Loaner))


@pytest.fixture
def clerk_listens(app):
    """The logistics clerk takes notices by e-mail; back to none afterwards, nothing queued here sent."""
    with app.app_context():
        db.session.execute(update(User).where(User.username == "logistics_clerk")
                           .values(notify_by="email", notify_to=CLERK_MAIL))
        db.session.commit()
    yield
    with app.app_context():
        db.session.execute(update(User).values(notify_by="none", notify_to=None))
        db.session.execute(update(Notice).values(next_attempt_at=None))
        db.session.commit()


def overdue_notices(app, loaner_serial: str) -> list[str]:
    with app.app_context():
        clerk = db.session.scalar(select(User).where(User.username == "logistics_clerk"))
        return [n.subject for n in db.session.scalars(select(Notice).where(Notice.user_id == clerk.id,
                                                                           Notice.task_id.is_(None)))
                if loaner_serial in n.subject]


def test_the_repair_team_lends_a_spare_unit_and_takes_it_back(api):
    unit_serial = serial()
    case = received_case(api, unit_serial)
    loan = lend(api, unit_serial, note="客户急用")
    assert (loan["loaner_unit_serial"], loan["customer"], loan["rma_number"], loan["unit"]) == (
        unit_serial, "李工", case.number, "east")
    assert (loan["lent_by"], loan["returned_at"], loan["overdue"], loan["due_at"]) == ("logistics_clerk", None,
                                                                                      False, None)
    out = api.as_("department_head").get("/loaners", query_string={"status": "out"}).get_json()
    assert loan["id"] in [item["id"] for item in out["items"]]
    again = lend(api, unit_serial, expect=422, loaner_serial=loan["loaner_serial"])  # it is out
    assert set(again["error"]["fields"]) == {"loaner_serial"}
    assert api.as_("branch_engineer").post(f"/loaners/{loan['id']}/return", json={}).status_code == 403
    back = api.as_("repair_technician").post(f"/loaners/{loan['id']}/return", json={"note": "完好"})
    assert back.status_code == 200, back.get_json()
    assert (back.get_json()["returned_by"], back.get_json()["return_note"]) == ("repair_technician", "完好")
    assert api.as_("repair_technician").post(f"/loaners/{loan['id']}/return", json={}).status_code == 409
    returned = api.as_("department_head").get("/loaners", query_string={"status": "returned"}).get_json()
    assert loan["id"] in [item["id"] for item in returned["items"]]
    lend(api, unit_serial, loaner_serial=loan["loaner_serial"])  # back in stock: lent again


def test_bad_input_is_refused_naming_the_field_in_chinese_and_changes_nothing(app, api, pages):
    unit_serial = serial()
    received_case(api, unit_serial)
    before = loan_count(app)
    empty = api.as_("logistics_clerk").post("/loaners", json={"agreed_return_date": "2020-13-01"})
    assert empty.status_code == 422
    fields = empty.get_json()["error"]["fields"]
    assert fields == {"loaner_serial": ["必填"], "loaner_unit_serial": ["必填"], "customer": ["必填"],
                      "agreed_return_date": ["必须是日期（YYYY-MM-DD）"]}
    unknown = lend(api, serial("NOPE"), expect=422, agreed_return_date="2001-01-01")
    assert set(unknown["error"]["fields"]) == {"loaner_unit_serial", "agreed_return_date"}
    assert unknown["error"]["fields"]["loaner_unit_serial"] == ["没有在部门处理中的返修申请包含此机器"]
    page = pages("logistics_clerk").post("/loaners", {"loaner_serial": "", "loaner_unit_serial": unit_serial,
                                                      "customer": "李工"})
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "必填" in text and 'class="field invalid"><label for="lend-loaner_serial"' in text
    assert loan_count(app) == before
    assert api.as_("branch_engineer").post("/loaners", json={}).status_code == 403


def test_a_loan_past_its_agreed_date_tells_its_lender_once(app, api, clerk_listens):
    unit_serial = serial()
    received_case(api, unit_serial)
    today = datetime.now(SHANGHAI).date()
    loan = lend(api, unit_serial, agreed_return_date=today.isoformat())
    assert datetime.fromisoformat(loan["due_at"]) == datetime.combine(today + timedelta(days=1), datetime.min.time(),
                                                                      SHANGHAI)
    fire_timers(app)
    assert overdue_notices(app, loan["loaner_serial"]) == []
    later = datetime.now(SHANGHAI) + timedelta(days=2)
    fire_timers(app, api, later)
    assert overdue_notices(app, loan["loaner_serial"]) == [f"备用机 {loan['loaner_serial']} 逾期未还"]
    fire_timers(app, api, later + timedelta(hours=1))
    assert len(overdue_notices(app, loan["loaner_serial"])) == 1  # once per loan
    with moved_clock(api, later):
        overdue = api.as_("logistics_clerk").get("/loaners", query_string={"overdue": "1", "per_page": 500})
        assert loan["id"] in [item["id"] for item in overdue.get_json()["items"]]
        assert api.as_("logistics_clerk").get(f"/loaners/{loan['id']}").get_json()["overdue"] is True
        page = api.as_("logistics_clerk").get("/loaners", query_string={"overdue": "2"})
        assert page.status_code == 422 and set(page.get_json()["error"]["fields"]) == {"overdue"}
    assert loan["id"] not in [item["id"] for item in api.as_("logistics_clerk").get(
        "/loaners", query_string={"overdue": "1", "per_page": 500}).get_json()["items"]]  # not yet, today


def test_a_loan_is_due_working_days_after_the_repaired_unit_went_back(app, api, clerk_listens):
    unit_serial = serial()
    case = received_case(api, unit_serial)
    case.check_warranty()
    loan = lend(api, unit_serial)
    case.repair_round()
    case.ship_back()
    fire_timers(app)  # the pass sees the shipment
    seen = api.as_("logistics_clerk").get(f"/loaners/{loan['id']}").get_json()
    shipped = datetime.fromisoformat(seen["unit_shipped_at"])
    due = datetime.fromisoformat(seen["due_at"])
    assert seen["overdue"] is False and 3 <= (due.date() - shipped.astimezone(SHANGHAI).date()).days <= 10
    assert overdue_notices(app, loan["loaner_serial"]) == []
    fire_timers(app, api, due + timedelta(minutes=1))
    assert len(overdue_notices(app, loan["loaner_serial"])) == 1


def test_a_branch_sees_only_its_own_units_loans(api, pages):
    east_serial, southwest_serial = serial(), serial()
    received_case(api, east_serial)
    southwest_case(api, southwest_serial)
    east, southwest = lend(api, east_serial), lend(api, southwest_serial, username="repair_technician")
    assert southwest["unit"] == "southwest"
    for username, mine, other in (("branch_engineer", east, southwest), ("branch_manager_b", southwest, east)):
        listed = [item["id"] for item in api.as_(username).get("/loaners", query_string={"per_page": 500})
                  .get_json()["items"]]
        assert mine["id"] in listed and other["id"] not in listed
        assert api.as_(username).get(f"/loaners/{other['id']}").status_code == 404
        assert api.as_(username).get(f"/loaners/{mine['id']}").status_code == 200
        page = pages(username).get("/loaners").get_data(as_text=True)
        assert mine["loaner_serial"] in page and other["loaner_serial"] not in page
        assert 'href="/loaners"' in page  # the nav entry
        assert "lend-form" not in page  # lending is the department's
    for username in ("department_head", "group_supervisor"):
        listed = [item["id"] for item in api.as_(username).get("/loaners", query_string={"per_page": 500})
                  .get_json()["items"]]
        assert {east["id"], southwest["id"]} <= set(listed)
        narrowed = [item["id"] for item in api.as_(username).get(
            "/loaners", query_string={"per_page": 500, "unit": "southwest"}).get_json()["items"]]
        assert southwest["id"] in narrowed and east["id"] not in narrowed
    # the group's readers choose a unit on the page and read each loan's; a branch has no such choice
    page = pages("group_supervisor").get("/loaners?unit=southwest").get_data(as_text=True)
    assert '<select name="unit">' in page and '<option value="southwest" selected>西南分公司</option>' in page
    assert southwest["loaner_serial"] in page and east["loaner_serial"] not in page
    assert '<td class="unit">西南分公司</td>' in page
    branch = pages("branch_engineer")
    assert '<select name="unit">' not in branch.get("/loaners").get_data(as_text=True)
    assert '<td class="unit">华东分公司</td>' in branch.get("/loaners").get_data(as_text=True)
    refused = api.as_("branch_engineer").get("/loaners", query_string={"unit": "southwest"})
    assert refused.status_code == 422 and "unit" in refused.get_json()["error"]["fields"]
    assert 'href="/loaners"' not in pages("customer_dept").get("/").get_data(as_text=True)
    assert api.as_("customer_dept").get("/loaners").status_code == 403


def test_the_page_lends_and_takes_back(app, api, pages):
    unit_serial, loaner_serial = serial(), serial("LN")
    received_case(api, unit_serial)
    clerk = pages("logistics_clerk")
    lent = clerk.post("/loaners", {"loaner_serial": loaner_serial, "loaner_unit_serial": unit_serial,
                                   "customer": "王经理"})
    assert lent.status_code == 302
    page = clerk.get("/loaners").get_data(as_text=True)
    assert loaner_serial in page and "已借给" in page
    with app.app_context():
        loan_id = db.session.scalar(select(Loaner.id).where(Loaner.loaner_serial == loaner_serial))
    assert clerk.post(f"/loaners/{loan_id}/return", {"note": "x" * 2001}, from_page="/loaners").status_code == 422
    assert clerk.post(f"/loaners/{loan_id}/return", {"note": "已收回"}, from_page="/loaners").status_code == 302
    assert api.as_("logistics_clerk").get(f"/loaners/{loan_id}").get_json()["return_note"] == "已收回"


def test_the_review_lends_through_the_handler_context_and_sees_the_return(app, api):
    """What the return procedure's Wednesday/Saturday review calls: `loaners.lend` (through the
    context's lend_loaner, set by the engine glue) and `loaners.check_returned`."""
    unit_serial = serial()
    case = received_case(api, unit_serial)
    data = {"loaner_serial": serial("LN"), "loaner_unit_serial": unit_serial, "customer": "李工"}
    with app.app_context():
        instance = db.session.get(ProcessInstance, case.id)
        technician = db.session.scalar(select(User.id).where(User.username == "repair_technician"))
        call = runs.script_engine(instance, technician)._call_service
        with pytest.raises(HandlerRefusal) as refused:
            call("loaners.lend", {}, {**data, "loaner_unit_serial": serial()}, "review_late_units")
        assert refused.value.field == "loaner_unit_serial"
        loaner_id = call("loaners.lend", {}, data, "review_late_units")
        assert call("loaners.check_returned", {}, {**data, "loaner_id": loaner_id}, "review_late_units") is False
        db.session.commit()
    loan = api.as_("logistics_clerk").get(f"/loaners/{loaner_id}").get_json()
    assert (loan["lent_by"], loan["rma_number"], loan["instance_id"]) == ("repair_technician", case.number, case.id)
    api.as_("logistics_clerk").post(f"/loaners/{loaner_id}/return", json={})
    with app.app_context():
        call = runs.script_engine(db.session.get(ProcessInstance, case.id), None)._call_service
        assert call("loaners.check_returned", {}, {"loaner_id": loaner_id}, "review_late_units") is True
        db.session.rollback()


# ----------------------------------------------------------------------------- unauthorised shipments
def _refuse(api, branch: str, model: str) -> dict:
    """Goods at the door under no approved request (arrived on 5 November 2024, a month no other test uses)."""
    response = api.as_("logistics_clerk").post("/shipments", json={"data": {
        "rma_number": "", "branch": branch, "received_at": "2024-11-05T10:00:00+08:00", "received_quantity": 1,
        "received_model": model, "received_serials": [serial()]}})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["accepted"] is False
    return body["refusal"]


def _proposed_for(api, refusal: dict) -> dict[str, dict]:
    listed = api.as_("service_manager").get("/penalties", query_string={"month": "2024-11", "per_page": 500})
    return {p["role"]: p for p in listed.get_json()["items"] if p["note"].startswith(f"#{refusal['id']} ")}


def test_a_refused_shipment_proposes_the_branch_managers_fine_and_the_engineers_points(api):
    refusal = _refuse(api, "华东分公司", "XR-UNAUTH")
    proposed = _proposed_for(api, refusal)
    assert set(proposed) == {"branch_manager", "branch_engineer"}
    manager, engineer = proposed["branch_manager"], proposed["branch_engineer"]
    assert (manager["person"], manager["breach"], manager["source"], manager["amount"], manager["unit"],
            manager["status"]) == ("branch_manager", "unauthorised_shipment", "refused_shipment", 200, "yuan", "proposed")
    assert (engineer["person"], engineer["amount"], engineer["unit"]) == ("branch_engineer", 20, "points")
    assert manager["rule"].startswith("return_authorization v") and "XR-UNAUTH" in manager["note"]
    # the branch's people read their own; the other branch's do not see them
    assert api.as_("branch_manager").get(f"/penalties/{manager['id']}").status_code == 200
    assert api.as_("branch_manager_b").get(f"/penalties/{manager['id']}").status_code == 404
    # the service manager decides: the fine within its range (200–500 元), the points waived
    confirmed = api.as_("service_manager").post(f"/penalties/{manager['id']}/confirm", json={"amount": 300})
    assert confirmed.status_code == 200, confirmed.get_json()
    assert (confirmed.get_json()["status"], confirmed.get_json()["amount"]) == ("confirmed", 300)
    waived = api.as_("service_manager").post(f"/penalties/{engineer['id']}/waive",
                                             json={"reason": "代理商自行寄回，工程师不知情"})
    assert waived.status_code == 200 and waived.get_json()["status"] == "waived"


def test_a_refused_shipment_from_an_unknown_branch_proposes_both_posts_naming_nobody(api):
    refusal = _refuse(api, "不存在的分公司", "XR-NOBODY")
    proposed = _proposed_for(api, refusal)
    assert {role: (p["person"], p["amount"], p["unit"]) for role, p in proposed.items()} == {
        "branch_manager": (None, 200, "yuan"), "branch_engineer": (None, 20, "points")}
    named = api.as_("service_manager").post(f"/penalties/{proposed['branch_manager']['id']}/confirm",
                                            json={"person": "branch_manager_b"})
    assert named.status_code == 200 and named.get_json()["person"] == "branch_manager_b"
