"""GET /healthz: the database answers and the timer runner passed recently, on the service clock."""
from datetime import datetime, timedelta, timezone

from app import create_app, clock
from app.extensions import db

# Long before any test's timers are due: the runner passes without firing anyone's timer.
PASS_AT = datetime(2020, 1, 6, 9, tzinfo=timezone(timedelta(hours=8)))


def test_healthz_is_ok_after_a_runner_pass_and_names_the_timers_once_they_are_stale(app, client):
    try:
        clock.set_now(PASS_AT)
        result = app.test_cli_runner().invoke(args=["timers"])
        assert result.exit_code == 0, result.output

        clock.set_now(PASS_AT + timedelta(seconds=30))
        response = client.get("/healthz")  # no sign-in
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert body["status"] == "ok" and body["database"] == "ok"
        assert 25 <= body["timers"]["age_seconds"] <= 30  # the real clock ticked during the pass
        assert abs(datetime.fromisoformat(body["timers"]["last_pass_at"]) - PASS_AT) < timedelta(seconds=5)
        assert response.headers["Cache-Control"] == "no-store"

        clock.set_now(PASS_AT + timedelta(seconds=app.config["TIMERS_MAX_AGE_SECONDS"] + 5))
        response = client.get("/healthz")
        assert response.status_code == 503
        body = response.get_json()
        assert body["failed"] == ["timers"] and body["database"] == "ok"
        assert body["timers"]["status"] == "stale" and body["timers"]["age_seconds"] > 115
    finally:
        clock.set_now(None)


def test_healthz_names_the_database_when_it_does_not_answer_and_shows_no_internals(tmp_path):
    broken = create_app({"TESTING": True, "SECRET_KEY": "t",
                         "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'missing' / 'nowhere.sqlite'}"})
    try:
        response = broken.test_client().get("/healthz")
        assert response.status_code == 503
        body = response.get_json()
        assert body["failed"] == ["database", "timers"]
        assert body["database"] == "unavailable" and body["timers"]["status"] == "unknown"
        text = response.get_data(as_text=True)
        assert "sqlite" not in text.lower() and "error" not in text.lower() and str(tmp_path) not in text
    finally:
        with broken.app_context():
            db.engine.dispose()
