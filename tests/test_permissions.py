"""Who may do what (app/permissions.py), walked over the whole application: every route of
the API and the pages, requested once by every demo role and by nobody signed in. What the
table allows must get past the door (404, 409 or 422 are fine: the object or the body is
what is wrong then); what it refuses must be refused (401 / the sign-in page for nobody,
403 for the others). A new route the table does not name fails here, naming it."""
import re

import pytest
from sqlalchemy import select
from werkzeug.routing import Rule

from app import permissions
from app.errors import Forbidden
from app.extensions import db
from app.models import User
from app.services import accounts
from app.roles import ROLES
from return_authorization import REQUEST, ReturnCase

USERS = ["anonymous", *ROLES, "demo_all"]

# A value for every path parameter of the routes: real cases where the object matters,
# unknown ids where it does not (the role passing the door then meets a 404).
SAMPLES = {"task_id": "no-such-task", "key": "no_such_procedure", "number": "NO-SUCH-NUMBER",
           "callback_id": 999999999, "draft_id": 999999999, "year": 2026, "day": "2099-01-01",
           "month": "2026-01", "fmt": "html", "code": "en", "filename": "app.css",
           "action": "retry", "attachment_id": 999999999,
           "filter_id": 999999999, "name": "no_such.dmn", "form_key": "complaint.no_such_form",
           "penalty_id": 999999999, "username": "no_such_user", "plan_id": 999999999, "loaner_id": 999999999}

# Object rules the matrix meets: the return case of the matrix (started by branch_engineer of
# 华东分公司, its review waiting unclaimed in branch_manager's inbox) is read by admins, the readers
# of the return register of the group and of its unit, and those who worked on it; not by the clerks.
RETURN_CASE_READERS = {"admin", "department_head", "logistics_clerk", "repair_technician", "general_manager",
                       "branch_engineer", "branch_manager", "demo_all", "group_supervisor",
                       "field_service_supervisor", "provincial_manager"}
# For the people of another organisation unit (the dealer's agent) the case is not there: 404.
OTHER_UNIT = {"dealer_agent"}
CASE_ENDPOINTS = ("api.get_instance", "api.instance_diagram", "api.list_comments", "api.add_comment",
                  "api.list_attachments", "api.add_attachment", "api.get_attachment", "records.instance",
                  "records.instance_diagram", "records.comment", "records.attach", "records.attachment")
OBJECT_RULES = {endpoint: RETURN_CASE_READERS for endpoint in CASE_ENDPOINTS}


def _method(rule: Rule) -> str:
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
    return "GET" if "GET" in methods else methods[0]


def _path(rule: Rule, instance_id: int) -> str:
    values = {**SAMPLES, "instance_id": instance_id}
    missing = [name for name in rule.arguments if name not in values]
    assert not missing, f"{rule.endpoint}: give tests/test_permissions.py SAMPLES a value for {missing}"
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(r"<(?:[^:<>]+:)?" + name + ">", str(values[name]), path)
    return path


def _allowed(endpoint: str, username: str) -> bool:
    if permissions.is_public(endpoint):
        return True
    if username == "anonymous" or endpoint not in permissions.ENDPOINTS:
        return False
    if endpoint in OBJECT_RULES:
        return username in OBJECT_RULES[endpoint]
    roles = set(ROLES) if username == "demo_all" else {username}
    return bool(roles & set(permissions.ACTIONS[permissions.ENDPOINTS[endpoint]].roles))


class Visitor:
    """One person (or nobody) with a signed-in page session and, for the API, a token."""
    TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')

    def __init__(self, app, username: str):
        self.client, self.headers = app.test_client(), {}
        if username != "anonymous":
            # Signed in as the sign-in page and POST /auth/token would (tests/test_api_refusals.py
            # covers those), without paying a password hash per visitor.
            with app.app_context():
                user = db.session.scalar(select(User).where(User.username == username))
                token, _ = accounts.issue_token(user)
                user_id = user.id
                db.session.commit()
            with self.client.session_transaction() as session:
                session["user_id"] = user_id
            self.headers = {"Authorization": f"Bearer {token}"}
        page = self.client.get("/login").get_data(as_text=True)
        self.csrf = self.TOKEN.search(page).group(1)  # the session's token: every form post carries it

    def request(self, method: str, path: str, json=None):
        if path.startswith("/api/"):
            return self.client.open(path, method=method, json=json or ({} if method != "GET" else None),
                                    headers=self.headers)
        data = {"csrf_token": self.csrf} if method != "GET" else None
        return self.client.open(path, method=method, data=data)


@pytest.fixture(scope="module")
def world(app):
    """A return case for the whole module (the object the instance routes meet), and every
    visitor signed in once."""
    visitors = {username: Visitor(app, username) for username in USERS}
    started = visitors["branch_engineer"].request("POST", "/api/v1/processes/return_authorization/instances",
                                                  json={"data": REQUEST})
    assert started.status_code == 201, started.get_json()
    passed = app.test_cli_runner().invoke(args=["timers"])  # a runner's pass: /healthz answers 200, not 503
    assert passed.exit_code == 0, passed.output
    return started.get_json()["id"], visitors


def test_every_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(permissions.ENDPOINTS) - permissions.PUBLIC)
    assert not missing, f"add these endpoints to app/permissions.py ENDPOINTS (or PUBLIC): {missing}"
    stale = sorted(set(permissions.ENDPOINTS) - endpoints)
    assert not stale, f"app/permissions.py names endpoints that no longer exist: {stale}"
    unknown_actions = sorted(set(permissions.ENDPOINTS.values()) - set(permissions.ACTIONS))
    assert not unknown_actions, f"endpoints mapped to actions the table lacks: {unknown_actions}"
    unused = sorted(set(permissions.ACTIONS) - set(permissions.ENDPOINTS.values()))
    assert not unused, f"actions no endpoint checks: {unused}"
    for name, action in permissions.ACTIONS.items():
        assert set(action.roles) <= set(ROLES) and set(action.every) <= set(action.roles), name
        assert set(action.rules) <= set(permissions.RULES), name


def test_an_endpoint_missing_from_the_table_is_refused(app):
    with app.test_request_context("/api/v1/something-new"):
        everyone = db.session.scalar(select(User).where(User.username == "demo_all"))
        with pytest.raises(Forbidden) as refused:
            permissions.check_endpoint(everyone, "api.something_new")
        assert "api.something_new" in refused.value.message
        permissions.check_endpoint(everyone, "api.list_tasks")  # the table's own pass


def test_every_route_for_every_role(app, world):
    case_id, visitors = world
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "auth.logout", r.endpoint))
    wrong = []
    for username, visitor in visitors.items():
        # a runner's pass per visitor: the whole matrix outlasts TIMERS_MAX_AGE_SECONDS on a busy
        # machine, and /healthz would then rightly answer 503 (timers stale) to the last visitors
        assert app.test_cli_runner().invoke(args=["timers"]).exit_code == 0
        for rule in rules:  # signing out comes last: the visitor's session ends there
            method, path = _method(rule), _path(rule, case_id)
            response = visitor.request(method, path)
            status, allowed = response.status_code, _allowed(rule.endpoint, username)
            api = path.startswith("/api/")
            to_login = status == 302 and "/login" in response.headers.get("Location", "")
            if not allowed and username == "anonymous":
                ok = status == 401 if api else to_login
            elif not allowed and username in OTHER_UNIT and rule.endpoint in OBJECT_RULES:
                ok = status == 404
            elif not allowed:
                ok = status == 403 and (not api or response.get_json()["error"]["code"] == "forbidden")
            elif permissions.is_public(rule.endpoint):
                ok = status not in (400, 401, 403) and status < 500
            else:  # 400 would be this test's fault (a form without its CSRF token, a body not JSON)
                ok = status not in (400, 401, 403) and status < 500 and not to_login
            if not ok:
                wrong.append(f"{username} {method} {path} ({rule.endpoint}): {status}, the table says "
                             f"{'allowed' if allowed else 'refused'}")
    assert not wrong, "\n".join(wrong)


def test_a_branch_engineer_reads_the_return_cases_of_his_unit_only(app, api, pages):
    """The hole of issue 8 (anyone who may start a return request read every one's case), closed by
    organisation units (issue 13): a branch reads its own unit's return cases, another branch's are
    not there for it (tests/test_org_units.py walks every list and page)."""
    runner = app.test_cli_runner()
    if not app.test_client().post("/api/v1/auth/token", json={"username": "engineer_two",
                                                              "password": "demo"}).status_code == 200:
        result = runner.invoke(args=["create-user", "engineer_two", "--role", "branch_engineer",
                                     "--unit", "east", "--password", "demo"])
        assert result.exit_code == 0, result.output
    case = ReturnCase(api)  # raised by branch_engineer of 华东分公司
    other = api.as_("branch_engineer_b")  # 西南分公司
    refused = other.get(f"/instances/{case.id}")
    assert refused.status_code == 404 and refused.get_json()["error"]["code"] == "not_found"
    assert pages("branch_engineer_b").get(f"/instances/{case.id}").status_code == 404
    assert other.get(f"/return-authorizations/{case.request_id}").status_code == 404
    # the engineers and the manager of its branch, headquarters and admins do
    for username in ("branch_engineer", "engineer_two", "branch_manager", "logistics_clerk", "admin"):
        assert api.as_(username).get(f"/instances/{case.id}").status_code == 200, username
    assert api.as_("engineer_two").get(f"/return-authorizations/{case.request_id}").status_code == 200
    assert pages("branch_engineer").get(f"/instances/{case.id}").status_code == 200
    # the complaint desk (of the group) has nothing to do with returns
    assert api.as_("customer_dept").get(f"/instances/{case.id}").status_code == 403
