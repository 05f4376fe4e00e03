"""Users, passwords (argon2), sign-in slowed down after repeated failures, and API tokens."""
import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import case, delete, literal, null, or_, select, update

from ..clock import now
from ..errors import ServiceError, Unauthorized
from ..i18n import N_
from ..extensions import db
from ..models import ApiToken, OrgUnit, User, UserRole
from ..models.units import ROOT_CODE
from ..roles import ROLES


class LoginRefused(Unauthorized):
    keeps_changes = True  # the failure count must outlive the refused request


class TooManyAttempts(ServiceError):
    """The name's attempts are held back for a moment (see authenticate)."""
    status, code = 429, "too_many_requests"

_hasher = PasswordHasher()
# Verifying against a real hash even for unknown names keeps the timing the same.
_DUMMY_HASH = _hasher.hash("no such user")


def create_user(username: str, password: str, roles: list[str], display_name: str | None = None,
                language: str = "zh-CN", unit: str | None = None) -> User:
    """A new user of the organisation unit with the code `unit` (the group's when not given)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {', '.join(sorted(unknown))}")
    found = db.session.scalar(select(OrgUnit).where(OrgUnit.code == (unit or ROOT_CODE)))
    if found is None:
        raise ValueError(f"unknown organisation unit: {unit or ROOT_CODE}")
    user = User(username=username, display_name=display_name or username, language=language, unit=found,
                password_hash=_hasher.hash(password), role_rows=[UserRole(role=r) for r in roles])
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(username: str, password: str) -> User:
    """The user, or LoginRefused / TooManyAttempts. Every attempt on a real name first claims
    its place atomically in the database (one UPDATE: count it, and from the LOGIN_MAX_FAILURES-th
    failure in a row on, hold the name's next attempt back LOGIN_SLOWDOWN_SECONDS): attempts sent
    in parallel cannot all be checked before the count catches up, and only a success clears it.
    A name that is unknown, inactive or held back costs the same password check."""
    moment = now()
    slowdown = timedelta(seconds=current_app.config["LOGIN_SLOWDOWN_SECONDS"])
    claimed = db.session.execute(
        update(User)
        .where(User.username == username, User.active.is_(True),
               or_(User.locked_until.is_(None), User.locked_until <= moment))
        .values(failed_logins=User.failed_logins + 1,
                locked_until=case((User.failed_logins + 1 >= current_app.config["LOGIN_MAX_FAILURES"],
                                   literal(moment + slowdown, User.locked_until.type)), else_=null()))
        .returning(User.id, User.password_hash)
        .execution_options(synchronize_session=False)).first()
    if claimed is None:
        _verify(_DUMMY_HASH, password)
        held_back = db.session.scalar(select(User.id).where(User.username == username, User.active.is_(True)))
        if held_back is not None:
            raise TooManyAttempts(N_("too many failed sign-ins: try again later"))
        raise LoginRefused(N_("wrong username or password"))
    if not _verify(claimed.password_hash, password):
        raise LoginRefused(N_("wrong username or password"))  # the claimed attempt stays counted
    db.session.execute(update(User).where(User.id == claimed.id).values(failed_logins=0, locked_until=None)
                       .execution_options(synchronize_session=False))
    user = db.session.get(User, claimed.id, populate_existing=True)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


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
