"""Return applications and callbacks on their way through procedures 2 and 3, driven through
the API as the demo users (see procedures.py for complaints), and signing in to the pages."""
import re
from datetime import date, datetime, timedelta, timezone

SHANGHAI = timezone(timedelta(hours=8))


def days_ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


REQUEST = {"branch": "华东分公司", "model": "XR-200", "quantity": 2, "serial_numbers": ["SN-A1", "SN-A2"],
           "fault_description": "开机无显示", "purchase_date": days_ago(100), "warranty_card": True,
           "dealer_seal": True, "customer_name": "李工", "contact_phone": "021-5555 0101"}


class Instance:
    """What every procedure's case offers: its instance, open tasks, and completing them."""

    def __init__(self, api, instance_id: int):
        self.api, self.id = api, instance_id

    def instance(self, username="admin") -> dict:
        response = self.api.as_(username).get(f"/instances/{self.id}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def open_names(self) -> list[str]:
        return sorted(t["name"] for t in self.instance()["open_tasks"])

    def open_task(self, name: str) -> dict:
        tasks = [t for t in self.instance()["open_tasks"] if t["name"] == name]
        assert tasks, f"{name} is not open; open: {self.open_names()}"
        return tasks[0]

    def complete(self, username: str, name: str, data: dict, expect: int = 200) -> dict:
        task = self.open_task(name)
        response = self.api.as_(username).post(f"/tasks/{task['id']}/complete", json={"data": data})
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    @property
    def business_key(self) -> str | None:
        return self.instance()["business_key"]


class ReturnCase(Instance):
    """One return application (返修机返厂申请)."""

    def __init__(self, api, **request):
        response = api.as_("branch_engineer").post("/processes/return_authorization/instances",
                                                   json={"data": {**REQUEST, **request}})
        assert response.status_code == 201, response.get_json()
        super().__init__(api, response.get_json()["id"])
        self.request_id = self.instance()["data"]["request_id"]  # returns.submit's result

    def record(self, username="logistics_clerk") -> dict:
        key = self.business_key or str(self.request_id)
        response = self.api.as_(username).get(f"/return-authorizations/{key}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    @property
    def number(self) -> str:
        return self.business_key

    def approve(self) -> "ReturnCase":
        self.complete("branch_manager", "review_request", {"review_decision": "approve"})
        self.complete("department_head", "approve_request", {"approval_decision": "approve"})
        return self

    def ship(self, serials=None, model=None, number=None, expect=201, **extra) -> dict:
        """The goods arrive at headquarters and logistics registers them at the door."""
        serials = REQUEST["serial_numbers"] if serials is None else serials
        data = {"rma_number": self.number if number is None else number, "branch": "华东分公司",
                "received_at": datetime.now(SHANGHAI).isoformat(), "received_quantity": len(serials),
                "received_model": model or REQUEST["model"], "received_serials": serials, **extra}
        response = self.api.as_("logistics_clerk").post("/shipments", json={"data": data})
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def check_warranty(self, **findings) -> dict:
        return self.complete("logistics_clerk", "check_warranty", findings)

    def repair_round(self, passed=True) -> dict:
        self.complete("repair_technician", "repair_units", {"repair_work": "更换主板", "parts_used": "主板 x1"})
        self.complete("repair_technician", "aging_test", {"aging_hours": 24, "aging_passed": True})
        return self.complete("repair_technician", "quality_check",
                             {"qc_passed": passed, "qc_notes": "" if passed else "显示偶发闪烁"})

    def ship_back(self) -> dict:
        return self.complete("logistics_clerk", "ship_back", {"shipped_at": datetime.now(SHANGHAI).isoformat(),
                                                              "waybill_number": "SF1234567890"})


START = {"customer_name": "赵女士", "contact_phone": "13900139000", "subject": "沪B·67890",
         "repair_summary": "更换刹车片"}


class CallbackCase(Instance):
    """One callback (回访) started by customer relations for a delivered repair."""

    def __init__(self, api, picked_up_at: datetime | None = None, username="customer_dept", **start):
        picked = picked_up_at or datetime.now(SHANGHAI) - timedelta(hours=1)
        response = api.as_(username).post("/processes/callback/instances", json={"data": {
            **START, "picked_up_at": picked.isoformat(), **start}})
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        super().__init__(api, body["id"])
        self.callback_id = int(body["business_key"])

    def record(self, callback_id=None, username="customer_dept") -> dict:
        response = self.api.as_(username).get(f"/callbacks/{callback_id or self.callback_id}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def call(self, reached=True, satisfied=True, **extra) -> dict:
        data = {"reached": reached, **extra}
        if reached:
            data.update({"repair_quality": "good", "service_quality": "good", "satisfied": satisfied})
        return self.complete("customer_dept", "call_customer", data)


def sign_in(client, username: str) -> None:
    """Sign in to the pages as a demo user (with the login form's CSRF token)."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": username, "password": "demo", "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
