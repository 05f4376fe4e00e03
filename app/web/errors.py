"""Errors as the caller expects them: JSON under /api/, a page elsewhere; never a trace."""
from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..errors import ServiceError


def error_response(err: ServiceError):
    g.keep_changes = err.keeps_changes
    if request.path.startswith("/api/"):
        return err.to_dict(), err.status
    return render_template("error.html", error=err), err.status


def init_app(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def service_error(err):
        return error_response(err)

    @app.errorhandler(CSRFError)
    def csrf_error(err):
        return error_response(ServiceError("the form expired or was not sent from this site: reload it"))

    @app.errorhandler(HTTPException)
    def http_error(err):
        error = ServiceError(err.description or err.name)
        error.status, error.code = err.code, err.name.lower().replace(" ", "_")
        return error_response(error)

    @app.errorhandler(Exception)
    def unexpected(err):
        app.logger.exception("unexpected error")
        error = ServiceError("an unexpected error occurred; nothing was changed")
        error.status, error.code = 500, "internal_error"
        return error_response(error)
