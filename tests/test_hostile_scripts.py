"""Hostile diagram code deployed through the API cannot hurt the service: obvious bombs are
refused at deployment naming the element; bombs whose sizes come from variables run in a
resource-limited worker process, and the case they are in is held in error within seconds
while the service keeps answering and the timer runner keeps firing other cases' timers."""
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.engine.script_pool import pool_for
from procedures import fire_timers, in_handling, moved_clock
from test_instance_errors import insert_script_after, overdue_records, start, version_with_script
from versions import deploy, shipped, shipped_complaint_afterwards, upload, with_bpmn  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("shipped_complaint_afterwards")

# The bombs of the attacker's probe, each written plainly (refused at upload) ...
OBVIOUS = ["x = 10**10**8", "x = sum(range(10**12))", "x = 'x' * 10**10", "x = [0] * 10**9", "x = 1 << 10**10",
           "x = f'{1:>{10**9}}'"]
# ... and with its size in a variable, which no check of the text can see.
HIDDEN = {
    "string": "n = 10**10\nx = 'x' * n",
    "list": "n = 10**9\nx = [0] * n",
    "power": "e = 10**8\nx = 10 ** e",
    "sum": "n = 10**12\nx = sum(range(n))",
    "shift": "n = 10**10\nx = 1 << n",
    "format": "w = 10**9\nx = f'{1:>{w}}'",
    "endless": "while True:\n    pass",
    "recursion caught": "def deeper(k):\n    return deeper(k + 1)\nwhile True:\n"
                        "    try:\n        deeper(0)\n    except Exception:\n        pass",
    "memory climb": "chunks = []\nwhile True:\n    chunks.append('y' * 1000000)",
}
SLACK = 10  # seconds beyond the script time limit for a start to answer: a bound on hanging, not a benchmark


def _peak_rss(pool) -> int:
    """The last worker's peak memory: from its exit when it was killed, else from /proc while it lives."""
    if pool.last_exit is not None and pool.last_exit.pid == pool.last_pid:
        return pool.last_exit.peak_rss
    status = Path(f"/proc/{pool.last_pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1]) * 1024


@pytest.mark.parametrize("script", OBVIOUS)
def test_an_obvious_bomb_is_refused_at_upload_naming_the_element(api, script):
    files = with_bpmn(shipped(), lambda xml: insert_script_after(xml, "register_complaint", "check_step", script))
    response = upload(api, "process_owner", "/drafts", files)
    assert response.status_code == 201, response.get_json()
    draft = response.get_json()
    assert not draft["valid"]
    assert any(p["element_id"] == "check_step" for p in draft["problems"]), draft["problems"]
    refused = upload(api, "admin", "/deployments", files)
    assert refused.status_code == 422


@pytest.mark.parametrize("name", list(HIDDEN))
def test_a_hidden_bomb_holds_its_case_in_error_and_the_service_answers_on(app, api, name):
    deploy(api, version_with_script("register_complaint", HIDDEN[name]))
    began = time.monotonic()
    response = start(api, customer_name="恶意脚本")
    took = time.monotonic() - began
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "error" and body["error"]["element_id"] == "check_step", body
    assert took < app.config["SCRIPT_TIME_LIMIT"] + SLACK
    message = body["error"]["message"]
    assert "Traceback" not in message and "/" not in message.replace("1/0", "")
    pool = pool_for(app.config["SCRIPT_MEMORY_LIMIT"] * 2**20, app.config["SCRIPT_WORKERS"])
    assert _peak_rss(pool) < app.config["SCRIPT_MEMORY_LIMIT"] * 2**20
    assert api.as_("customer_dept").get("/processes").status_code == 200  # the service keeps answering
    held = api.as_("admin").get("/instances", query_string={"status": "error", "per_page": 500}).get_json()
    assert body["id"] in [item["id"] for item in held["items"]]
    api.as_("admin").post(f"/instances/{body['id']}/cancel", json={"reason": "hostile script"})


def test_the_timer_runner_fires_healthy_timers_beside_a_hostile_one(api, app):
    shanghai = timezone(timedelta(hours=8))
    with moved_clock(api, datetime(2031, 9, 1, 10, tzinfo=shanghai)) as clock:
        healthy = in_handling(api, days=3, claim=False)
        deploy(api, version_with_script("clock_parts_record", HIDDEN["recursion caught"]))
        hostile = in_handling(api, days=3, claim=False)
        clock.to(datetime(2031, 9, 20, 10, tzinfo=shanghai))
        fire_timers(app)
        assert healthy.open_names() == ["escalate_handle_parts", "handle_parts"]
        assert len(overdue_records(api, healthy)) == 1
        held = hostile.instance()
        assert held["status"] == "error" and held["error"]["element_id"] == "check_step"
        assert "longer than" in held["error"]["message"]
        for case in (healthy, hostile):
            api.as_("admin").post(f"/instances/{case.id}/cancel", json={"reason": "test over"})
