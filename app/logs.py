"""Logging: JSON lines on stderr in production, plain text in development. Every record
carries what is known where it was written — the request id, the user, the instance and the
task — from context variables the request wrapper and the services set."""
import json
import logging
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import datetime, timezone

from flask import Flask, g, has_app_context, request

FIELDS = ("request_id", "user", "instance_id", "task_id")
_context: dict[str, ContextVar] = {name: ContextVar(name, default=None) for name in FIELDS}
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,100}")


def bind(**values) -> None:
    """Note what the current request or runner pass is working on (instance_id=…, task_id=…)."""
    for name, value in values.items():
        _context[name].set(value)


def clear() -> None:
    for var in _context.values():
        var.set(None)


def _current_user():
    # Read from g without loading anything: a log line must never query the database.
    user = g.get("user") if has_app_context() else None
    if user is None:
        return None
    from sqlalchemy import inspect
    from sqlalchemy.exc import NoInspectionAvailable
    try:
        state = inspect(user)
    except NoInspectionAvailable:
        return None
    return state.dict.get("username") or (state.identity[0] if state.identity else None)


def _record_factory(base):
    def make(*args, **kwargs):
        record = base(*args, **kwargs)
        # One attribute of our own: libraries pass `extra={"task_id": …}`, which may not be overwritten.
        known = {name: var.get() for name, var in _context.items()}
        if known["user"] is None:
            known["user"] = _current_user()
        record.log_context = {name: value for name, value in known.items() if value is not None}
        return record
    make.adds_context = True
    return make


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"timestamp": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        line.update(getattr(record, "log_context", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        known = " ".join(f"{name}={value}" for name, value in getattr(record, "log_context", {}).items())
        return super().format(record) + (f" [{known}]" if known else "")


def _configure(log_format: str) -> None:
    if not getattr(logging.getLogRecordFactory(), "adds_context", False):
        logging.setLogRecordFactory(_record_factory(logging.getLogRecordFactory()))
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "ours", False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.ours = True
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root.addHandler(handler)
    if root.level in (logging.WARNING, logging.NOTSET):
        root.setLevel(logging.INFO)
        logging.getLogger("alembic").setLevel(logging.WARNING)  # its plugin chatter at every start


def init_app(app: Flask) -> None:
    log_format = app.config.get("LOG_FORMAT") or ("text" if app.debug or app.testing else "json")
    _configure(log_format)
    from flask.logging import default_handler
    app.logger.removeHandler(default_handler)  # the root handler writes every logger's lines

    @app.before_request
    def request_id():
        clear()
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if _SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        bind(request_id=g.request_id)

    @app.after_request
    def answer_request_id(response):
        if g.get("request_id"):
            response.headers["X-Request-Id"] = g.request_id
        return response

    @app.teardown_request
    def forget(_exc):
        clear()
