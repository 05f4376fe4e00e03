"""The penalty register (处罚台账): overdue records and findings proposed by the deployed penalty
table (processes/penalty_rules.dmn), confirmed or waived by the service manager, the pay and
dismissal-review flags, the reward fund, the pages and the monthly report. Each test keeps to
months of 2025 no other test uses, on a moved clock through the real engine."""
from datetime import datetime, timedelta, timezone

from app.extensions import db
from app.models import OverdueRecord, ProcessInstance, User
from app.services import deployments, penalties
from procedures import Case, fire_timers, in_handling, moved_clock

SH = timezone(timedelta(hours=8))


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def _missed(api, app, day: int, month: int = 3, **kwargs) -> Case:
    """A complaint whose one-working-day handling deadline passes: its overdue record is written."""
    with moved_clock(api, at(2025, month, day, 9)) as clock:
        case = in_handling(api, **kwargs)
        clock.to(at(2025, month, day + 1, 9, 30))
        fire_timers(app)
        assert "escalate_handle_parts" in case.open_names()
    return case


def _of_case(api, case, month="2025-03") -> list[dict]:
    listed = api.as_("service_manager").get("/penalties", query_string={"month": month, "per_page": 500})
    assert listed.status_code == 200, listed.get_json()
    return [p for p in listed.get_json()["items"] if p["business_key"] == case.number]


def test_an_overdue_record_of_a_named_person_proposes_the_tables_amount(api, app):
    case = _missed(api, app, 3)  # Monday 3 March 2025, due Tuesday
    [penalty] = _of_case(api, case)
    assert (penalty["person"], penalty["role"], penalty["breach"], penalty["source"]) == \
        ("parts_manager", "parts_manager", "missed_deadline", "overdue")
    assert (penalty["amount"], penalty["unit"], penalty["status"]) == (50, "yuan", "proposed")  # supervisor level
    assert penalty["rule"].startswith("complaint v") and penalty["rule"].endswith("Rule_missed_deadline")
    with app.app_context():  # the service manager's own missed deadline (a timer of a later diagram)
        instance = db.session.get(ProcessInstance, case.id)
        manager = db.session.query(User).filter_by(username="service_manager").one()
        record = OverdueRecord(month="2025-03", person_id=manager.id, role="service_manager",
                               process_key="complaint", instance_id=instance.id, business_key=case.number,
                               task_name="classify_complaint", deadline_at=at(2025, 3, 4, 9),
                               recorded_at=at(2025, 3, 4, 10), miss_in_month=1)
        db.session.add(record)
        db.session.flush()
        proposed = penalties.propose_for_overdue(record)
        assert (proposed.amount, proposed.unit, proposed.person_id) == (100, "yuan", manager.id)
        db.session.rollback()


def test_the_service_manager_confirms_or_waives_with_a_reason(api, app):
    first, second = _missed(api, app, 10), _missed(api, app, 11)
    [one], [other] = _of_case(api, first), _of_case(api, second)
    manager = api.as_("service_manager")
    refused = manager.post(f"/penalties/{one['id']}/waive", json={"reason": "  "})
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert list(error["fields"]) == ["reason"] and error["fields"]["reason"] == ["免除处罚必须填写理由"]
    assert manager.get(f"/penalties/{one['id']}").get_json()["status"] == "proposed"  # nothing changed
    waived = manager.post(f"/penalties/{one['id']}/waive", json={"reason": "客户临时改约，非部门责任"})
    assert waived.status_code == 200, waived.get_json()
    assert (waived.get_json()["status"], waived.get_json()["waive_reason"], waived.get_json()["decided_by"]) == \
        ("waived", "客户临时改约，非部门责任", "service_manager")
    confirmed = manager.post(f"/penalties/{other['id']}/confirm", json={})
    assert confirmed.status_code == 200 and confirmed.get_json()["status"] == "confirmed"
    assert manager.post(f"/penalties/{other['id']}/waive", json={"reason": "晚了"}).status_code == 409
    assert manager.post(f"/penalties/{one['id']}/confirm", json={}).status_code == 409


def test_a_role_only_overdue_record_fines_nobody_until_the_manager_names_the_person(api, app):
    # nobody classifies it within a working day of receipt, and nobody held the task: the role carries the miss
    with moved_clock(api, at(2025, 3, 17, 9)) as clock:
        case = Case(api)
        clock.to(at(2025, 3, 18, 9, 30))
        fire_timers(app)
        assert "escalate_classify_complaint" in case.open_names()
    [penalty] = _of_case(api, case)
    assert penalty["person"] is None and penalty["role"] == "service_manager" and penalty["status"] == "proposed"
    manager = api.as_("service_manager")
    nobody = manager.get("/penalties", query_string={"month": "2025-03", "person": "-"}).get_json()["items"]
    assert penalty["id"] in [p["id"] for p in nobody]
    people = manager.get("/penalties/people", query_string={"month": "2025-03"}).get_json()
    assert people["unassigned"] >= 1
    refused = manager.post(f"/penalties/{penalty['id']}/confirm", json={})
    assert refused.status_code == 422 and list(refused.get_json()["error"]["fields"]) == ["person"]
    assert manager.get(f"/penalties/{penalty['id']}").get_json()["person"] is None
    named = manager.post(f"/penalties/{penalty['id']}/confirm", json={"person": "service_manager"})
    assert named.status_code == 200 and (named.get_json()["person"], named.get_json()["status"]) == \
        ("service_manager", "confirmed")


def _confirmed_findings(api, person: str, moment: datetime, count: int, breach="perfunctory_handling") -> list[int]:
    """`count` findings against `person` entered at `moment` (the month of the service clock), confirmed."""
    ids = []
    with moved_clock(api, moment):
        for n in range(count):
            found = api.as_("customer_dept").post("/penalties", json={
                "person": person, "breach": breach, "note": f"回访调查发现处理敷衍 #{n}"})
            assert found.status_code == 201, found.get_json()
            ids.append(found.get_json()["id"])
            assert api.as_("service_manager").post(f"/penalties/{ids[-1]}/confirm").status_code == 200
    return ids


def _person_row(api, month: str, person: str, viewer="general_manager") -> dict | None:
    rows = api.as_(viewer).get("/penalties/people", query_string={"month": month}).get_json()["people"]
    return next((row for row in rows if row["person"] == person), None)


def test_three_confirmed_in_a_month_flag_half_the_pay_and_three_months_a_dismissal_review(api, app):
    _confirmed_findings(api, "business_supervisor", at(2025, 5, 12, 10), 2)
    row = _person_row(api, "2025-05", "business_supervisor")
    assert (row["confirmed"], row["confirmed_yuan"], row["pay_flag"]) == (2, 200, False)
    _confirmed_findings(api, "business_supervisor", at(2025, 5, 20, 10), 1)
    row = _person_row(api, "2025-05", "business_supervisor")
    assert (row["confirmed"], row["confirmed_yuan"], row["pay_flag"], row["dismissal_flag"]) == (3, 300, True, False)
    _confirmed_findings(api, "business_supervisor", at(2025, 6, 3, 10), 3)
    assert _person_row(api, "2025-06", "business_supervisor")["dismissal_flag"] is False  # two months so far
    _confirmed_findings(api, "business_supervisor", at(2025, 7, 1, 10), 3)
    row = _person_row(api, "2025-07", "business_supervisor")
    assert row["pay_flag"] is True and row["dismissal_flag"] is True
    fund = api.as_("general_manager").get("/penalties/people", query_string={"month": "2025-07"}).get_json()["fund"]
    assert fund["balance"] == fund["fines"] - fund["spent"] and fund["fines"] >= 900
    spent = api.as_("service_manager").post("/reward-fund/spending", json={"amount": 100, "note": "七月团建",
                                                                           "month": "2025-07"})
    assert spent.status_code == 201, spent.get_json()
    after = api.as_("general_manager").get("/penalties/people", query_string={"month": "2025-07"}).get_json()["fund"]
    assert (after["fines"], after["balance"]) == (fund["fines"], fund["balance"] - 100)
    assert api.as_("general_manager").post("/reward-fund/spending", json={"amount": 1, "note": "x"}).status_code == 403
    report = api.as_("general_manager").get("/reports/monthly/2025-07", query_string={"format": "html"})
    html = report.get_data(as_text=True)
    assert report.status_code == 200 and "处罚 <small>Penalties</small>" in html
    assert 'data-person="business_supervisor"' in html and "辞退审查 dismissal review" in html
    for fmt in ("xlsx", "pdf"):  # the other formats carry the section too
        assert api.as_("general_manager").get("/reports/monthly/2025-07", query_string={"format": fmt}).status_code == 200


def test_who_decides_and_who_reads(api, app):
    [own] = _confirmed_findings(api, "workshop_supervisor", at(2025, 8, 5, 10), 1)
    with moved_clock(api, at(2025, 8, 6, 10)):
        other = api.as_("service_manager").post("/penalties", json={
            "person": "claims_supervisor", "breach": "concealment", "note": "虚报处理结果"}).get_json()
        assert (other["amount"], other["proposed_by"]) == (200, "service_manager")
        shipped = api.as_("service_manager").post("/penalties", json={
            "person": "branch_engineer", "breach": "unauthorised_shipment", "note": "未经批准寄回 3 台"}).get_json()
        assert (shipped["amount"], shipped["unit"], shipped["role"]) == (20, "points", "branch_engineer")
        supervisor = api.as_("workshop_supervisor")
        assert supervisor.post(f"/penalties/{other['id']}/confirm").status_code == 403
        assert supervisor.post("/penalties", json={"person": "claims_supervisor", "breach": "concealment",
                                                   "note": "x"}).status_code == 403
        seen = supervisor.get("/penalties", query_string={"month": "2025-08"}).get_json()["items"]
        assert [p["id"] for p in seen] == [own]
        assert supervisor.get(f"/penalties/{other['id']}").status_code == 403
        assert [r["person"] for r in supervisor.get("/penalties/people", query_string={"month": "2025-08"})
                .get_json()["people"]] == ["workshop_supervisor"]
        for reader in ("general_manager", "customer_dept", "admin"):
            ids = [p["id"] for p in api.as_(reader).get("/penalties", query_string={"month": "2025-08"})
                   .get_json()["items"]]
            assert {own, other["id"]} <= set(ids)
            assert api.as_(reader).post(f"/penalties/{other['id']}/confirm").status_code == 403
        bad = api.as_("service_manager").post("/penalties", json={"person": "nobody", "breach": "late",
                                                                  "note": ""})
        assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"person", "breach", "note"}


def test_deploying_a_changed_penalty_table_changes_the_next_proposal(api, app):
    with app.app_context():
        original = dict(deployments.latest_version("complaint").files)
    changed = original[penalties.RULES_FILE].replace(
        '<outputEntry id="OutputEntry_missed_deadline_amount">\n          <text>50</text>',
        '<outputEntry id="OutputEntry_missed_deadline_amount">\n          <text>80</text>')
    assert changed != original[penalties.RULES_FILE]
    admin = api.as_("admin")
    files = [{"name": name, "content": text} for name, text in original.items() if name != penalties.RULES_FILE]
    try:
        deployed = admin.post("/deployments", json={"files": files + [{"name": penalties.RULES_FILE,
                                                                      "content": changed}]})
        assert deployed.status_code == 201, deployed.get_json()
        case = _missed(api, app, 9, month=9)  # Tuesday 9 September 2025
        [penalty] = _of_case(api, case, month="2025-09")
        assert penalty["amount"] == 80 and penalty["rule"].startswith(f"complaint v{deployed.get_json()['version']} ")
    finally:
        restored = admin.post("/deployments", json={"files": [{"name": n, "content": t} for n, t in original.items()]})
        assert restored.status_code == 201, restored.get_json()


def test_the_register_page_in_chinese_with_its_forms(api, app, pages):
    case = _missed(api, app, 13, month=10)  # Monday 13 October 2025
    [penalty] = _of_case(api, case, month="2025-10")
    manager = pages("service_manager")
    page = manager.get("/penalties?month=2025-10").get_data(as_text=True)
    assert "处罚台账" in page and "快乐基金" in page and f'data-penalty-id="{penalty["id"]}"' in page
    assert "超时未处理" in page and "确认" in page and "免除" in page
    refused = manager.post(f"/penalties/{penalty['id']}/waive", {"reason": ""}, from_page="/penalties?month=2025-10")
    assert refused.status_code == 302
    assert "免除处罚必须填写理由" in manager.get("/penalties?month=2025-10").get_data(as_text=True)
    assert api.as_("service_manager").get(f"/penalties/{penalty['id']}").get_json()["status"] == "proposed"
    done = manager.post(f"/penalties/{penalty['id']}/confirm", {"amount": "60"}, from_page="/penalties?month=2025-10")
    assert done.status_code == 302
    confirmed = api.as_("service_manager").get(f"/penalties/{penalty['id']}").get_json()
    assert (confirmed["status"], confirmed["amount"]) == ("confirmed", 60)
    page = manager.get("/penalties?month=2025-10").get_data(as_text=True)
    assert 'data-person="parts_manager"' in page
    english = manager.get("/penalties?month=2025-10&lang=en").get_data(as_text=True)
    assert "Penalty register" in english and "Missed deadline" in english
    assert manager.client.post(f"/penalties/{penalty['id']}/waive", data={"reason": "x"}).status_code == 400  # no CSRF
    assert pages("workshop_supervisor").client.post(f"/penalties/{penalty['id']}/confirm").status_code in (400, 403)
