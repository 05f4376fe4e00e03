"""The KPI page in a real browser: ECharts (bundled, no CDN) draws one chart per KPI inside the
page's chart container from the page's JSON block, under the page's CSP, with no console error;
the tooltip (drawn in the canvas, as the CSP allows no inline style) shows on hover."""
from playwright.sync_api import expect


def _token(page, live_server, username):
    response = page.request.post(f"{live_server}/api/v1/auth/token", data={"username": username, "password": "demo"})
    assert response.status == 200, response.text()
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_the_kpi_page_draws_its_charts_with_no_console_error(page, login, live_server, errors_of):
    entered = page.request.post(f"{live_server}/api/v1/deliveries", headers=_token(page, live_server, "customer_dept"),
                                data={"repair_order": "RO-BROWSER-1", "delivered_at": "2026-10-12T17:00:00+08:00",
                                      "promised_delivery_at": "2026-10-12T18:00:00+08:00"})
    assert entered.status in (200, 201), entered.text()
    errors = errors_of(page)
    login(page, "customer_dept")
    page.goto("/kpis?month=2026-10")
    chart = page.locator('#kpi-charts .kpi-chart[data-kpi="on_time_delivery"]')
    expect(chart.locator("canvas").first).to_be_visible()
    assert page.locator("#kpi-charts .kpi-chart canvas").count() >= 10  # one chart per KPI
    drawn = page.evaluate("window.kpiCharts.on_time_delivery.getOption()")
    assert drawn["xAxis"][0]["data"][-1] == "2026-10" and drawn["series"][0]["data"][-1] == 100
    assert drawn["series"][0]["name"] == "全部门"
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] - 30, box["y"] + box["height"] / 2)  # the tooltip of the last month
    page.evaluate("window.kpiCharts.on_time_delivery.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 12})")
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")  # drawn
    assert errors == []
