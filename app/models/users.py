"""People, their roles (the lanes they work in) and their API tokens."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .types import UTCDateTime


class User(db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(256))
    language: Mapped[str] = mapped_column(String(8), default="zh-CN")
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    # How the person hears of a task arriving in a lane: "none", "email" or "wecom" (a WeCom
    # group robot's webhook URL), and where to (app/services/notices.py).
    notify_by: Mapped[str] = mapped_column(String(8), default="none", server_default="none")
    notify_to: Mapped[str | None] = mapped_column(String(500))
    # The organisation unit the person works in (admins and the department: the group).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    unit = relationship("OrgUnit", lazy="joined")
    role_rows: Mapped[list["UserRole"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> set[str]:
        """Who may do what with these roles is app/permissions.py's to say."""
        return {r.role for r in self.role_rows}


class UserRole(db.Model):
    __tablename__ = "user_roles"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(64), primary_key=True)


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    # Only the token's SHA-256 is kept: a leaked table gives no usable token.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    user: Mapped[User] = relationship(lazy="joined")
