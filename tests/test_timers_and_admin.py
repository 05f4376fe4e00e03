"""Due times, overdue tasks, the timer runner, and cancelling an instance."""
from datetime import datetime, timedelta, timezone

from procedures import Case, moved_clock


def test_a_department_task_shows_its_deadline_and_turns_overdue(api):
    case = Case(api)
    case.classify(category="parts", severity="general", deadline_days=3)
    task = case.open_task("handle_parts")
    due = datetime.fromisoformat(task["due_at"])
    assert due.utcoffset() == timedelta(hours=8)
    assert due > datetime.now(timezone.utc) + timedelta(days=2) and task["overdue"] is False
    parts = api.as_("parts_manager")
    assert task["id"] not in [t["id"] for t in parts.get("/tasks", query_string={"overdue": "true"}).get_json()["items"]]
    with moved_clock(api, datetime.now(timezone.utc) + timedelta(days=30)):
        late = parts.get("/tasks", query_string={"overdue": "true"}).get_json()["items"]
        assert task["id"] in [t["id"] for t in late] and all(t["overdue"] for t in late)


def test_the_timer_runner_starts_the_return_repair_callback_when_it_is_due(api, app):
    case = Case(api)
    case.satisfied_with_return_repair()
    released = datetime.now(timezone.utc) - timedelta(days=3) + timedelta(minutes=5)  # three days over in 5 min
    after = case.complete("workshop_supervisor", "record_vehicle_release", {"released_at": released.isoformat()})
    assert after["status"] == "waiting"
    runner = app.test_cli_runner()
    runner.invoke(args=["timers"])
    assert case.instance()["status"] == "waiting"  # not due yet: nothing fires early
    with moved_clock(api, datetime.now(timezone.utc) + timedelta(minutes=5, seconds=1)):
        result = runner.invoke(args=["timers"])
        assert result.exit_code == 0, result.output
        first = case.return_callback()
        assert case.instance()["status"] == "waiting" and first is not None  # for its result before the signature
        runner.invoke(args=["timers"])  # a second run fires nothing twice
        assert case.return_callback() == first and first is not None


def test_an_admin_cancels_an_instance_with_a_reason_and_its_tasks_leave_the_inbox(api):
    case = Case(api)
    task = case.open_task("classify_complaint")
    assert api.as_("service_manager").post(f"/instances/{case.id}/cancel", json={"reason": "x"}).status_code == 403
    assert api.as_("admin").post(f"/instances/{case.id}/cancel", json={}).status_code == 422
    response = api.as_("admin").post(f"/instances/{case.id}/cancel", json={"reason": "重复登记"})
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert case.instance()["open_tasks"] == [] and case.instance()["cancel_reason"] == "重复登记"
    listed = api.as_("service_manager").get("/tasks").get_json()["items"]
    assert task["id"] not in [t["id"] for t in listed]
    assert api.as_("admin").post(f"/instances/{case.id}/cancel", json={"reason": "again"}).status_code == 409


def test_timers_follow_the_service_clock(api, app):
    case = Case(api)
    case.satisfied_with_return_repair()
    case.complete("workshop_supervisor", "record_vehicle_release", {"released_at": "2030-06-03T18:00:00+08:00"})
    runner = app.test_cli_runner()
    shanghai = timezone(timedelta(hours=8))
    with moved_clock(api, datetime(2030, 6, 6, 17, 59, tzinfo=shanghai)) as moved:
        runner.invoke(args=["timers"])
        assert case.instance()["status"] == "waiting"
        assert case.return_callback() is None
        moved.to(datetime(2030, 6, 6, 18, 1, tzinfo=shanghai))
        runner.invoke(args=["timers"])
        assert case.return_callback()["picked_up_at"].startswith("2030-06-03T18:00")
