"""`flask seed-demo --history`: a year of cases generated through the engine on the moved service
clock, read back through the API as the managers read it (KPIs, overdue records, penalties, the
monthly report). A database of its own: the shared one holds other tests' cases in the seeded
months, which the command rightly refuses to seed over."""
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from app.clock import service_zone

MONTHS, PER_MONTH, SEED = 12, 2, 7
ARGS = ["seed-demo", "--history", "--months", str(MONTHS), "--per-month", str(PER_MONTH), "--seed", str(SEED)]


def this_month() -> str:
    return datetime.now(service_zone()).strftime("%Y-%m")


class Reader:
    """The JSON API of the seeded database as one demo user."""

    def __init__(self, app, username: str):
        self.client = app.test_client()
        response = self.client.post("/api/v1/auth/token", json={"username": username, "password": "demo"})
        assert response.status_code == 200, response.get_json()
        self.headers = {"Authorization": f"Bearer {response.get_json()['token']}"}

    def get(self, path: str, **query):
        response = self.client.get(f"/api/v1{path}", query_string=query, headers=self.headers)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        return response


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded(request, own_app):
    app = own_app(request.param)
    result = app.test_cli_runner().invoke(args=ARGS)
    assert result.exit_code == 0, result.output
    assert f"history: {MONTHS} months seeded" in result.output
    return app


def test_the_kpis_have_figures_in_each_of_the_twelve_seeded_months(seeded):
    answer = Reader(seeded, "general_manager").get("/kpis", month=this_month()).get_json()
    history = {h["key"]: h["values"] for h in answer["history"]}
    assert [v["month"] for v in history["timeliness"]][-1] == this_month()
    for key in ("timeliness", "satisfaction", "satisfied_closure", "complaint_rate", "effective_callback_rate",
                "on_time_delivery", "on_time_completion", "estimate_accuracy"):
        seeded_months = history[key][:MONTHS]  # the 13th is the current month, not seeded
        missing = [v["month"] for v in seeded_months if not v["denominator"] or v["value"] is None]
        assert not missing, f"{key} has no figure in {missing}"
    # complaints counted against the imported deliveries: PER_MONTH taken in (and those callbacks opened)
    for value in history["complaint_rate"][:MONTHS]:
        assert value["numerator"] >= PER_MONTH and value["denominator"] == PER_MONTH * 40
    # not everything perfect: a realistic year has late handling and dissatisfied customers somewhere
    assert any(v["value"] < 100 for v in history["timeliness"][:MONTHS])
    assert any(v["value"] < 100 for v in history["on_time_delivery"][:MONTHS])


def test_late_handling_wrote_overdue_records_and_penalties_were_decided(seeded):
    manager = Reader(seeded, "service_manager")
    overdue = manager.get("/overdue", per_page=500).get_json()
    assert overdue["total"] > 0
    assert any(r["person"] for r in overdue["items"])  # claimed tasks: the miss falls on a person
    register = manager.get("/penalties", per_page=500).get_json()["items"]
    assert register and {p["source"] for p in register} == {"overdue"}
    assert "confirmed" in {p["status"] for p in register}
    months = {r["month"] for r in overdue["items"]}
    assert {p["month"] for p in register} <= months


def test_the_monthly_report_of_a_seeded_month_lists_its_complaints(seeded):
    gm = Reader(seeded, "general_manager")
    month = gm.get("/kpis", month=this_month()).get_json()["months"][MONTHS // 2]
    ledger = gm.get("/complaints", month=month, per_page=500).get_json()
    assert ledger["total"] >= PER_MONTH
    xlsx = gm.get(f"/reports/monthly/{month}", format="xlsx")
    rows = [row for sheet in load_workbook(io.BytesIO(xlsx.data)).worksheets
            for row in sheet.iter_rows(values_only=True) if row]
    received = next(row for row in rows if "受理投诉" in row)
    assert ledger["total"] in received, received
    html = gm.get(f"/reports/monthly/{month}", format="html").get_data(as_text=True)
    assert month in html
    for item in ledger["items"]:
        if item["severity"] == "major":
            assert item["number"] in html  # the month's major complaints are listed by number


def test_seeding_again_adds_nothing(seeded):
    gm = Reader(seeded, "general_manager")
    before = gm.get("/complaints", per_page=1).get_json()["total"]
    deliveries = gm.get("/deliveries", per_page=1).get_json()["total"]
    result = seeded.test_cli_runner().invoke(args=ARGS)
    assert result.exit_code == 1
    assert "history exists already" in result.output and "nothing seeded" in result.output
    assert gm.get("/complaints", per_page=1).get_json()["total"] == before
    assert gm.get("/deliveries", per_page=1).get_json()["total"] == deliveries


def test_a_task_whose_form_has_no_answers_stops_the_run_naming_the_form(seeded, monkeypatch):
    from app import history_seed
    started = Reader(seeded, "customer_dept").client.post(
        "/api/v1/processes/complaint/instances", headers=Reader(seeded, "customer_dept").headers,
        json={"data": {"received_at": datetime.now(service_zone()).isoformat(), "channel": "phone",
                       "customer_name": "周女士", "contact_phone": "13900139000", "vehicle": "沪A·D1234",
                       "description": "新的表单还没有答案"}})
    assert started.status_code == 201, started.get_json()
    monkeypatch.delitem(history_seed.ANSWERS, "complaint.classify")  # as a new diagram's form would be
    with seeded.app_context():
        year = history_seed.Year(history_seed.Sizes())
        year.stop = datetime.now(service_zone())
        with pytest.raises(history_seed.SeedError, match=r"no answers for the form 'complaint\.classify' .*ANSWERS"):
            year.look()
