"""Structured logs: a task completion's log line names the request, the user, the instance and
the task, as one JSON line; every answer carries its request id."""
import json
import logging
import re

from app.logs import JsonFormatter
from procedures import Case


def test_a_task_completion_logs_a_json_line_with_its_instance_and_task(api, caplog):
    case = Case(api)
    task_id = case.open_task("classify_complaint")["id"]
    caplog.set_level(logging.INFO, logger="app.services.inbox")
    response = api.as_("service_manager").post(f"/tasks/{task_id}/complete",
                                               json={"data": {"category": "parts", "severity": "general",
                                                              "responsible_person": "parts_manager"}},
                                               headers={"X-Request-Id": "req-42.a"})
    assert response.status_code == 200, response.get_json()
    assert response.headers["X-Request-Id"] == "req-42.a"
    [record] = [r for r in caplog.records if r.getMessage() == "task classify_complaint completed"]
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "INFO" and line["logger"] == "app.services.inbox"
    assert line["instance_id"] == case.id and line["task_id"] == task_id
    assert line["request_id"] == "req-42.a" and line["user"] == "service_manager"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["timestamp"])


def test_every_answer_has_a_request_id_and_an_odd_one_is_replaced(client):
    mine = client.get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert mine.headers["X-Request-Id"] == "abc-123"
    odd = client.get("/login", headers={"X-Request-Id": "<script>alert(1)</script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", odd.headers["X-Request-Id"])
    assert client.get("/login").headers["X-Request-Id"] != odd.headers["X-Request-Id"]
