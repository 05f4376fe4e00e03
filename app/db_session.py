"""Where transactions begin and end: one per request (committed when the answer is a
success, rolled back otherwise) and one per command run."""
from flask import Flask, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from .errors import Conflict
from .i18n import N_
from .extensions import db

_READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def _configure_sqlite(engine) -> None:
    # pysqlite's own transaction handling begins too late to take the write lock first;
    # writers begin IMMEDIATE so that two of them queue instead of failing mid-way.
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        reading = has_request_context() and request.method in _READ_METHODS
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def init_app(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _configure_sqlite(db.engine)

    @app.after_request
    def finish_transaction(response):
        if response.status_code >= 400 and not g.get("keep_changes"):
            db.session.rollback()
            return response
        try:
            db.session.commit()
        except (StaleDataError, DBAPIError) as err:
            db.session.rollback()
            app.logger.warning("commit refused: %s", err)
            from .web.errors import error_response
            return error_response(Conflict(N_("someone else changed this case at the same time: reload and retry")))
        return response

    @app.teardown_request
    def discard(_exc):
        db.session.rollback()
