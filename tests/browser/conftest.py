"""Browser fixtures: the app served by a real HTTP server on its own SQLite file, and Debian's
Chromium driven by Playwright. One server and one browser per test session (per xdist worker);
every test gets a fresh browser context, so cookies never carry from one test to the next.

These tests take none of tests/conftest.py's `app`/`client`/`api` fixtures (parametrized over
SQLite and PostgreSQL): the pages are the same on both databases, so they run once, on SQLite.
"""
import importlib.util
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
# Root in a container, and no network: keep Chromium from phoning home.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 10_000
PASSWORD = "demo"
SUITE_CONFTEST = Path(__file__).resolve().parent.parent / "conftest.py"


def _suite_conftest(config):
    """tests/conftest.py as pytest loaded it. `from conftest import make_app` cannot work here:
    this file is itself a module named `conftest`, so the import would find this very file."""
    module = config.pluginmanager.get_plugin(str(SUITE_CONFTEST))
    if module is None:  # loaded under another name (another import mode): load a private copy
        spec = importlib.util.spec_from_file_location("aftersales_suite_conftest", SUITE_CONFTEST)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def live_app(pytestconfig, tmp_path_factory):
    """The app the live server serves, built as the rest of the suite builds it (migrations,
    `deploy`, `seed-demo`) on a SQLite file of its own: for a test that runs the timer runner's
    pass on the service clock it moved."""
    return _suite_conftest(pytestconfig).make_app("sqlite", tmp_path_factory)


@pytest.fixture(scope="session")
def live_server(live_app):
    """The base URL of the app, served by werkzeug in a daemon thread."""
    application = live_app
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    from app.extensions import db
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """A factory of pages, each in a fresh context (own cookies): for tests that need two people
    at once. `locale` is the browser's language (its Accept-Language)."""
    contexts = []

    def make(locale: str = "zh-CN"):
        context = browser.new_context(base_url=live_server, locale=locale, timezone_id="Asia/Shanghai",
                                      viewport={"width": 1280, "height": 800})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A page in a fresh browser context whose language is zh-CN, as the staff's browsers are."""
    return new_page()


def login(page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the sign-in page; returns on the page the sign-in leads to."""
    page.goto("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/login" not in page.url, f"sign-in as {username} failed: {page.locator('main').inner_text()}"


def logout(page) -> None:
    with page.expect_navigation():
        page.locator("header form button[type=submit]").click()


@pytest.fixture(name="login")
def login_fixture():
    """`login(page, username)`: the helper above, as a fixture (a test module cannot import
    from a file named conftest.py without finding the wrong one)."""
    return login


def errors_of(page) -> list[str]:
    """Console errors and uncaught exceptions of `page` from now on (CSP refusals are console
    errors), but for the browser's own request of /favicon.ico, which the app does not serve."""
    errors = []

    def on_console(message):
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"{message.text} @ {message.location}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture(name="errors_of")
def errors_of_fixture():
    """`errors = errors_of(page)`: the helper above, as a fixture."""
    return errors_of


@pytest.fixture(name="logout")
def logout_fixture():
    return logout
