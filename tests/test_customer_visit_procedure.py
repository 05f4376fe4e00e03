"""Customer visits (客户拜访), driven through HTTP as the demo users with the service clock moved:
a plan's cycle timer opens a visit each period (half-monthly, quarterly, a quarterly phone
conference for overseas customers), a visit not recorded in time is overdue and escalated, and
ending a plan stops its cycle. Every plan a test makes is ended after it: a running cycle would
open visits in every later test's timer run."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from procedures import fire_timers, moved_clock

SHANGHAI = ZoneInfo("Asia/Shanghai")
PLAN = {"customer_name": "华东精密机械有限公司", "contact_person": "李经理", "contact_phone": "13800138000",
        "address": "江苏省苏州市工业园区星湖街 88 号", "visit_class": "distant", "start_date": "2027-04-01"}
RECORD = {"visited_on": "2027-04-02", "met_with": "李经理、王工", "topics": "设备运行情况，备件库存",
          "customer_opinions": "响应及时", "issues_raised": "", "next_actions": "下季度再访"}


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


class Plans:
    """The visit plans of one test, ended after it."""

    def __init__(self, api, app):
        self.api, self.app, self.made = api, app, []

    def create(self, username="customer_dept", when=at(2027, 3, 20, 10, 0), expect=201, **fields) -> dict:
        with moved_clock(self.api, when):
            response = self.api.as_(username).post("/visit-plans", json={**PLAN, **fields})
        assert response.status_code == expect, response.get_json()
        body = response.get_json()
        if expect == 201:
            self.made.append(body["id"])
        return body

    def get(self, plan_id: int) -> dict:
        response = self.api.as_("customer_dept").get(f"/visit-plans/{plan_id}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def instance(self, plan: dict) -> dict:
        return self.api.as_("admin").get(f"/instances/{plan['instance_id']}").get_json()

    def open_tasks(self, plan: dict) -> list[dict]:
        return self.instance(plan)["open_tasks"]

    def complete(self, plan: dict, name: str, data: dict, username="customer_dept", when=None, expect=200) -> dict:
        [task] = [t for t in self.open_tasks(plan) if t["name"] == name]
        with moved_clock(self.api, when or datetime.fromisoformat(task["created_at"]) + timedelta(hours=2)):
            response = self.api.as_(username).post(f"/tasks/{task['id']}/complete", json={"data": data})
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def end(self, plan_id: int, username="customer_dept", expect=200) -> dict:
        response = self.api.as_(username).post(f"/visit-plans/{plan_id}/end", json={"reason": "合作结束"})
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def end_all(self):
        for plan_id in self.made:
            if self.get(plan_id)["status"] == "active":
                self.end(plan_id, username="admin")


@pytest.fixture
def plans(api, app):
    made = Plans(api, app)
    yield made
    made.end_all()


def test_a_quarterly_plan_fires_on_time_each_quarter(plans, api, app):
    plan = plans.create()
    assert plan["status"] == "active" and plan["period"] == "P3M" and plan["visits"] == []
    assert plan["next_period_at"] == "2027-04-01T08:00:00+08:00"
    assert plans.instance(plan)["next_timer_at"] == "2027-04-01T08:00:00+08:00"
    fire_timers(app, api, at(2027, 4, 1, 7, 59))
    assert plans.open_tasks(plan) == []  # not before the quarter comes
    fire_timers(app, api, at(2027, 4, 1, 8, 0, 30))
    [task] = plans.open_tasks(plan)
    assert task["name"] == "visit_customer" and task["lane"] == "customer_dept" and task["title"] == "拜访客户"
    assert task["due_at"].startswith("2027-04-08T08:00")  # 5 working days (Thu 1 → Thu 8 April)
    [visit] = plans.get(plan["id"])["visits"]
    assert visit["period_number"] == 1 and visit["kind"] == "visit" and visit["status"] == "open"
    assert visit["due_at"] == task["due_at"]
    plans.complete(plan, "visit_customer", RECORD)
    [visit] = plans.get(plan["id"])["visits"]
    assert visit["status"] == "recorded" and visit["overdue"] is False and visit["met_with"] == "李经理、王工"
    assert visit["visited_on"] == "2027-04-02" and visit["recorded_by"] == "customer_dept"
    assert plans.open_tasks(plan) == [] and plans.instance(plan)["status"] == "waiting"
    # the second quarter: calendar months from the start, on the first of July
    assert plans.get(plan["id"])["next_period_at"] == "2027-07-01T08:00:00+08:00"
    assert plans.instance(plan)["next_timer_at"] == "2027-07-01T08:00:00+08:00"
    fire_timers(app, api, at(2027, 6, 30, 23, 0))
    assert plans.open_tasks(plan) == []
    fire_timers(app, api, at(2027, 7, 1, 8, 1))
    assert [t["name"] for t in plans.open_tasks(plan)] == ["visit_customer"]
    assert [v["period_number"] for v in plans.get(plan["id"])["visits"]] == [1, 2]
    listed = api.as_("service_manager").get("/customer-visits", query_string={"plan_id": plan["id"]}).get_json()
    assert [v["period_number"] for v in listed["items"]] == [2, 1]  # newest first


def test_a_plan_starting_on_the_31st_keeps_to_the_month_ends(plans, api, app):
    plan = plans.create(start_date="2027-01-31", when=at(2027, 1, 20, 9, 0))
    fire_timers(app, api, at(2027, 1, 31, 8, 1))
    plans.complete(plan, "visit_customer", {**RECORD, "visited_on": "2027-02-01"})
    assert plans.instance(plan)["next_timer_at"] == "2027-04-30T08:00:00+08:00"  # not 90 days on (1 May)
    fire_timers(app, api, at(2027, 4, 30, 8, 1))
    plans.complete(plan, "visit_customer", {**RECORD, "visited_on": "2027-04-30"})
    assert plans.instance(plan)["next_timer_at"] == "2027-07-31T08:00:00+08:00"


def test_a_half_monthly_plan_fires_twice_in_a_month(plans, api, app):
    plan = plans.create(visit_class="nearby", start_date="2027-05-01", when=at(2027, 4, 28, 9, 0))
    assert plan["period"] == "P0.5M"
    for day in (1, 16):
        fire_timers(app, api, at(2027, 5, day, 8, 1))
        [task] = plans.open_tasks(plan)
        plans.complete(plan, "visit_customer", {**RECORD, "visited_on": f"2027-05-{day:02d}"})
    assert plans.instance(plan)["next_timer_at"] == "2027-06-01T08:00:00+08:00"
    fire_timers(app, api, at(2027, 5, 31, 23, 0))
    visits = plans.get(plan["id"])["visits"]
    assert [v["opened_at"][:10] for v in visits] == ["2027-05-01", "2027-05-16"]
    assert all(v["status"] == "recorded" for v in visits)
    fire_timers(app, api, at(2027, 6, 1, 8, 1))
    assert len(plans.get(plan["id"])["visits"]) == 3


def test_an_overseas_plan_opens_a_phone_conference(plans, api, app):
    plan = plans.create(visit_class="overseas", customer_name="Pacific Machinery Pty Ltd", contact_phone="+61 2 9000 0000",
                        start_date="2027-04-01")
    fire_timers(app, api, at(2027, 4, 1, 8, 1))
    [task] = plans.open_tasks(plan)
    assert task["name"] == "hold_conference" and task["lane"] == "customer_dept"
    assert task["title"] == "电话会议（海外客户）"
    [visit] = plans.get(plan["id"])["visits"]
    assert visit["kind"] == "conference"
    plans.complete(plan, "hold_conference", {**RECORD, "met_with": "Mr Smith (purchasing)"})
    assert plans.get(plan["id"])["visits"][0]["status"] == "recorded"
    assert plans.instance(plan)["next_timer_at"] == "2027-07-01T08:00:00+08:00"


def test_a_visit_not_recorded_in_time_is_overdue_and_escalated_until_recorded(plans, api, app):
    plan = plans.create(responsible_person="customer_dept")
    fire_timers(app, api, at(2027, 4, 1, 8, 1))
    [task] = plans.open_tasks(plan)
    assert task["claimed_by"] == "customer_dept"  # the person the plan names holds it
    due = datetime.fromisoformat(task["due_at"])
    fire_timers(app, api, due - timedelta(minutes=5))
    assert [t["name"] for t in plans.open_tasks(plan)] == ["visit_customer"]
    fire_timers(app, api, due + timedelta(minutes=5))
    tasks = {t["name"]: t for t in plans.open_tasks(plan)}
    assert set(tasks) == {"visit_customer", "handle_visit_escalation"}
    assert tasks["handle_visit_escalation"]["lane"] == "service_manager"
    [visit] = plans.get(plan["id"])["visits"]
    assert visit["overdue"] is True and visit["status"] == "open"
    records = api.as_("service_manager").get("/overdue", query_string={"month": "2027-04", "per_page": 500}).get_json()
    mine = [r for r in records["items"] if r["instance_id"] == plan["instance_id"]]
    assert len(mine) == 1 and mine[0]["person"] == "customer_dept" and mine[0]["task"] == "visit_customer"
    assert mine[0]["process_key"] == "customer_visit" and mine[0]["deadline_at"] == visit["due_at"]
    # recorded late: the escalation closes with it
    plans.complete(plan, "visit_customer", {**RECORD, "visited_on": "2027-04-09"}, when=due + timedelta(hours=3))
    assert plans.open_tasks(plan) == [] and plans.instance(plan)["status"] == "waiting"
    [visit] = plans.get(plan["id"])["visits"]
    assert visit["status"] == "recorded" and visit["overdue"] is True
    overdue_visits = api.as_("service_manager").get("/customer-visits", query_string={"overdue": "true",
                                                                                       "plan_id": plan["id"]})
    assert [v["id"] for v in overdue_visits.get_json()["items"]] == [visit["id"]]


def test_the_manager_may_deal_with_the_escalation_before_the_visit_is_recorded(plans, api, app):
    plan = plans.create()
    fire_timers(app, api, at(2027, 4, 1, 8, 1))
    fire_timers(app, api, at(2027, 4, 8, 9, 0))
    plans.complete(plan, "handle_visit_escalation", {"escalation_action": "urge"}, username="service_manager",
                   expect=422)
    plans.complete(plan, "handle_visit_escalation", {"escalation_action": "urge", "escalation_notes": "明天前完成拜访"},
                   username="service_manager")
    assert [t["name"] for t in plans.open_tasks(plan)] == ["visit_customer"]
    records = api.as_("service_manager").get("/overdue", query_string={"month": "2027-04", "per_page": 500}).get_json()
    mine = [r for r in records["items"] if r["instance_id"] == plan["instance_id"]]
    assert len(mine) == 1 and mine[0]["person"] is None and mine[0]["role"] == "customer_dept"  # nobody held it
    plans.complete(plan, "visit_customer", RECORD, when=at(2027, 4, 9, 10, 0))
    assert plans.open_tasks(plan) == []


def test_ending_a_plan_stops_its_cycle(plans, api, app):
    plan = plans.create(username="service_manager", visit_class="nearby", start_date="2027-05-01",
                        when=at(2027, 4, 28, 9, 0))
    fire_timers(app, api, at(2027, 5, 1, 8, 1))
    assert len(plans.open_tasks(plan)) == 1
    plans.end(plan["id"], username="service_manager", expect=403)
    ended = plans.end(plan["id"])
    assert ended["status"] == "ended" and ended["end_reason"] == "合作结束" and ended["next_period_at"] is None
    assert [v["status"] for v in ended["visits"]] == ["cancelled"]
    instance = plans.instance(plan)
    assert instance["status"] == "cancelled" and instance["open_tasks"] == [] and instance["next_timer_at"] is None
    fire_timers(app, api, at(2027, 6, 20, 8, 1))
    assert len(plans.get(plan["id"])["visits"]) == 1  # no period opens any more
    plans.end(plan["id"], expect=409)
    assert api.as_("customer_dept").post(f"/visit-plans/{plan['id']}/end", json={}).status_code == 422


def test_a_raised_issue_can_open_a_complaint(plans, api, app):
    plan = plans.create()
    fire_timers(app, api, at(2027, 4, 1, 8, 1))
    refused = plans.complete(plan, "visit_customer", {**RECORD, "raise_complaint": True}, expect=422)
    assert "issues_raised" in refused["error"]["fields"]
    plans.complete(plan, "visit_customer", {**RECORD, "raise_complaint": True,
                                            "issues_raised": "主轴异响，上次维修后未解决"})
    [visit] = plans.get(plan["id"])["visits"]
    number = visit["complaint_number"]
    assert number and number.startswith("TS-")
    complaint = api.as_("customer_dept").get(f"/complaints/{number}").get_json()
    assert complaint["channel"] == "visit" and complaint["customer_name"] == PLAN["customer_name"]
    assert complaint["description"] == "主轴异响，上次维修后未解决" and complaint["status"] == "registered"


def test_plans_are_checked_and_only_planners_make_them(plans, api, app):
    bad = plans.create(expect=422, visit_class="galactic", start_date="2027-02-30", contact_phone="call me")
    assert {"visit_class", "start_date", "contact_phone"} <= set(bad["error"]["fields"])
    past = plans.create(expect=422, start_date="2027-03-19")
    assert set(past["error"]["fields"]) == {"start_date"}
    nobody = plans.create(expect=422, responsible_person="logistics_clerk")
    assert set(nobody["error"]["fields"]) == {"responsible_person"}
    plans.create(username="logistics_clerk", expect=403)
    plans.create(username="general_manager", expect=403)
    assert api.as_("logistics_clerk").get("/customer-visits").status_code == 403
    assert api.as_("logistics_clerk").get("/visit-plans").status_code == 403
    assert api.as_("general_manager").get("/visit-plans").status_code == 200
    assert api.as_("customer_dept").get("/visit-plans/999999").status_code == 404
    assert api.as_("customer_dept").get("/customer-visits", query_string={"status": "lost"}).status_code == 422
    made = plans.create(username="service_manager")
    assert made["responsible_role"] == "customer_dept"
    listed = api.as_("general_manager").get("/visit-plans", query_string={"status": "active", "per_page": 500})
    assert made["id"] in [p["id"] for p in listed.get_json()["items"]]


def test_the_pages_plan_list_and_end_visits(plans, api, app, pages):
    clerk = pages("customer_dept")
    with moved_clock(api, at(2027, 3, 20, 10, 0)):
        refused = clerk.post("/visit-plans/new", {**PLAN, "visit_class": ""})
        assert refused.status_code == 422
        created = clerk.post("/visit-plans/new", {**PLAN, "customer_name": "<b>苏州</b>精工"})
    assert created.status_code == 302
    plan_id = int(created.headers["Location"].rstrip("/").split("/")[-1])
    plans.made.append(plan_id)
    page = clerk.get(f"/visit-plans/{plan_id}").get_data(as_text=True)
    assert "&lt;b&gt;苏州&lt;/b&gt;精工" in page and "<b>苏州" not in page
    assert "远距离客户（每3个月拜访）" in page and "结束计划" in page
    fire_timers(app, api, at(2027, 4, 1, 8, 1))
    register = clerk.get("/visits").get_data(as_text=True)
    assert "客户拜访" in register and f'href="/visit-plans/{plan_id}"' in register and "待拜访" in register
    listed = clerk.get("/visit-plans").get_data(as_text=True)
    assert f'data-plan-id="{plan_id}"' in listed
    ended = clerk.post(f"/visit-plans/{plan_id}/end", {"reason": "客户搬迁"})
    assert ended.status_code == 302
    page = clerk.get(f"/visit-plans/{plan_id}").get_data(as_text=True)
    assert "已结束" in page and "客户搬迁" in page and "结束计划" not in page
    manager = pages("service_manager")
    assert "结束计划" not in manager.get(f"/visit-plans/{plan_id}").get_data(as_text=True)
    assert pages("logistics_clerk").get("/visits").status_code == 403
    clerk.get("/lang/en")
    english = clerk.get(f"/visit-plans/{plan_id}").get_data(as_text=True)
    assert "Visit plan" in english and "Distant customer (visit every 3 months)" in english and "Ended" in english


def test_a_plan_running_for_months_keeps_a_bounded_state(plans, api, app):
    """Each period's path ends: its tasks, its end event's arrival at the process's end and the
    event it throws leave the stored state (a plan runs for years)."""
    plan = plans.create(visit_class="nearby", start_date="2027-05-01", when=at(2027, 4, 28, 9, 0))
    sizes = []
    for _ in range(8):
        due = datetime.fromisoformat(plans.instance(plan)["next_timer_at"])
        fire_timers(app, api, due + timedelta(minutes=1))
        plans.complete(plan, "visit_customer", {**RECORD, "topics": "设备运行情况" * 50})
        with app.app_context():
            from app.extensions import db
            from app.models import ProcessInstance
            sizes.append(len(db.session.get(ProcessInstance, plan["instance_id"]).state))
    assert len(plans.get(plan["id"])["visits"]) == 8
    assert max(sizes[1:]) - min(sizes[1:]) < 100, sizes
