"""Users, passwords (argon2), sign-in with lock-out after repeated failures, and API tokens."""
import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import delete, select

from ..clock import now
from ..errors import Unauthorized


class LoginRefused(Unauthorized):
    keeps_changes = True  # the failure count must outlive the refused request
from ..extensions import db
from ..models import ApiToken, User, UserRole
from ..roles import ROLES

_hasher = PasswordHasher()
# Verifying against a real hash even for unknown names keeps the timing the same.
_DUMMY_HASH = _hasher.hash("no such user")


def create_user(username: str, password: str, roles: list[str], display_name: str | None = None,
                language: str = "zh-CN") -> User:
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {', '.join(sorted(unknown))}")
    user = User(username=username, display_name=display_name or username, language=language,
                password_hash=_hasher.hash(password), role_rows=[UserRole(role=r) for r in roles])
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(username: str, password: str) -> User:
    """The user, or Unauthorized; failures count towards a temporary lock."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        _verify(_DUMMY_HASH, password)
        raise Unauthorized("wrong username or password")
    if user.locked_until and user.locked_until > now():
        raise Unauthorized("too many failed sign-ins: try again later")
    if not _verify(user.password_hash, password):
        _count_failure(user)
        raise LoginRefused("wrong username or password")
    user.failed_logins, user.locked_until = 0, None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def _count_failure(user: User) -> None:
    user.failed_logins += 1
    if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
        user.locked_until = now() + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
        user.failed_logins = 0
    db.session.flush()


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> tuple[str, ApiToken]:
    token = secrets.token_urlsafe(32)
    row = ApiToken(token_hash=_digest(token), user_id=user.id,
                   expires_at=now() + timedelta(hours=current_app.config["TOKEN_TTL_HOURS"]))
    db.session.add(row)
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.expires_at < now()))
    return token, row


def user_for_token(token: str) -> User | None:
    row = db.session.get(ApiToken, _digest(token))
    if row is None or row.expires_at <= now() or not row.user.active:
        return None
    return row.user
