from flask import Blueprint, redirect, render_template, request, session, url_for

from ..errors import Unauthorized
from ..i18n import LANGUAGES, gettext
from ..services import accounts

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    # Only paths on this site: an open redirect would make the sign-in page a phishing aid.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("inbox.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        try:
            user = accounts.authenticate(request.form.get("username", ""), request.form.get("password", ""))
        except Unauthorized as err:
            message = gettext("Wrong username or password.") if "wrong" in err.message else err.message
            return render_template("login.html", error=message), 200
        chosen = session.get("lang")  # a language picked before signing in is kept
        session.clear()
        session["user_id"] = user.id
        session["lang"] = chosen or user.language
        return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", error=None)


@bp.post("/logout")
def logout():
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("auth.login"))


@bp.get("/lang/<code>")
def switch_language(code):
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(_safe_next(request.args.get("next")))
