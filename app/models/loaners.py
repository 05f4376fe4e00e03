"""The loaner register (备用机台账): spare units lent to a customer while their own unit is under
repair past its limit (domain.md, "Returns": the Wednesday/Saturday review lends one), returned
when the customer has theirs back. A loan carries the unit of the return request its customer's
unit is on (its case's unit, app/models/units.py)."""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .types import UTCDateTime


class Loaner(db.Model):
    """Out until returned. Due back: the agreed return date's end, or N working days after the
    repaired unit was shipped back, whichever comes first (`due_at`, set when lent and when the
    timer runner sees the shipment); overdue when not returned by then, told to the lender once."""
    __tablename__ = "loaners"
    __table_args__ = (Index("ix_loaners_unit_lent_id", "unit_id", "lent_at", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    loaner_serial: Mapped[str] = mapped_column(String(64), index=True)  # the spare unit lent
    loaner_unit_serial: Mapped[str] = mapped_column(String(64), index=True)  # the customer's unit under repair
    customer: Mapped[str] = mapped_column(String(100))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("return_authorizations.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), index=True)
    agreed_return_date: Mapped[date | None] = mapped_column(Date)
    unit_shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the repaired unit went back
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    lent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    lent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    return_note: Mapped[str] = mapped_column(Text, default="")
    overdue_noticed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))  # its case's (app/models/units.py)
    request = relationship("ReturnAuthorization")
    lent_by = relationship("User", foreign_keys=[lent_by_id])
    returned_by = relationship("User", foreign_keys=[returned_by_id])
    unit = relationship("OrgUnit")
