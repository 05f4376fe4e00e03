"""Customer visits (客户拜访): a visit plan per customer (its class sets the cycle: nearby every
half month, distant every 3 months, overseas a phone conference every 3 months), one row per
period's visit with its record."""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .types import UTCDateTime


class VisitPlan(db.Model):
    __tablename__ = "visit_plans"
    __table_args__ = (Index("ix_visit_plans_unit_created_id", "unit_id", "created_at", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), index=True)
    customer_name: Mapped[str] = mapped_column(String(100))
    contact_person: Mapped[str] = mapped_column(String(100))
    contact_phone: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(Text, default="")
    visit_class: Mapped[str] = mapped_column(String(16), index=True)  # nearby | distant | overseas
    period: Mapped[str] = mapped_column(String(16))  # the ISO 8601 period of its cycle: P0.5M, P3M
    responsible_role: Mapped[str] = mapped_column(String(64), default="customer_dept")
    responsible_person: Mapped[str | None] = mapped_column(String(64))  # a username, or the role claims it
    start_date: Mapped[date] = mapped_column(Date)
    remarks: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), index=True, default="active")  # active | ended
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    end_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    # the unit the plan is for (its case's, app/models/units.py): its visits are that unit's
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    unit = relationship("OrgUnit")
    visits: Mapped[list["CustomerVisit"]] = relationship(
        back_populates="plan", order_by="CustomerVisit.period_number", lazy="selectin")


class CustomerVisit(db.Model):
    __tablename__ = "customer_visits"
    __table_args__ = (Index("ix_customer_visits_unit_opened_id", "unit_id", "opened_at", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("visit_plans.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), index=True)
    period_number: Mapped[int]  # 1 for the plan's first period
    kind: Mapped[str] = mapped_column(String(16))  # visit | conference (overseas: by phone)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # open | recorded | cancelled (its plan ended before it was recorded)
    status: Mapped[str] = mapped_column(String(16), index=True, default="open")
    overdue: Mapped[bool] = mapped_column(default=False)  # its deadline passed before it was recorded
    visited_on: Mapped[date | None] = mapped_column(Date)
    met_with: Mapped[str] = mapped_column(String(200), default="")
    topics: Mapped[str] = mapped_column(Text, default="")
    customer_opinions: Mapped[str] = mapped_column(Text, default="")
    issues_raised: Mapped[str] = mapped_column(Text, default="")
    next_actions: Mapped[str] = mapped_column(Text, default="")
    complaint_number: Mapped[str | None] = mapped_column(String(20))  # the complaint opened from it
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))  # its plan's (its case's)
    plan: Mapped[VisitPlan] = relationship(back_populates="visits")
    unit = relationship("OrgUnit")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
