"""The pages: sign-in, the inbox (staff) and the records. Sessions carry CSRF tokens."""
from datetime import datetime

from flask import Flask, flash, g, redirect, request, session, url_for

from .. import permissions
from ..clock import local
from ..extensions import db
from ..forms import choice_label, field_label
from ..i18n import current_language, gettext, problem_text, status_label
from ..models import User
from ..roles import role_label
from ..services import deployments


def when(moment) -> str:
    """A time as the service's local 'YYYY-MM-DD HH:MM' (ISO text is read first)."""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return moment
    if not isinstance(moment, datetime):
        return "" if moment is None else str(moment)
    return local(moment).strftime("%Y-%m-%d %H:%M") if moment.tzinfo else moment.strftime("%Y-%m-%d %H:%M")


def _current_forms():
    """The forms of the procedures' latest versions, read on first use by a page (most use none)."""
    read = []

    def known() -> dict:
        if not read:
            read.append(deployments.current_forms())
        return read[0]
    return known


def init_app(app: Flask) -> None:
    @app.before_request
    def load_user():
        user_id = session.get("user_id")
        user = db.session.get(User, user_id) if user_id else None
        g.user = user if user is not None and user.active else None

    @app.before_request
    def door():
        """Every page passes here (the API has its own door after its token check): signed in,
        and the user's roles allow the endpoint's action (app/permissions.py)."""
        if request.blueprint == "api" or permissions.is_public(request.endpoint) or request.endpoint is None:
            return None
        if g.user is None:
            if request.method == "POST":  # a form sent after the session ended (app/web/inbox.py task)
                flash(gettext("Your session ended: sign in again to go on."))
            return redirect(url_for("auth.login", next=request.full_path))
        permissions.check_endpoint(g.user, request.endpoint)
        return None

    @app.after_request
    def security_headers(response):
        # Pages load nothing from elsewhere and run no inline script: say so to the browser.
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not (app.debug or app.testing) and app.config.get("STRICT_TRANSPORT_SECURITY"):
            response.headers.setdefault("Strict-Transport-Security", app.config["STRICT_TRANSPORT_SECURITY"])
        return response

    app.jinja_env.globals["_"] = gettext  # also inside imported macros, which get no context
    app.jinja_env.globals["can"] = lambda action, obj=None: permissions.can(g.get("user"), action, obj)
    app.jinja_env.globals["problem_text"] = problem_text

    @app.context_processor
    def page_helpers():
        lang = current_language()
        known = _current_forms()  # labels of the procedures' latest versions (a case's page labels by its own)
        return {"_": gettext, "lang": lang, "role_label": role_label,
                "label": lambda field: field_label(field, lang, known()),
                "status": status_label,
                "task_title": lambda form_key, fallback: known()[form_key].title(lang) if form_key in known() else fallback,
                "choice": lambda field, value: choice_label(field, value, lang, known()),
                "when": when}

    from . import admin, auth, errors, inbox, procedures, records
    app.register_blueprint(admin.bp)
    app.register_blueprint(procedures.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(records.bp)
    from . import reports  # noqa: E402  (the monthly report page)
    app.register_blueprint(reports.bp)
    from . import notices  # noqa: E402  (the inbox badge's count and the person's notice settings)
    app.register_blueprint(notices.bp)
    from . import penalties  # noqa: E402  (the penalty register)
    app.register_blueprint(penalties.bp)
    from . import visits  # noqa: E402  (customer visit plans and the visit register)
    app.register_blueprint(visits.bp)
    from . import loaners  # noqa: E402  (the loaner register)
    app.register_blueprint(loaners.bp)
    errors.init_app(app)
