"""The pages: sign-in, the inbox (staff) and the records. Sessions carry CSRF tokens."""
from functools import wraps

from flask import Flask, g, redirect, request, session, url_for

from ..clock import local
from ..extensions import db
from ..forms import choice_label, field_label
from ..i18n import current_language, gettext
from ..models import User
from ..roles import role_label


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("user") is None:
            return redirect(url_for("auth.login", next=request.full_path))
        return view(*args, **kwargs)
    return wrapped


def init_app(app: Flask) -> None:
    @app.before_request
    def load_user():
        user_id = session.get("user_id")
        user = db.session.get(User, user_id) if user_id else None
        g.user = user if user is not None and user.active else None

    @app.context_processor
    def page_helpers():
        lang = current_language()
        return {"_": gettext, "lang": lang, "role_label": role_label,
                "label": lambda field: field_label(field, lang),
                "choice": lambda field, value: choice_label(field, value, lang),
                "when": lambda moment: local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""}

    from . import auth, errors, inbox, records
    app.register_blueprint(auth.bp)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(records.bp)
    errors.init_app(app)
