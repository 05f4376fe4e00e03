"""Fixtures: one app per database (SQLite and PostgreSQL), migrated by Alembic, with the
procedures of processes/ deployed and the demo users created; an API client that signs
in as a demo user. Every test that takes `app` runs once on each database."""
import os
import re
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.models import ProcessInstance

ROOT = Path(__file__).resolve().parent.parent
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
# One database per run and worker: two suites running on one machine must not drop each other's.
RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID", uuid.uuid4().hex)[:8]


# Under pytest -n (scripts/test), the tests sharing a costly module fixture run on one worker, so
# the fixture is built once and not on each worker: module -> what in a test's id names the
# fixture it uses. (xdist's own loadgroup cannot say it: it renames node ids, which pytest 9 ignores.)
SHARED_FIXTURES = {
    "tests/test_seed_history.py": r"\[(sqlite|postgresql)\]$",  # the seeded year, a minute per database
    "tests/test_openapi_schemathesis.py": r"-(sqlite|postgresql)-",  # the fuzzed app of each database
    "tests/test_several_hosts.py": r"",  # the cluster of two hosts and two runners
}


def pytest_xdist_make_scheduler(config, log):
    """xdist's `load` distribution, but each SHARED_FIXTURES group goes to one worker as a unit."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixtureScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path, _, name = nodeid.partition("::")
            found = re.search(SHARED_FIXTURES[path], name) if path in SHARED_FIXTURES else None
            return f"{path}::{found.group(0)}" if found else nodeid  # any other test: a unit of its own

    return SharedFixtureScheduling(config, log)


def _postgres_url(tmp_name: str) -> str:
    base = os.environ.get("TEST_POSTGRES_URL")
    if not base:
        pytest.fail("TEST_POSTGRES_URL is not set: run the suite with scripts/test, which starts PostgreSQL")
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{tmp_name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{tmp_name}"'))
    admin.dispose()
    return sa.engine.make_url(base).set(database=tmp_name).render_as_string(hide_password=False)


def _database_name(suffix: str = "") -> str:
    return f"aftersales_test_{RUN}_{WORKER}{suffix}"


def _drop_postgres(name: str) -> None:
    admin = sa.create_engine(os.environ["TEST_POSTGRES_URL"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def make_app(database: str, tmp_path_factory, suffix: str = "") -> "Flask":  # noqa: F821
    """A migrated app with the procedures and demo users; `suffix` names a database of its own."""
    if database == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    else:
        url = _postgres_url(_database_name(suffix))
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-" + uuid.uuid4().hex,
                      "SCRIPT_TIME_LIMIT": 1.0,
                      # a timer pass on a moved clock would start last month's report in every test
                      # that fires timers: tests/test_monthly_report_procedure.py turns it on
                      "MONTHLY_REPORT_AUTOSTART": False,
                      "CALLBACK_WEEK_REPORT_AUTOSEND": False})
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        runner = app.test_cli_runner()
        for command in (["deploy"], ["seed-demo"]):
            result = runner.invoke(args=command)
            assert result.exit_code == 0, result.output
    return app


def dispose_app(application, database: str, suffix: str = "") -> None:
    with application.app_context():
        db.engine.dispose()
    if database == "postgresql":
        _drop_postgres(_database_name(suffix))


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    application = make_app(request.param, tmp_path_factory)
    yield application
    dispose_app(application, request.param)


# The apps whose database the tests of a worker share: the suite's, and the browser tests' one.
SHARED_APPS = ("app", "live_app")


@pytest.fixture(autouse=True)
def timers_of_this_test_only(request):
    """A test's cases keep their timers while it runs, and lose them when it ends (their rows
    are otherwise kept): a later test's timer pass on a clock moved years on then fires its own
    cases, not a worker's hundreds of earlier ones — such a pass took minutes, and since a moved
    clock goes on ticking, it let that test's own timers fire a minute early."""
    apps = [request.getfixturevalue(name) for name in SHARED_APPS if name in request.fixturenames]
    marks = []
    for application in apps:
        with application.app_context():
            marks.append(db.session.scalar(sa.select(sa.func.max(ProcessInstance.id))) or 0)
    yield
    for application, last_before in zip(apps, marks):
        with application.app_context():
            db.session.execute(sa.update(ProcessInstance)
                               .where(ProcessInstance.id > last_before, ProcessInstance.next_timer_at.is_not(None))
                               .values(next_timer_at=None))
            db.session.commit()


@pytest.fixture(scope="module")
def own_app(tmp_path_factory):
    """own_app(database) -> an app with a database of its own, dropped after the module: for
    requests whose changes must not reach the other tests (fuzzing)."""
    made = {}

    def make(database: str):
        if database not in made:
            made[database] = make_app(database, tmp_path_factory, suffix="_own")
        return made[database]

    yield make
    for database, application in made.items():
        dispose_app(application, database, suffix="_own")


@pytest.fixture
def empty_database_url(app, tmp_path):
    """The URL of a new, empty database of the app's kind beside the test one, dropped afterwards."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    name = f"aftersales_empty_{RUN}_{WORKER}"
    yield _postgres_url(name)
    _drop_postgres(name)


@pytest.fixture
def client(app):
    return app.test_client()


class Api:
    """The JSON API as a demo user sees it: `api.as_("service_manager").get(...)`."""

    def __init__(self, client):
        self.client = client
        self.tokens = {}
        self.user = None

    def token(self, username: str) -> str:
        if username not in self.tokens:
            response = self.client.post("/api/v1/auth/token", json={"username": username, "password": "demo"})
            assert response.status_code == 200, response.get_json()
            self.tokens[username] = response.get_json()["token"]
        return self.tokens[username]

    def as_(self, username: str) -> "Api":
        other = Api(self.client)
        other.tokens, other.user = self.tokens, username
        return other

    def request(self, method: str, path: str, json=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if self.user:
            headers["Authorization"] = f"Bearer {self.token(self.user)}"
        return self.client.open(f"/api/v1{path}", method=method, json=json, headers=headers, **kwargs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.request("POST", path, json=json if json is not None else {}, **kw)


@pytest.fixture
def api(client):
    return Api(client)


class Pages:
    """The pages as a signed-in person sees them through the test client (with CSRF)."""

    def __init__(self, app, username: str):
        import re
        self.client = app.test_client()
        self._token = re.compile(r'name="csrf_token" value="([^"]+)"')
        response = self.post("/login", {"username": username, "password": "demo"}, from_page="/login")
        assert response.status_code == 302, response.get_data(as_text=True)

    def get(self, path, **kw):
        return self.client.get(path, **kw)

    def post(self, path, data: dict, from_page: str | None = None):
        page = self.client.get(from_page or path).get_data(as_text=True)
        token = self._token.search(page).group(1)
        return self.client.post(path, data={**data, "csrf_token": token})


@pytest.fixture
def pages(app):
    return lambda username: Pages(app, username)
