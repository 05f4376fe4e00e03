"""The working-day calendar an admin keeps for the years the library does not know yet,
and the overdue records (超时记录) written against the responsible person."""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .types import UTCDateTime


class CalendarDay(db.Model):
    """A holiday on a weekday (is_working False) or a make-up working weekend day (True)."""
    __tablename__ = "calendar_days"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_working: Mapped[bool]
    note: Mapped[str] = mapped_column(String(100), default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, onupdate=now)


class OverdueRecord(db.Model):
    __tablename__ = "overdue_records"
    __table_args__ = (Index("ix_overdue_records_unit_recorded_id", "unit_id", "recorded_at", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM of the missed deadline
    person_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(64))
    process_key: Mapped[str] = mapped_column(String(64))
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    business_key: Mapped[str | None] = mapped_column(String(64))
    task_name: Mapped[str] = mapped_column(String(128))
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    miss_in_month: Mapped[int] = mapped_column(default=1)  # this person's count in the month, this one included
    note: Mapped[str] = mapped_column(Text, default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))  # its case's (app/models/units.py)
    person = relationship("User")
