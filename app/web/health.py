"""GET /healthz: public, no sign-in; 200 when the database answers and the timer runner
passed recently, 503 naming the part that failed. Never any internals in the answer."""
from flask import Flask

from ..services import health


def healthz():
    healthy, report = health.check()
    return report, 200 if healthy else 503, {"Cache-Control": "no-store"}


def init_app(app: Flask) -> None:
    app.add_url_rule("/healthz", endpoint="healthz", view_func=healthz, methods=["GET"])
