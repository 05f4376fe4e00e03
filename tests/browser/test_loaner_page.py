"""The loaner register's page in a real browser (issue 13): the logistics clerk lends a spare unit
to the customer of a unit under repair and takes it back, in Chinese, with no console error."""
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from page_api import PageApi

SHANGHAI = timezone(timedelta(hours=8))


class Api(PageApi):
    """Setup through the JSON API: a return request's unit received at headquarters."""

    def complete(self, instance_id: int, name: str, username: str, data: dict) -> None:
        task = next(t for t in self.call("GET", "admin", f"/instances/{instance_id}")["open_tasks"] if t["name"] == name)
        self.call("POST", username, f"/tasks/{task['id']}/complete", {"data": data})

    def received_unit(self, unit_serial: str) -> None:
        """A return request of the east branch for one unit, approved, its goods taken in."""
        started = self.call("POST", "branch_engineer", "/processes/return_authorization/instances", {"data": {
            "branch": "华东分公司", "model": "XR-200", "quantity": 1, "serial_numbers": [unit_serial],
            "fault_description": "开机无显示", "purchase_date": (date.today() - timedelta(days=100)).isoformat(),
            "warranty_card": True, "dealer_seal": True, "customer_name": "李工", "contact_phone": "021-5555 0101"}})
        self.complete(started["id"], "supervisor_confirm", "field_service_supervisor", {"confirm_decision": "confirm"})
        self.complete(started["id"], "review_request", "branch_manager", {"review_decision": "approve"})
        self.complete(started["id"], "approve_request", "department_head", {"approval_decision": "approve"})
        number = self.call("GET", "admin", f"/instances/{started['id']}")["business_key"]
        self.call("POST", "logistics_clerk", "/shipments", {"data": {
            "rma_number": number, "branch": "华东分公司", "received_at": datetime.now(SHANGHAI).isoformat(),
            "received_quantity": 1, "received_model": "XR-200", "received_serials": [unit_serial]}})


@pytest.fixture
def api(page, live_server):
    return Api(page, live_server)


def test_the_clerk_lends_a_spare_unit_from_the_page_and_takes_it_back(page, login, api, errors_of):
    unit_serial, loaner_serial = f"SN-{uuid.uuid4().hex[:8]}", f"LN-{uuid.uuid4().hex[:8]}"
    api.received_unit(unit_serial)
    errors = errors_of(page)
    login(page, "logistics_clerk")
    page.get_by_role("link", name="备用机", exact=True).click()
    assert page.locator("h1").inner_text().startswith("备用机台账")
    form = page.locator("#lend-form")
    form.get_by_label("备用机序列号").fill(loaner_serial)
    form.get_by_label("客户维修中机器的序列号").fill(unit_serial)
    form.get_by_label("客户", exact=True).fill("王经理")
    with page.expect_navigation():
        form.get_by_role("button", name="借出").click()
    assert f"备用机 {loaner_serial} 已借给 王经理。" in page.locator("main").inner_text()
    row = page.locator("table.loaners tbody tr", has_text=loaner_serial)
    assert "借出中" in row.inner_text() and unit_serial in row.inner_text()
    row.get_by_label("说明").fill("外观完好")
    with page.expect_navigation():
        row.get_by_role("button", name="已归还").click()
    row = page.locator("table.loaners tbody tr", has_text=loaner_serial)
    assert "已归还" in row.inner_text() and row.get_by_role("button").count() == 0
    assert errors == []
