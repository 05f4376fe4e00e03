"""Errors as the caller expects them: JSON under /api/, a page elsewhere, in the caller's
language; never a trace, SQL or path. A 500 carries a reference that finds its details in the log."""
import uuid

from flask import Flask, current_app, g, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from ..errors import ServiceError
from ..i18n import N_, gettext, translate
from ..request_guards import too_large

# What the HTTP errors Flask and Werkzeug raise say, in the catalogue's words (app/i18n.py).
HTTP_MESSAGES = {
    400: N_("The request could not be read."), 401: N_("Sign in first."), 403: N_("Not allowed"), 404: N_("Not found"),
    405: N_("This method is not allowed here."), 415: N_("This content type is not accepted here."),
    429: N_("Too many attempts: try again later."),
}


def error_response(err: ServiceError):
    g.keep_changes = err.keeps_changes
    body = err.to_dict()
    body["error"]["message"] = translate(err.message)  # the message is the msgid (app/errors.py)
    body["error"]["fields"] = reasons(err)
    if err.status >= 500:
        reference = _reference()
        current_app.logger.error("answered %s %s (reference %s): %s", err.status, err.code, reference, err.message)
        body["error"]["request_id"] = reference
        body["error"]["message"] += " (" + gettext("Reference: %(id)s") % {"id": reference} + ")"
    if request.path.startswith("/api/"):
        return make_response(body, err.status)
    return make_response(render_template("error.html", error=err, message=body["error"]["message"],
                                         fields=body["error"]["fields"]), err.status)


def reasons(err: ServiceError) -> dict:
    """The refused fields' reasons in the reader's language, one list item per reason."""
    return {name: [translate(reason) for reason in (found if isinstance(found, list) else [found])]
            for name, found in err.fields.items()}


def _reference() -> str:
    if "error_reference" not in g:
        g.error_reference = uuid.uuid4().hex[:12]
    return g.error_reference


def unexpected_error() -> ServiceError:
    error = ServiceError(N_("An unexpected error occurred; nothing was changed."))
    error.status, error.code = 500, "internal_error"
    return error


def init_app(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def service_error(err):
        return error_response(err)

    @app.errorhandler(CSRFError)
    def csrf_error(err):
        return error_response(ServiceError(N_("The form expired or was not sent from this site: reload it.")))

    @app.errorhandler(HTTPException)
    def http_error(err):
        if err.code == 413:
            return error_response(too_large())
        if err.code >= 500:
            app.logger.error("HTTP %s raised: %s", err.code, err.description)
            return error_response(unexpected_error())
        error = ServiceError(HTTP_MESSAGES.get(err.code) or N_("The request was refused (HTTP %(code)s).", code=err.code))
        error.status, error.code = err.code, err.name.lower().replace(" ", "_")
        response = error_response(error)
        if isinstance(err, MethodNotAllowed) and err.valid_methods:
            response.headers["Allow"] = ", ".join(sorted(err.valid_methods))
        return response

    @app.errorhandler(Exception)
    def unexpected(err):
        app.logger.exception("unexpected error (reference %s)", _reference())
        return error_response(unexpected_error())
