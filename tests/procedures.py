"""Driving a procedure through the API as the demo users, the way staff do it."""
from datetime import timedelta

INTAKE = {"received_at": "2026-11-20T09:30:00+08:00", "channel": "phone", "customer_name": "王先生",
          "contact_phone": "13800138000", "vehicle": "沪A·12345", "description": "保养后发动机异响",
          "customer_request": "免费复查"}
# The demo user of each routed role: demo usernames equal role keys.
ROUTED_TO = {"repair_quality": "workshop_supervisor", "service_attitude": "business_supervisor",
             "parts": "parts_manager", "warranty_claim": "claims_supervisor", "sales": "business_supervisor"}


def just_received(minutes: int = 0) -> str:
    """A receipt time at the service clock's now (to the second, so never after it): the clocks of
    the rules run from receipt, so a complaint received on a fixed date would be born overdue; at
    now itself, a test's due times read as the clock it moved to."""
    from app.clock import local, now
    return local(now() - timedelta(minutes=minutes)).isoformat(timespec="seconds")


class Case:
    """One complaint on its way through procedure 1."""

    def __init__(self, api, **intake):
        self.api = api
        response = api.as_("customer_dept").post("/processes/complaint/instances",
                                                 json={"data": {**INTAKE, "received_at": just_received(), **intake}})
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        self.id, self.number = body["id"], body["business_key"]

    def instance(self, username="admin") -> dict:
        response = self.api.as_(username).get(f"/instances/{self.id}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def open_task(self, name: str) -> dict:
        tasks = [t for t in self.instance()["open_tasks"] if t["name"] == name]
        assert tasks, f"{name} is not open; open: {[t['name'] for t in self.instance()['open_tasks']]}"
        return tasks[0]

    def open_names(self) -> list[str]:
        return sorted(t["name"] for t in self.instance()["open_tasks"])

    def classify(self, category: str = "parts", severity: str = "general", **more) -> dict:
        """The service manager classifies and assigns the complaint (classify_complaint), naming the
        demo user of the routed role as the responsible person unless `responsible_person` is given."""
        role = more.get("other_department") if category == "other" else ROUTED_TO.get(category)
        data = {"category": category, "severity": severity, "responsible_person": role, **more}
        return self.complete("service_manager", "classify_complaint", data)

    def complete(self, username: str, name: str, data: dict, expect: int = 200) -> dict:
        task = self.open_task(name)
        response = self.api.as_(username).post(f"/tasks/{task['id']}/complete", json={"data": data})
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def satisfied_with_return_repair(self) -> None:
        """A repair-quality complaint handled with the vehicle coming back, the customer satisfied:
        the workshop records the vehicle's release next (record_vehicle_release); the return
        repair's callback follows three days after it, and the general manager signs after its result."""
        self.classify(category="repair_quality", severity="general")
        self.complete("workshop_supervisor", "handle_workshop", {**GOOD_HANDLING, "return_repair": True})
        self.complete("service_manager", "confirm_handling", {"confirmation": "approve"})
        self.complete("customer_dept", "call_back_customer", {"problem_solved": True, "callback_satisfied": True})

    def return_callback(self) -> dict | None:
        """The callback the return repair started for this complaint, if any."""
        listed = self.api.as_("customer_dept").get("/callbacks", query_string={"per_page": 500}).get_json()["items"]
        mine = [c for c in listed if c["source"] == "complaint" and c["source_ref"] == self.number]
        assert len(mine) <= 1, mine
        return mine[0] if mine else None

    def complaint(self, username="customer_dept") -> dict:
        response = self.api.as_(username).get(f"/complaints/{self.number}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()


GOOD_HANDLING = {"result": "已免费更换正时皮带并道歉", "root_cause": "装配时皮带张紧不足",
                 "improvement": "增加装配复检环节", "return_repair": False}


class moved_clock:
    """Run with the service clock at `moment`; tokens are issued anew on either side,
    since a token from another time is rightly expired or not yet valid."""

    def __init__(self, api, moment):
        self.api, self.moment = api, moment

    def to(self, moment):
        from app import clock
        clock.set_now(moment)
        self.api.tokens.clear()

    def __enter__(self):
        self.to(self.moment)
        return self

    def __exit__(self, *exc):
        from app import clock
        clock.set_now(None)
        self.api.tokens.clear()


def fire_timers(app, api=None, moment=None) -> None:
    """Run the timer command once, as the runner's pass does; at `moment` when given (the service
    clock moved there and back)."""
    def fire():
        result = app.test_cli_runner().invoke(args=["timers"])
        assert result.exit_code == 0, result.output
    if moment is None:
        fire()
        return
    with moved_clock(api, moment):
        fire()


def two_runners(app, work) -> dict:
    """Two timer runners doing `work()` at once, each in its app context and transaction: runner A
    does it and holds its transaction open; runner B does it then, not seeing A's rows; on
    PostgreSQL once B waits on a lock of A's (its insert on A's uncommitted key), A commits, then B.
    Returns {"A": A's result, "B": B's} (an exception raised as the result)."""
    import threading

    from app.extensions import db

    results, inserted, release = {}, threading.Event(), threading.Event()

    def runner(name, before=None, hold=None):
        try:
            with app.app_context():
                if before is not None:
                    assert before.wait(30)
                results[name] = work()
                if hold is not None:
                    inserted.set()
                    assert hold.wait(30)
                db.session.commit()
        except Exception as err:  # reported to the caller
            results[name] = err
            inserted.set()

    first = threading.Thread(target=runner, args=("A",), kwargs={"hold": release})
    second = threading.Thread(target=runner, args=("B",), kwargs={"before": inserted})
    first.start()
    second.start()
    assert inserted.wait(30)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        waiting_on_a_lock(app)  # B's insert waits on A's uncommitted row
    release.set()
    first.join(60)
    second.join(60)
    return results


def waiting_on_a_lock(app, seconds: float = 20) -> None:
    """Returns once some session of the test database waits for a lock (pg_locks), within `seconds`."""
    import time

    import sqlalchemy as sa
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        deadline = time.monotonic() + seconds
        with engine.connect() as conn:
            while time.monotonic() < deadline:
                if conn.execute(sa.text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar():
                    return
                conn.rollback()
                time.sleep(0.05)  # polling the database's lock table, not waiting for time to pass
        raise AssertionError("the second runner never waited on the first one's row")
    finally:
        engine.dispose()


def in_handling(api, category="parts", days=1, task="handle_parts", holder="parts_manager", claim=True) -> Case:
    """A general complaint classified with a handling deadline of `days` working days, its
    department task claimed by `holder` (so a miss falls on a person)."""
    case = Case(api)
    case.classify(category=category, severity="general", deadline_days=days)
    if claim:
        task_id = case.open_task(task)["id"]
        assert api.as_(holder).post(f"/tasks/{task_id}/claim").status_code == 200
    return case
