"""The return authorization register (返修机返厂申请登记): one row per application, one row per
unit, and the shipments refused at the door because no approved application covers them."""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .search import Searchable
from .types import JsonData, UTCDateTime


class ReturnAuthorization(Searchable, db.Model):
    __tablename__ = "return_authorizations"
    __search_fields__ = ("number", "model", "branch", "fault_description")
    __table_args__ = (Index("ix_return_authorizations_unit_submitted_id", "unit_id", "submitted_at", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    # RMA-YYYYMM-NNNN, issued on the department head's approval; none before (or ever, when rejected)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), index=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    branch: Mapped[str] = mapped_column(String(100), index=True)
    model: Mapped[str] = mapped_column(String(100))
    quantity: Mapped[int]
    fault_description: Mapped[str] = mapped_column(Text)
    purchase_date: Mapped[date] = mapped_column(Date)
    warranty_card: Mapped[bool]
    dealer_seal: Mapped[bool]
    customer_name: Mapped[str] = mapped_column(String(100))
    contact_phone: Mapped[str] = mapped_column(String(32))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    send_backs: Mapped[int] = mapped_column(default=0)
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approval_reason: Mapped[str | None] = mapped_column(Text)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejected_by_role: Mapped[str | None] = mapped_column(String(64))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_quantity: Mapped[int | None]
    received_model: Mapped[str | None] = mapped_column(String(100))
    receipt_mismatch: Mapped[str | None] = mapped_column(Text)  # what did not agree, kept after it was resolved
    mismatch_reply: Mapped[str | None] = mapped_column(Text)
    quote_amount: Mapped[float | None] = mapped_column(Numeric(12, 2))
    quote_answer_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    quote_answer: Mapped[str | None] = mapped_column(String(16))  # accepted | refused | expired
    repair_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    repair_rounds: Mapped[int] = mapped_column(default=0)
    repaired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    repaired_on_time: Mapped[bool | None]
    repair_report: Mapped[str | None] = mapped_column(Text)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    waybill_number: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    callback_id: Mapped[int | None] = mapped_column(ForeignKey("callbacks.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))  # its case's (app/models/units.py)
    # Version 2 of the procedure: repair (返修) or returned goods (退货); the route its unit's kind
    # chose (operating | managed | dealer); who confirmed it before the review.
    request_kind: Mapped[str] = mapped_column(String(16), default="repair", server_default="repair")
    route: Mapped[str | None] = mapped_column(String(16))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmation_reason: Mapped[str | None] = mapped_column(Text)
    shipment_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # approved, not shipped by then: cancelled
    end_reason: Mapped[str | None] = mapped_column(Text)  # why it was withdrawn or cancelled
    returned_goods_handling: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, onupdate=now)
    units: Mapped[list["ReturnUnit"]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="ReturnUnit.id", lazy="selectin")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    unit = relationship("OrgUnit")


class ReturnUnit(db.Model):
    """One unit (one serial number) of an application, judged and repaired on its own."""
    __tablename__ = "return_units"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("return_authorizations.id", ondelete="CASCADE"), index=True)
    serial: Mapped[str] = mapped_column(String(64), index=True)
    # requested -> received | missing | not_on_request -> in_warranty | out_of_warranty -> repaired | unrepaired
    status: Mapped[str] = mapped_column(String(32))
    in_warranty: Mapped[bool | None]
    warranty_reason: Mapped[str | None] = mapped_column(String(32))
    damage: Mapped[str | None] = mapped_column(String(32))
    serial_intact: Mapped[bool | None]
    # The itemised quote of a unit out of warranty (元) and the branch manager's answer to it:
    # accepted | refused | unanswered (the task done without it) | expired (the 2 working days passed)
    quote_repair: Mapped[float | None] = mapped_column(Numeric(12, 2))
    quote_materials: Mapped[float | None] = mapped_column(Numeric(12, 2))
    quote_added_parts: Mapped[float | None] = mapped_column(Numeric(12, 2))
    quote_upgrade: Mapped[float | None] = mapped_column(Numeric(12, 2))
    quote_answer: Mapped[str | None] = mapped_column(String(16))
    quote_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    quote_answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    request: Mapped[ReturnAuthorization] = relationship(back_populates="units")


class RefusedShipment(db.Model):
    """Goods that arrived with no approved application: refused at receiving and recorded."""
    __tablename__ = "refused_shipments"
    id: Mapped[int] = mapped_column(primary_key=True)
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    rma_number: Mapped[str | None] = mapped_column(String(20))
    branch: Mapped[str] = mapped_column(String(100))
    model: Mapped[str] = mapped_column(String(100))
    quantity: Mapped[int]
    serial_numbers: Mapped[list] = mapped_column(JsonData, default=list)
    reason: Mapped[str] = mapped_column(String(32))  # no_number | unknown_number | not_awaiting_goods
    remarks: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    recorded_by = relationship("User")
