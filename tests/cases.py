"""What every procedure's case offers (Instance), callbacks on their way through procedure 3,
driven through the API as the demo users (procedures.py: complaints; return_authorization.py:
returns), and signing in to the pages."""
import re
from datetime import datetime, timedelta, timezone

SHANGHAI = timezone(timedelta(hours=8))


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


START = {"customer_name": "赵女士", "contact_phone": "13900139000", "subject": "沪B·67890",
         "repair_summary": "更换刹车片"}


class CallbackCase(Instance):
    """One callback (回访) started by customer relations for a delivered repair."""

    def __init__(self, api, picked_up_at: datetime | None = None, username="customer_dept", unit=None, **start):
        picked = picked_up_at or datetime.now(SHANGHAI) - timedelta(hours=1)
        body = {"data": {**START, "picked_up_at": picked.isoformat(), **start}}
        if unit:  # the organisation unit it is for (the starter's own when none)
            body["unit"] = unit
        response = api.as_(username).post("/processes/callback/instances", json=body)
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
