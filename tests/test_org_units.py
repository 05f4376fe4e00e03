"""Organisation units (issue 13): the group (集团总部) with the department, 华东分公司 (an operating
branch), 西南分公司 (a managed branch) and 成都XX代理商 under it. A case and its records carry the
unit it was started for; a branch's people see their unit's and the units' below it, in every list,
page and API call; another unit's are not there for them (404). The department and the group
supervisor see them all."""
import csv
import io
import uuid
from io import BytesIO

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import OrgUnit, User
from app.services import accounts
from return_authorization import REQUEST
from procedures import INTAKE

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
HEADQUARTERS = ("department_head", "logistics_clerk", "group_supervisor", "admin")


class Return:
    """A return request raised by `username`, for the unit `unit` (the starter's own when None),
    with a model of its own to search it by."""

    def __init__(self, api, username: str, unit: str | None = None):
        self.model = "ou" + uuid.uuid4().hex[:10]
        body = {"data": {**REQUEST, "model": self.model}}
        if unit:
            body["unit"] = unit
        response = api.as_(username).post("/processes/return_authorization/instances", json=body)
        assert response.status_code == 201, response.get_json()
        self.id = response.get_json()["id"]
        case = api.as_("admin").get(f"/instances/{self.id}").get_json()
        self.request_id = case["data"]["request_id"]
        self.unit = case["unit"]
        # version 2: confirmed first (an operating branch's by the field service supervisor, a managed
        # branch's or its dealer's by the local engineer), then reviewed by the branch manager or, on
        # the managed route, the provincial manager
        confirm = next(t for t in case["open_tasks"] if t["name"] in ("supervisor_confirm", "local_confirm"))
        confirmer = "field_service_supervisor" if confirm["name"] == "supervisor_confirm" else "branch_engineer_b"
        done = api.as_(confirmer).post(f"/tasks/{confirm['id']}/complete", json={"data": {"confirm_decision": "confirm"}})
        assert done.status_code == 200, done.get_json()
        self.review_task = next(t["id"] for t in done.get_json()["open_tasks"]
                                if t["name"] in ("review_request", "provincial_review"))
        attached = api.as_("admin").request("POST", f"/instances/{self.id}/attachments",
                                            data={"file": (BytesIO(PNG), "铭牌.png")},
                                            content_type="multipart/form-data")
        assert attached.status_code == 201, attached.get_json()
        self.attachment = attached.get_json()["id"]


_MADE: dict[str, dict] = {}  # per database: the returns of the module


@pytest.fixture
def returns(app, api):
    """One return of each unit: 华东 (branch_engineer), 西南 (branch_engineer_b) and the dealer's
    (taken in by a person of the group for the dealer: a unit chosen at intake)."""
    made = _MADE.setdefault(app.config["SQLALCHEMY_DATABASE_URI"], {})
    if not made:
        made.update(east=Return(api, "branch_engineer"), southwest=Return(api, "branch_engineer_b"),
                    dealer=Return(api, "demo_all", unit="chengdu_dealer"))
    return made


def register_models(api, username: str, **query) -> set[str]:
    response = api.as_(username).get("/return-authorizations", query_string={"per_page": 500, **query})
    assert response.status_code == 200, response.get_json()
    return {item["model"] for item in response.get_json()["items"]}


def test_the_demo_units_and_people(app):
    with app.app_context():
        units = {u.code: u for u in db.session.scalars(select(OrgUnit))}
        assert units["group"].name == "集团总部" and units["group"].parent_id is None
        assert (units["east"].name, units["east"].kind) == ("华东分公司", "operating_branch")
        assert (units["southwest"].name, units["southwest"].kind) == ("西南分公司", "managed_branch")
        assert units["chengdu_dealer"].parent_id == units["southwest"].id
        unit_of = {name: code for name, code in db.session.execute(
            select(User.username, OrgUnit.code).join(OrgUnit, User.unit_id == OrgUnit.id))}
    assert unit_of["branch_engineer"] == unit_of["branch_manager"] == "east"
    assert unit_of["branch_engineer_b"] == unit_of["branch_manager_b"] == "southwest"
    assert unit_of["dealer_agent"] == "chengdu_dealer"
    assert all(unit_of[name] == "group" for name in ("admin", "department_head", "customer_dept", "demo_all",
                                                     "group_supervisor"))


def test_a_case_carries_its_unit(api, returns):
    assert (returns["east"].unit, returns["southwest"].unit, returns["dealer"].unit) == \
        ("east", "southwest", "chengdu_dealer")
    record = api.as_("department_head").get(f"/return-authorizations/{returns['southwest'].request_id}").get_json()
    assert record["unit"] == "southwest"
    # a unit outside the starter's own is refused, naming the field, and nothing is started
    refused = api.as_("branch_engineer").post("/processes/return_authorization/instances",
                                              json={"data": REQUEST, "unit": "southwest"})
    assert refused.status_code == 422 and "unit" in refused.get_json()["error"]["fields"]
    unknown = api.as_("demo_all").post("/processes/return_authorization/instances",
                                       json={"data": REQUEST, "unit": "nowhere"})
    assert unknown.status_code == 422 and "unit" in unknown.get_json()["error"]["fields"]


def test_a_branch_does_not_see_another_branchs_return_anywhere(api, pages, returns):
    east, west = returns["east"], returns["southwest"]
    engineer = api.as_("branch_engineer")
    # the register, whole and searched
    assert east.model in register_models(api, "branch_engineer")
    assert west.model not in register_models(api, "branch_engineer")
    assert register_models(api, "branch_engineer", q=west.model) == set()
    assert register_models(api, "branch_engineer", q=east.model) == {east.model}
    # the record, the case, its diagram, comments and files
    for path in (f"/return-authorizations/{west.request_id}", f"/instances/{west.id}",
                 f"/instances/{west.id}/diagram", f"/instances/{west.id}/comments",
                 f"/instances/{west.id}/attachments", f"/instances/{west.id}/attachments/{west.attachment}",
                 f"/tasks/{west.review_task}"):
        response = engineer.get(path)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found", path
    assert engineer.post(f"/instances/{west.id}/comments", json={"text": "看看"}).status_code == 404
    # another case's attachment is not reached through one's own case either
    assert engineer.get(f"/instances/{east.id}/attachments/{west.attachment}").status_code == 404
    # the pages
    page = pages("branch_engineer")
    listed = page.get("/returns").get_data(as_text=True)
    assert east.model in listed and west.model not in listed
    assert f"<td>{west.model}</td>" not in page.get(f"/returns?q={west.model}").get_data(as_text=True)
    assert f"<td>{east.model}</td>" in page.get(f"/returns?q={east.model}").get_data(as_text=True)
    for path in (f"/returns/{west.request_id}", f"/instances/{west.id}", f"/instances/{west.id}/diagram",
                 f"/instances/{west.id}/attachments/{west.attachment}"):
        assert page.get(path).status_code == 404, path
    assert "华东分公司" in page.get(f"/returns/{east.request_id}").get_data(as_text=True)
    # the other branch sees its own, not the first's
    assert register_models(api, "branch_engineer_b", q=west.model) == {west.model}
    assert api.as_("branch_engineer_b").get(f"/instances/{east.id}").status_code == 404


def test_the_department_and_the_group_supervisor_see_every_unit(api, pages, returns):
    models = {r.model for r in returns.values()}
    for username in HEADQUARTERS:
        assert models <= register_models(api, username), username
        for item in returns.values():
            assert register_models(api, username, q=item.model) == {item.model}, username
            assert api.as_(username).get(f"/instances/{item.id}").status_code == 200, username
            assert api.as_(username).get(f"/instances/{item.id}/attachments/{item.attachment}").status_code == 200
    listed = pages("group_supervisor").get("/returns").get_data(as_text=True)
    assert all(model in listed for model in models)
    assert pages("group_supervisor").get(f"/instances/{returns['southwest'].id}").status_code == 200


def test_the_group_narrows_the_registers_to_a_unit_and_its_dealers(api, pages, returns):
    """The department and the group's supervisor choose a unit on every register carrying one (the unit
    and the units below it); a branch's people have no such choice and cannot name another unit."""
    east, west, dealer = returns["east"], returns["southwest"], returns["dealer"]
    for username in ("department_head", "group_supervisor"):
        assert {west.model, dealer.model} <= register_models(api, username, unit="southwest")
        assert east.model not in register_models(api, username, unit="southwest")
        assert register_models(api, username, unit="chengdu_dealer", q=dealer.model) == {dealer.model}
        assert register_models(api, username, unit="east", q=west.model) == set()
    assert register_models(api, "branch_engineer_b", unit="chengdu_dealer", q=dealer.model) == {dealer.model}
    assert register_models(api, "branch_engineer_b", unit="chengdu_dealer", q=west.model) == set()
    for username, code in (("branch_engineer", "southwest"), ("branch_engineer", "nowhere"),
                           ("group_supervisor", "nowhere")):
        refused = api.as_(username).get("/return-authorizations", query_string={"unit": code})
        assert refused.status_code == 422 and "unit" in refused.get_json()["error"]["fields"], (username, code)
    page = pages("group_supervisor")
    listed = page.get("/returns?unit=southwest").get_data(as_text=True)
    assert '<option value="southwest" selected>西南分公司</option>' in listed
    assert west.model in listed and dealer.model in listed and east.model not in listed
    assert '<td class="unit">成都XX代理商</td>' in page.get(f"/returns?q={dealer.model}").get_data(as_text=True)
    assert page.get("/returns?unit=nowhere").status_code == 422
    for path in ("/returns", "/loaners", "/penalties", "/quality-complaints", "/visits", "/visit-plans",
                 "/callbacks?due="):
        whole = page.get(path)
        assert whole.status_code == 200, path
        html = whole.get_data(as_text=True)
        assert '<select name="unit">' in html and "<th>组织机构</th>" in html, path
        joiner = "&" if "?" in path else "?"
        assert page.get(f"{path}{joiner}unit=east").status_code == 200, path
        assert page.get(f"{path}{joiner}unit=nowhere").status_code == 422, path
    for path in ("/return-authorizations", "/loaners", "/penalties", "/quality-complaints", "/customer-visits",
                 "/visit-plans", "/callbacks", "/overdue"):
        assert api.as_("group_supervisor").get(path, query_string={"unit": "east"}).status_code == 200, path
        assert api.as_("group_supervisor").get(path, query_string={"unit": "nowhere"}).status_code == 422, path
    branch = pages("branch_engineer").get("/returns").get_data(as_text=True)
    assert '<select name="unit">' not in branch and '<td class="unit">华东分公司</td>' in branch


def test_a_dealer_sees_only_its_own_and_its_branch_sees_the_dealers(api, returns):
    dealer = returns["dealer"]
    seen = register_models(api, "dealer_agent")
    assert dealer.model in seen and not seen & {returns["east"].model, returns["southwest"].model}
    assert api.as_("dealer_agent").get(f"/instances/{dealer.id}").status_code == 200
    for other in (returns["east"], returns["southwest"]):
        assert api.as_("dealer_agent").get(f"/instances/{other.id}").status_code == 404
        assert api.as_("dealer_agent").get(f"/return-authorizations/{other.request_id}").status_code == 404
    # 西南分公司 sees the dealer below it; 华东分公司 does not
    assert dealer.model in register_models(api, "branch_engineer_b")
    assert dealer.model not in register_models(api, "branch_engineer")
    assert api.as_("branch_engineer").get(f"/instances/{dealer.id}").status_code == 404


def _inbox(api, username: str, lane: str = "branch_manager") -> set[int]:
    response = api.as_(username).get("/tasks", query_string={"per_page": 500, "lane": lane})
    assert response.status_code == 200, response.get_json()
    return {task["instance_id"] for task in response.get_json()["items"]}


def test_the_inbox_of_a_branch_shows_only_its_units_tasks(api, pages, returns):
    east, west, dealer = returns["east"], returns["southwest"], returns["dealer"]
    assert east.id in _inbox(api, "branch_manager") and not {west.id, dealer.id} & _inbox(api, "branch_manager")
    assert east.id not in _inbox(api, "branch_manager_b")
    # 西南分公司 is a managed branch: its and its dealer's reviews are the provincial manager's
    assert {west.id, dealer.id} <= _inbox(api, "provincial_manager", "provincial_manager")
    # all lanes, unfiltered, and the counts agree
    every = api.as_("branch_manager").get("/tasks", query_string={"per_page": 500}).get_json()["items"]
    assert not {west.id, dealer.id} & {task["instance_id"] for task in every}
    counts = api.as_("branch_manager").get("/tasks/counts").get_json()
    assert sum(lane["total"] for lane in counts if lane["lane"] == "branch_manager") == len(every)
    assert api.as_("branch_manager").get("/tasks/summary").get_json()["open"] == len(every)
    # the department sees every unit's
    assert east.id in _inbox(api, "demo_all") and {west.id, dealer.id} <= _inbox(api, "demo_all", "provincial_manager")
    # another unit's task cannot be read, claimed or completed, and its existence is not told
    manager = api.as_("branch_manager")
    for method, path, body in (("GET", f"/tasks/{west.review_task}", None),
                               ("POST", f"/tasks/{west.review_task}/claim", {}),
                               ("POST", f"/tasks/{west.review_task}/complete",
                                {"data": {"review_decision": "approve"}})):
        response = manager.request(method, path, json=body)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found", path
    page = pages("branch_manager")
    assert page.get(f"/tasks/{west.review_task}").status_code == 404
    inbox = page.get("/").get_data(as_text=True)
    assert west.review_task not in inbox and east.review_task in inbox
    # on its managed route the provincial manager works it
    done = api.as_("provincial_manager").post(f"/tasks/{west.review_task}/claim")
    assert done.status_code == 200, done.get_json()


@pytest.fixture(scope="module")
def east_desk(app):
    """A customer desk of 华东分公司: reads the complaint ledger of its unit."""
    with app.app_context():
        if db.session.scalar(select(User).where(User.username == "desk_east")) is None:
            accounts.create_user("desk_east", "demo", ["customer_dept"], unit="east")
            db.session.commit()
    return "desk_east"


def test_complaints_taken_in_for_a_branch_are_that_branchs(api, east_desk):
    marks = {unit: "ou" + uuid.uuid4().hex[:10] for unit in ("east", "southwest")}
    numbers = {}
    for unit, mark in marks.items():
        response = api.as_("customer_dept").post("/processes/complaint/instances",
                                                 json={"data": {**INTAKE, "vehicle": mark}, "unit": unit})
        assert response.status_code == 201, response.get_json()
        numbers[unit] = response.get_json()["business_key"]
    desk = api.as_(east_desk)

    def ledger(username, **query):
        found = api.as_(username).get("/complaints", query_string={"per_page": 500, **query}).get_json()["items"]
        return {item["number"]: item for item in found}

    assert numbers["east"] in ledger(east_desk) and numbers["southwest"] not in ledger(east_desk)
    assert set(ledger(east_desk, q=marks["southwest"])) == set()
    assert set(ledger(east_desk, q=marks["east"])) == {numbers["east"]}
    assert ledger(east_desk)[numbers["east"]]["unit"] == "east"
    assert desk.get(f"/complaints/{numbers['southwest']}").status_code == 404
    exported = desk.get("/complaints/export", query_string={"format": "csv"})
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert "组织机构" in rows[0]
    text = exported.get_data(as_text=True)
    assert numbers["east"] in text and numbers["southwest"] not in text
    # the department's desk (of the group) and the group supervisor read both
    for username in ("customer_dept", "group_supervisor"):
        assert {numbers["east"], numbers["southwest"]} <= set(ledger(username)), username
    whole = api.as_("customer_dept").get("/complaints/export", query_string={"format": "csv"}).get_data(as_text=True)
    assert numbers["east"] in whole and numbers["southwest"] in whole


def test_an_admin_lists_the_units_and_moves_a_person(app, api, pages):
    with app.app_context():
        mover = db.session.scalar(select(User).where(User.username == "ou_mover"))
        if mover is None:
            accounts.create_user("ou_mover", "demo", ["branch_engineer"], unit="east")
        else:
            mover.active = True
        db.session.commit()
    listed = api.as_("branch_engineer").get("/units").get_json()
    assert [(u["code"], u["depth"]) for u in listed][:1] == [("group", 0)]
    assert {(u["code"], u["parent"], u["kind"]) for u in listed} >= {
        ("east", "group", "operating_branch"), ("southwest", "group", "managed_branch"),
        ("chengdu_dealer", "southwest", "dealer")}
    # only an admin moves a person, to a unit that exists
    assert api.as_("department_head").request("PUT", "/users/ou_mover/unit", json={"unit": "southwest"}) \
        .status_code == 403
    bad = api.as_("admin").request("PUT", "/users/ou_mover/unit", json={"unit": "nowhere"})
    assert bad.status_code == 422 and "unit" in bad.get_json()["error"]["fields"]
    assert api.as_("admin").request("PUT", "/users/nobody_here/unit", json={"unit": "east"}).status_code == 404
    moved = api.as_("admin").request("PUT", "/users/ou_mover/unit", json={"unit": "southwest"})
    assert moved.get_json() == {"username": "ou_mover", "unit": "southwest"}
    west = Return(api, "branch_engineer_b")
    assert west.model in register_models(api, "ou_mover")  # he reads his new unit's returns
    # the page: the tree, and the move back
    admin = pages("admin")
    page = admin.get("/admin/units").get_data(as_text=True)
    assert "华东分公司" in page and "成都XX代理商" in page and "经营平台" in page and 'data-username="ou_mover"' in page
    assert admin.post("/admin/units", {"username": "ou_mover", "unit": "east"}).status_code == 302
    assert west.model not in register_models(api, "ou_mover")
    assert pages("branch_engineer").get("/admin/units").status_code == 403
    with app.app_context():  # a second engineer of 华东 would make other tests' "the branch's engineer" ambiguous
        db.session.scalar(select(User).where(User.username == "ou_mover")).active = False
        db.session.commit()


def test_the_department_chooses_the_unit_on_the_start_page(pages, api):
    desk = pages("customer_dept")
    form = desk.get("/start/complaint").get_data(as_text=True)
    assert 'name="unit"' in form and "西南分公司" in form
    mark = "ou" + uuid.uuid4().hex[:10]
    posted = desk.post("/start/complaint", {**INTAKE, "received_at": INTAKE["received_at"][:16], "vehicle": mark,
                                             "unit": "southwest"})
    assert posted.status_code == 302, posted.get_data(as_text=True)[:2000]
    found = api.as_("customer_dept").get("/complaints", query_string={"q": mark}).get_json()["items"]
    assert [item["unit"] for item in found] == ["southwest"]
    # a branch engineer of a branch without units below it has nothing to choose
    assert 'name="unit"' not in pages("branch_engineer").get("/start/return_authorization").get_data(as_text=True)


def test_task_notices_go_only_to_the_people_of_the_cases_unit(app, api):
    from sqlalchemy import update
    from app.models import Notice
    managers = ("branch_manager", "provincial_manager", "demo_all")
    with app.app_context():
        db.session.execute(update(User).where(User.username.in_(managers))
                           .values(notify_by="email", notify_to="someone@example.test"))
        db.session.commit()
    try:
        west = Return(api, "branch_engineer_b")
        with app.app_context():
            told = db.session.scalars(select(User.username).join(Notice, Notice.user_id == User.id)
                                      .where(Notice.task_id == west.review_task).order_by(User.username)).all()
    finally:
        with app.app_context():
            db.session.execute(update(User).values(notify_by="none", notify_to=None))
            db.session.commit()
    assert told == ["demo_all", "provincial_manager"]  # its managed route's reviewer; not 华东分公司's manager


def test_a_task_is_given_only_to_someone_who_sees_its_unit(api):
    west = Return(api, "branch_engineer_b")
    head = api.as_("department_head")
    refused = head.post(f"/tasks/{west.review_task}/assign", json={"username": "branch_manager"})
    assert refused.status_code == 422 and "username" in refused.get_json()["error"]["fields"]
    given = head.post(f"/tasks/{west.review_task}/assign", json={"username": "provincial_manager"})
    assert given.status_code == 200 and given.get_json()["claimed_by"] == "provincial_manager"


def test_a_branch_with_a_dealer_pages_through_both_units_without_repeats(api, returns):
    whole = register_models(api, "branch_engineer_b")
    seen, after = [], None
    while True:
        query = {"per_page": 2, **({"after": after} if after else {})}
        page = api.as_("branch_engineer_b").get("/return-authorizations", query_string=query).get_json()
        seen += [item["model"] for item in page["items"]]
        after = page["next_after"]
        if after is None:
            break
    assert len(seen) == len(set(seen)) and set(seen) == whole
    assert {returns["southwest"].model, returns["dealer"].model} <= whole


@pytest.fixture(scope="module")
def west_desk(app):
    """A customer desk of 西南分公司: reads the registers of its unit (and its dealer's)."""
    with app.app_context():
        if db.session.scalar(select(User).where(User.username == "desk_southwest")) is None:
            accounts.create_user("desk_southwest", "demo", ["customer_dept"], unit="southwest")
            db.session.commit()
    return "desk_southwest"


QUALITY = {"customer_name": "华东精密机械有限公司", "contact_person": "陈经理", "contact_phone": "021-5555 0188",
           "product": "XR-200 外壳", "batch_number": "B2611-07", "description": "外壳注塑件批量缩痕",
           "received_at": "2026-11-23T09:00:00+08:00"}
VISIT_PLAN = {"contact_person": "李经理", "contact_phone": "13800138000", "visit_class": "distant",
              "start_date": "2027-04-01"}


def _quality(api, username: str, unit: str | None = None) -> tuple[str, str]:
    """A quality complaint taken in by `username` (for `unit`): its product mark and number."""
    mark = "ou" + uuid.uuid4().hex[:10]
    body = {"data": {**QUALITY, "product": mark}, **({"unit": unit} if unit else {})}
    response = api.as_(username).post("/quality-complaints", json=body)
    assert response.status_code == 201, response.get_json()
    return mark, response.get_json()["business_key"]


def test_a_branch_does_not_see_another_branchs_quality_complaint_anywhere(api, pages, east_desk, west_desk):
    east_mark, east = _quality(api, east_desk)  # the east desk's own unit
    west_mark, west = _quality(api, "customer_dept", unit="southwest")  # the department for a branch
    refused = api.as_(east_desk).post("/quality-complaints", json={"data": QUALITY, "unit": "southwest"})
    assert refused.status_code == 422 and "unit" in refused.get_json()["error"]["fields"]

    def register(username, **query) -> dict:
        found = api.as_(username).get("/quality-complaints", query_string={"per_page": 500, **query})
        assert found.status_code == 200, found.get_json()
        return {item["number"]: item for item in found.get_json()["items"]}

    assert east in register(east_desk) and west not in register(east_desk)
    assert register(east_desk)[east]["unit"] == "east" and register(west_desk)[west]["unit"] == "southwest"
    assert register(east_desk, q=west_mark) == {} and set(register(east_desk, q=east_mark)) == {east}
    assert west in register(west_desk) and east not in register(west_desk)
    record = api.as_(east_desk).get(f"/quality-complaints/{west}")
    assert record.status_code == 404 and record.get_json()["error"]["code"] == "not_found"
    west_case = api.as_("admin").get(f"/quality-complaints/{west}").get_json()["instance_id"]
    for path in (f"/instances/{west_case}", f"/instances/{west_case}/diagram", f"/instances/{west_case}/comments"):
        assert api.as_(east_desk).get(path).status_code == 404, path
    # its task: not in the inbox of the other branch's quality assurance or desk, nor to be read
    tasks = api.as_("admin").get(f"/instances/{west_case}").get_json()["open_tasks"]
    assert tasks
    for username in (east_desk,):
        listed = api.as_(username).get("/tasks", query_string={"per_page": 500}).get_json()["items"]
        assert west_case not in {t["instance_id"] for t in listed}
        assert api.as_(username).get(f"/tasks/{tasks[0]['id']}").status_code == 404
    # the pages
    page = pages(east_desk)
    listed = page.get("/quality-complaints").get_data(as_text=True)
    assert east in listed and west not in listed
    assert page.get(f"/quality-complaints/{west}").status_code == 404
    assert page.get(f"/quality-complaints/{east}").status_code == 200
    assert 'name="unit"' not in page.get("/quality-complaints/new").get_data(as_text=True)
    assert "西南分公司" in pages("customer_dept").get("/quality-complaints/new").get_data(as_text=True)
    # the department and the group supervisor read both
    for username in ("customer_dept", "group_supervisor", "quality_assurance"):
        assert {east, west} <= set(register(username)), username
        assert api.as_(username).get(f"/quality-complaints/{west}").status_code == 200, username


def test_a_branch_does_not_see_another_branchs_visit_plan_or_visit_anywhere(app, api, pages, east_desk, west_desk):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from procedures import fire_timers, moved_clock
    shanghai = ZoneInfo("Asia/Shanghai")
    made = {}
    with moved_clock(api, datetime(2027, 3, 20, 10, 0, tzinfo=shanghai)):
        for key, username, unit in (("east", east_desk, None), ("southwest", "customer_dept", "southwest")):
            customer = "ou" + uuid.uuid4().hex[:10]
            body = {**VISIT_PLAN, "customer_name": customer, **({"unit": unit} if unit else {})}
            response = api.as_(username).post("/visit-plans", json=body)
            assert response.status_code == 201, response.get_json()
            made[key] = response.get_json()
        refused = api.as_(east_desk).post("/visit-plans", json={**VISIT_PLAN, "customer_name": "x", "unit": "southwest"})
        assert refused.status_code == 422 and "unit" in refused.get_json()["error"]["fields"]
        # the person responsible sees the plan's unit
        wrong = api.as_("customer_dept").post("/visit-plans", json={**VISIT_PLAN, "customer_name": "x", "unit": "east",
                                                                   "responsible_person": west_desk})
        assert wrong.status_code == 422 and "responsible_person" in wrong.get_json()["error"]["fields"]
    east, west = made["east"], made["southwest"]
    try:
        assert (east["unit"], west["unit"]) == ("east", "southwest")
        fire_timers(app, api, datetime(2027, 4, 1, 8, 0, 30, tzinfo=shanghai))  # the first quarter's visits open
        desk = api.as_(east_desk)

        def ids(username, path) -> set[int]:
            found = api.as_(username).get(path, query_string={"per_page": 500})
            assert found.status_code == 200, found.get_json()
            return {item["plan_id"] if "plan_id" in item else item["id"] for item in found.get_json()["items"]}

        assert east["id"] in ids(east_desk, "/visit-plans") and west["id"] not in ids(east_desk, "/visit-plans")
        assert east["id"] in ids(east_desk, "/customer-visits") and west["id"] not in ids(east_desk, "/customer-visits")
        assert west["id"] in ids(west_desk, "/customer-visits") and east["id"] not in ids(west_desk, "/customer-visits")
        [west_visit] = api.as_(west_desk).get(f"/visit-plans/{west['id']}").get_json()["visits"]
        assert west_visit["status"] == "open"
        for method, path in (("GET", f"/visit-plans/{west['id']}"), ("GET", f"/instances/{west['instance_id']}"),
                             ("POST", f"/visit-plans/{west['id']}/end")):
            response = desk.request(method, path, json={"reason": "不是我的"} if method == "POST" else None)
            assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found", path
        assert api.as_(west_desk).get(f"/visit-plans/{west['id']}").get_json()["status"] == "active"
        # the visit task is in the inbox of the plan's unit only
        [task] = api.as_("admin").get(f"/instances/{west['instance_id']}").get_json()["open_tasks"]
        listed = {t["id"] for t in desk.get("/tasks", query_string={"per_page": 500}).get_json()["items"]}
        assert task["id"] not in listed and desk.get(f"/tasks/{task['id']}").status_code == 404
        theirs = {t["id"] for t in api.as_(west_desk).get("/tasks", query_string={"per_page": 500}).get_json()["items"]}
        assert task["id"] in theirs
        # the pages
        page = pages(east_desk)
        assert page.get(f"/visit-plans/{west['id']}").status_code == 404
        assert page.get(f"/visit-plans/{east['id']}").status_code == 200
        assert f'data-plan-id="{west["id"]}"' not in page.get("/visit-plans").get_data(as_text=True)
        assert f'data-plan-id="{east["id"]}"' in page.get("/visit-plans").get_data(as_text=True)
        assert west["customer_name"] not in page.get("/visits").get_data(as_text=True)
        assert east["customer_name"] in page.get("/visits").get_data(as_text=True)
        # the department and the group supervisor see both
        for username in ("customer_dept", "group_supervisor"):
            assert {east["id"], west["id"]} <= ids(username, "/visit-plans"), username
            assert {east["id"], west["id"]} <= ids(username, "/customer-visits"), username
    finally:
        for plan in (east, west):
            api.as_("admin").post(f"/visit-plans/{plan['id']}/end", json={"reason": "test over"})


KPI_MONTH = "2018-03"  # a month no other test writes in


@pytest.fixture
def kpi_month(app, api, east_desk):
    """Two complaints received in KPI_MONTH for 华东分公司, one for 西南分公司 and one for its dealer;
    a delivery entered by 华东's desk (its unit's) and two by the department's (the group's)."""
    made = _MADE.setdefault(app.config["SQLALCHEMY_DATABASE_URI"] + "#kpis", {})
    if not made:
        for unit in ("east", "east", "southwest", "chengdu_dealer"):
            response = api.as_("customer_dept").post("/processes/complaint/instances", json={
                "data": {**INTAKE, "received_at": f"{KPI_MONTH}-10T09:00:00+08:00"}, "unit": unit})
            assert response.status_code == 201, response.get_json()
        for username in (east_desk, "customer_dept", "customer_dept"):
            order = "ou" + uuid.uuid4().hex[:10]
            response = api.as_(username).post("/deliveries", json={"repair_order": order,
                                                                  "delivered_at": f"{KPI_MONTH}-12T10:00:00+08:00"})
            assert response.status_code == 201, response.get_json()
        made["done"] = True
    return KPI_MONTH


def _complaint_rate(api, username: str, **query) -> tuple:
    response = api.as_(username).get("/kpis", query_string={"month": KPI_MONTH, **query})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    [rate] = [k for k in body["items"] if k["key"] == "complaint_rate"]
    return body["unit"], rate["numerator"], rate["denominator"]


def test_a_branch_manager_reads_the_kpis_of_the_branch_and_the_group_chooses_a_unit(api, pages, kpi_month):
    # the branch's manager: the branch's complaints and deliveries only, and no other unit to ask for
    assert _complaint_rate(api, "branch_manager") == ("east", 2, 1)
    refused = api.as_("branch_manager").get("/kpis", query_string={"month": KPI_MONTH, "unit": "southwest"})
    assert refused.status_code == 422 and "unit" in refused.get_json()["error"]["fields"]
    # 西南分公司's manager: the branch and its dealer (no deliveries entered there)
    assert _complaint_rate(api, "branch_manager_b") == ("southwest", 2, None)
    assert _complaint_rate(api, "branch_manager_b", unit="chengdu_dealer") == ("chengdu_dealer", 1, None)
    # the group: every unit, or the one it chooses (with the units below it)
    assert _complaint_rate(api, "group_supervisor") == (None, 4, 3)
    assert _complaint_rate(api, "group_supervisor", unit="east") == ("east", 2, 1)
    assert _complaint_rate(api, "customer_dept", unit="southwest") == ("southwest", 2, None)
    assert _complaint_rate(api, "customer_dept", unit="group") == ("group", 4, 3)
    unknown = api.as_("group_supervisor").get("/kpis", query_string={"month": KPI_MONTH, "unit": "nowhere"})
    assert unknown.status_code == 422 and "unit" in unknown.get_json()["error"]["fields"]
    # per department, within the unit
    grouped = api.as_("branch_manager").get("/kpis", query_string={"month": KPI_MONTH, "by": "department"}).get_json()
    assert all(k["numerator"] <= 2 for group in grouped["groups"] for k in group["items"]
               if k["key"] == "complaint_rate")
    # the page: the branch's name, no choice; the group's choice of units
    page = pages("branch_manager").get(f"/kpis?month={KPI_MONTH}").get_data(as_text=True)
    assert 'data-unit="east"' in page and "华东分公司" in page and 'name="unit"' not in page
    group = pages("group_supervisor").get(f"/kpis?month={KPI_MONTH}&unit=southwest").get_data(as_text=True)
    assert 'name="unit"' in group and '<option value="southwest" selected>' in group and 'data-unit="southwest"' in group
    assert pages("branch_engineer").get(f"/kpis?month={KPI_MONTH}").status_code == 403


def test_the_monthly_report_of_a_unit(app, api, pages, kpi_month):
    from app.services import monthly_reports

    def received(username, unit=None) -> tuple:
        with app.app_context():
            reader = db.session.scalar(select(User).where(User.username == username))
            report = monthly_reports.live(reader, KPI_MONTH, unit)
            return report["unit"], report["complaints"]["received"], len(report["complaint_list"])

    # the branch's manager reads the branch's report; the group the whole, or a unit's
    assert received("branch_manager") == ("east", 2, 2)
    assert received("branch_manager_b") == ("southwest", 2, 2)  # with its dealer's
    assert received("group_supervisor") == (None, 4, 4)
    assert received("general_manager", "chengdu_dealer") == ("chengdu_dealer", 1, 1)
    # the API: live figures of the unit, never the group's signed files
    for username, query in (("branch_manager", {}), ("group_supervisor", {"unit": "east"})):
        response = api.as_(username).get(f"/reports/monthly/{KPI_MONTH}", query_string={"format": "xlsx", **query})
        assert response.status_code == 200 and response.headers.get("X-Report-SHA256") is None, username
    refused = api.as_("branch_manager").get(f"/reports/monthly/{KPI_MONTH}", query_string={"unit": "southwest"})
    assert refused.status_code == 422 and "unit" in refused.get_json()["error"]["fields"]
    # the pages
    page = pages("branch_manager").get(f"/reports/monthly?month={KPI_MONTH}").get_data(as_text=True)
    assert 'data-unit="east"' in page and "华东分公司" in page and "unit=east" in page
    group = pages("group_supervisor").get(f"/reports/monthly?month={KPI_MONTH}&unit=southwest").get_data(as_text=True)
    assert '<option value="southwest" selected>' in group and 'data-unit="southwest"' in group
    assert 'data-unit=' not in pages("group_supervisor").get(f"/reports/monthly?month={KPI_MONTH}").get_data(as_text=True)
    assert pages("branch_engineer").get(f"/reports/monthly?month={KPI_MONTH}").status_code == 403
