from urllib.parse import urlsplit, urlunsplit

from flask import Blueprint, redirect, render_template, request, session, url_for

from ..i18n import LANGUAGES, gettext
from ..services import accounts
from ..throttling import failed, sign_in_limits

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """A path on this site, or the home page: an open redirect would make the sign-in page a
    phishing aid. Browsers drop tabs and newlines and read a backslash as a slash, so a target
    holding any of them is refused outright rather than cleaned; the rest is parsed, not
    prefix-checked: no scheme, no host, an absolute path that does not start with two slashes."""
    home = url_for("inbox.index")
    if not target or "\\" in target or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in target):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return home
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))


@bp.route("/login", methods=["GET", "POST"])
@sign_in_limits
def login():
    if request.method == "POST":
        try:
            user = accounts.authenticate(request.form.get("username", ""), request.form.get("password", ""))
        except accounts.LoginRefused:
            failed()
            return render_template("login.html", error=gettext("Wrong username or password.")), 200
        except accounts.TooManyAttempts:
            failed()
            return render_template("login.html", error=gettext("Too many failed sign-ins: try again later.")), 429
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
