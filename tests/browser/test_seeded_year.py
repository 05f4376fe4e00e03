"""The KPI page of a seeded year (`flask seed-demo --history`) in a real browser: each chart
draws a figure in each of the 12 seeded months. A server of its own on a fresh SQLite file: the
shared live server's database holds other tests' cases in those months, over which the command
rightly refuses to seed."""
import threading
import uuid
from datetime import datetime

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from app import create_app
from app.clock import service_zone

MONTHS = 12


@pytest.fixture(scope="module")
def seeded_server(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('seeded') / 'seeded.sqlite'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-" + uuid.uuid4().hex})
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
    runner = app.test_cli_runner()
    for command in (["deploy"], ["seed-demo", "--history", "--months", str(MONTHS), "--per-month", "2",
                                 "--seed", "11"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="seeded-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    from app.extensions import db
    with app.app_context():
        db.engine.dispose()


def test_the_kpi_page_draws_twelve_months_of_a_seeded_year(browser, seeded_server, login, errors_of):
    context = browser.new_context(base_url=seeded_server, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        errors = errors_of(page)
        login(page, "general_manager")
        month = datetime.now(service_zone()).strftime("%Y-%m")
        page.goto(f"/kpis?month={month}")
        for key in ("timeliness", "satisfaction", "complaint_rate", "on_time_delivery"):
            chart = page.locator(f'#kpi-charts .kpi-chart[data-kpi="{key}"]')
            expect(chart.locator("canvas").first).to_be_visible()
            drawn = page.evaluate(f"window.kpiCharts.{key}.getOption()")
            months, values = drawn["xAxis"][0]["data"], drawn["series"][0]["data"]
            assert len(months) == MONTHS + 1 and months[-1] == month
            empty = [m for m, v in zip(months[:MONTHS], values[:MONTHS]) if v is None or v == "-"]
            assert not empty, f"{key}: nothing drawn for {empty}"
        assert errors == []
    finally:
        context.close()
