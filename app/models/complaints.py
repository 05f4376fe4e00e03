"""The complaint ledger (投诉跟踪台账) and the monthly serial numbers of records."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .search import Searchable
from .types import UTCDateTime


class RecordCounter(db.Model):
    """Last serial issued per prefix and month; bumped inside the writing transaction,
    so a rolled-back intake gives its number back and none is skipped."""
    __tablename__ = "record_counters"
    prefix: Mapped[str] = mapped_column(String(32), primary_key=True)
    period: Mapped[str] = mapped_column(String(8), primary_key=True)  # YYYYMM
    last_value: Mapped[int] = mapped_column(default=0)


class Complaint(Searchable, db.Model):
    __tablename__ = "complaints"
    __search_fields__ = ("number", "customer_name", "contact_phone", "vehicle", "description", "result")
    # the ledger's orders (each with the id that makes it stable), and each filter in the default
    # order (newest first): a filtered page is one index range however many rows there are
    __table_args__ = (Index("ix_complaints_received_id", "received_at", "id"),
                      Index("ix_complaints_deadline_id", "deadline_at", "id"),
                      *(Index(f"ix_complaints_{name}_received_id", name, "received_at", "id") for name in (
                          "status", "category", "severity", "channel", "responsible_role", "responsible_user_id")),
                      Index("ix_complaints_first_deadline_at", "first_deadline_at"),
                      Index("ix_complaints_unit_received_id", "unit_id", "received_at", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    customer_name: Mapped[str] = mapped_column(String(100))
    contact_phone: Mapped[str] = mapped_column(String(32))
    vehicle: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    customer_request: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str | None] = mapped_column(String(32))
    severity: Mapped[str | None] = mapped_column(String(16))
    responsible_role: Mapped[str | None] = mapped_column(String(64))
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(32), index=True, default="registered")
    result: Mapped[str | None] = mapped_column(Text)
    root_cause: Mapped[str | None] = mapped_column(Text)
    improvement: Mapped[str | None] = mapped_column(Text)
    repair_plan: Mapped[str | None] = mapped_column(Text)
    return_repair: Mapped[bool] = mapped_column(default=False)
    handling_rounds: Mapped[int] = mapped_column(default=0)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the first round's deadline and handling time, kept when a send-back renews the deadline:
    # the timeliness rate (投诉处理及时率) counts the first round
    first_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    send_back_reason: Mapped[str | None] = mapped_column(Text)
    major_report: Mapped[str | None] = mapped_column(Text)
    gm_decision: Mapped[str | None] = mapped_column(Text)
    callback_result: Mapped[str | None] = mapped_column(Text)
    callback_satisfied: Mapped[bool | None]
    return_callback_result: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # satisfied | unresolved (未满意结案) | withdrawn; the satisfied closure rate's numerator and denominator
    closure_type: Mapped[str | None] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # the callback this complaint was opened from (channel "callback"); the callback keeps our number
    source_callback_id: Mapped[int | None] = mapped_column(ForeignKey("callbacks.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))  # its case's (app/models/units.py)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, onupdate=now)
    responsible_user = relationship("User", foreign_keys=[responsible_user_id], lazy="joined")
    unit = relationship("OrgUnit")
