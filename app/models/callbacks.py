"""The callback log (回访记录): one row per callback (the first one after pickup and the
follow-up two weeks later), one row per phone attempt."""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .types import UTCDateTime


class Callback(db.Model):
    __tablename__ = "callbacks"
    __table_args__ = (Index("ix_callbacks_unit_created_id", "unit_id", "created_at", "id"),
                      Index("ix_callbacks_unit_due_id", "unit_id", "due_at", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="first")  # first | follow_up
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("callbacks.id"))  # a follow-up's first callback
    source: Mapped[str] = mapped_column(String(16), index=True)  # delivery | return | complaint
    source_ref: Mapped[str] = mapped_column(String(64), default="")  # RMA or TS number, repair order
    customer_name: Mapped[str] = mapped_column(String(100))
    contact_phone: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(100))  # vehicle plate or product and serial
    repair_summary: Mapped[str] = mapped_column(Text, default="")
    picked_up_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # 3 working days after pickup, never later than 7 calendar days; fixed once set
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # when the next call is due: the deadline, or the end of the next working day after a missed call
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # due | retry | scheduled (follow-up waiting) | completed | ineffective (无效回访)
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    reached: Mapped[bool | None]
    repair_quality: Mapped[str | None] = mapped_column(String(16))
    service_quality: Mapped[str | None] = mapped_column(String(16))
    satisfied: Mapped[bool | None]
    remarks: Mapped[str] = mapped_column(Text, default="")
    apology: Mapped[str | None] = mapped_column(Text)
    # asked when the callback is started (at delivery): how and not before when the customer wants
    # the call, and the service advisor (服务顾问) who handled the car, whose results are counted
    preferred_channel: Mapped[str] = mapped_column(String(16), default="phone")  # phone | sms | wechat | email
    preferred_call_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    service_advisor: Mapped[str] = mapped_column(String(64), default="", index=True)
    complaint_number: Mapped[str | None] = mapped_column(String(20))  # the complaint opened from it
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))  # its case's (app/models/units.py)
    attempt_rows: Mapped[list["CallbackAttempt"]] = relationship(
        back_populates="callback", cascade="all, delete-orphan", order_by="CallbackAttempt.number", lazy="selectin")
    completed_by = relationship("User", foreign_keys=[completed_by_id])
    unit = relationship("OrgUnit")
    texts: Mapped[list["TextMessage"]] = relationship(back_populates="callback", order_by="TextMessage.id",
                                                      lazy="selectin")


class CallbackAttempt(db.Model):
    __tablename__ = "callback_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    callback_id: Mapped[int] = mapped_column(ForeignKey("callbacks.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reached: Mapped[bool]
    remarks: Mapped[str] = mapped_column(Text, default="")
    caller_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    callback: Mapped[Callback] = relationship(back_populates="attempt_rows")
    caller = relationship("User")


class TextMessage(db.Model):
    """A text message to a customer (the apology to a dissatisfied one): written in the step that
    decided it, sent after the commit through the configured channel (SMS gateway or WeCom group
    webhook) by app/services/texts.py, retried a bounded number of times; its outcome stays here."""
    __tablename__ = "text_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    callback_id: Mapped[int | None] = mapped_column(ForeignKey("callbacks.id", ondelete="CASCADE"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    purpose: Mapped[str] = mapped_column(String(16), default="apology")
    recipient: Mapped[str] = mapped_column(String(32))  # the customer's phone
    body: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(8), default="")  # sms | wecom, as configured when sent
    status: Mapped[str] = mapped_column(String(8), default="pending", index=True)  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)  # set while pending
    last_error: Mapped[str | None] = mapped_column(String(300))  # a plain reason, never a trace
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    callback: Mapped[Callback | None] = relationship(back_populates="texts")


class CallbackWeekReport(db.Model):
    """A weekly callback report (回访周报) sent: one row per week and organisation unit, its key the
    week's Monday (service time zone) and the unit whose figures were sent (the group's: every unit's,
    with a row per unit), written in the transaction that queued its notices: a unit's week is sent
    once, whichever timer runner is first (services/callback_reports.send_due)."""
    __tablename__ = "callback_week_reports"
    week: Mapped[date] = mapped_column(Date, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recipients: Mapped[int] = mapped_column(default=0)  # the notices queued
