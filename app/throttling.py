"""Sign-in throttling with Flask-Limiter, shared by the sign-in page and POST /api/v1/auth/token
(README "Sign-in throttling"). Only failed attempts count. A name tried from one address is
locked there after LOGIN_MAX_FAILURES failures; an address may fail LOGIN_FAILURES_PER_ADDRESS
times, whatever the names. Neither locks the name for anyone else: the name itself is only
slowed down, in the database (app/services/accounts.py authenticate), where parallel attempts
are counted atomically."""
import hashlib

from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from .extensions import limiter


def failed() -> None:
    """Called by a sign-in view whose attempt was refused: it counts towards the limits."""
    g.sign_in_failed = True


def _failed(_response) -> bool:
    return bool(g.get("sign_in_failed"))


def _name_and_address() -> str:
    body = request.get_json(silent=True) if request.is_json else request.form
    name = body.get("username") if isinstance(body, dict) or hasattr(body, "getlist") else None
    return f"{get_remote_address()}/{hashlib.sha256(str(name or '').encode()).hexdigest()[:32]}"


def _window(count_setting: str):
    return lambda: (f"{current_app.config[count_setting]} per "
                    f"{current_app.config['LOGIN_LOCK_MINUTES']} minutes")


_per_address = limiter.shared_limit(_window("LOGIN_FAILURES_PER_ADDRESS"), scope="sign-in-address",
                                    key_func=get_remote_address, methods=["POST"], deduct_when=_failed)
_per_name_and_address = limiter.shared_limit(_window("LOGIN_MAX_FAILURES"), scope="sign-in-name",
                                             key_func=_name_and_address, methods=["POST"], deduct_when=_failed)


def sign_in_limits(view):
    return _per_address(_per_name_and_address(view))
