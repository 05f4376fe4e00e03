"""The timer runner fires on the second: it sleeps until the earliest waiting timer, and on
PostgreSQL a save that brings a timer earlier wakes it at once (NOTIFY when the save commits)."""
from datetime import timedelta

from app import clock
from app.extensions import db
from app.models import ProcessInstance
from app.services import deployments, timers
from app.timer_runner import Wakeup, run_pass
from test_restricted_scripts import TIMER_PROBE


def _start_probe(app, api, key: str) -> int:
    with app.app_context():
        deployments.deploy({f"{key}.bpmn": TIMER_PROBE.format(key=key, script="done = True")})
        db.session.commit()
    started = api.as_("customer_dept").post(f"/processes/{key}/instances", json={"data": {}})
    assert started.status_code == 201 and started.get_json()["status"] == "waiting", started.get_json()
    return started.get_json()["id"]


def test_the_runner_sleeps_until_the_earliest_timer_and_no_longer(app, api):
    instance_id = _start_probe(app, api, "sleep_probe")
    with app.app_context():
        due = db.session.get(ProcessInstance, instance_id).next_timer_at
        earliest = timers.earliest()
        assert earliest is not None and earliest <= due
        try:
            clock.set_now(earliest - timedelta(seconds=7))
            assert 6.5 <= timers.seconds_to_next(cap=30) <= 7.0
            assert timers.seconds_to_next(cap=3) == 3  # never longer than the cap
            clock.set_now(earliest + timedelta(seconds=1))
            assert timers.seconds_to_next(cap=30) == 0  # due: no sleep at all
        finally:
            clock.set_now(None)
            db.session.rollback()


def test_a_save_that_brings_a_timer_earlier_wakes_the_sleeping_runner(app, api):
    with app.app_context():
        wakeup = Wakeup()
        try:
            if db.engine.dialect.name != "postgresql":
                # No notices on SQLite: the runner looks again within a second, whatever it waits for.
                assert not wakeup.listens
                return
            assert wakeup.wait(0) is False  # nothing pending
            instance_id = _start_probe(app, api, "wake_probe")  # a new timer, committed by the request
            assert wakeup.wait(30) is True  # returns as soon as the notice arrives
            with_timer = db.session.get(ProcessInstance, instance_id).next_timer_at
            assert with_timer is not None
            # the listening connection lost: the runner sleeps its second and listens again
            wakeup.connection.close()
            assert wakeup.wait(0) is False and wakeup.connection is None
            assert wakeup.wait(0) is False and wakeup.connection is not None
        finally:
            wakeup.close()


def test_a_pass_fires_what_is_due_and_commits_each_instance(app, api):
    instance_id = _start_probe(app, api, "pass_probe")
    with app.app_context():
        due = db.session.get(ProcessInstance, instance_id).next_timer_at
        db.session.rollback()
        clock.set_now(due + timedelta(seconds=1))
        try:
            assert run_pass() >= 1
            db.session.expire_all()
            assert db.session.get(ProcessInstance, instance_id).status == "completed"
        finally:
            clock.set_now(None)
