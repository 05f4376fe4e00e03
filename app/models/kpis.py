"""What the KPIs need that no procedure records: the delivery register (交车登记), one row per
repair order handed back to the customer, entered or imported from the dealer system's CSV
export: the complaint rate's denominator (交车台数) and the source of 准时交车率, 准时竣工率 and
估价准确率. And the older monthly number an admin typed, used only for a month the register
has no rows for."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .types import UTCDateTime


class Delivery(db.Model):
    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(primary_key=True)
    repair_order: Mapped[str] = mapped_column(String(40), unique=True)  # 工单号: an import updates by it
    plate: Mapped[str] = mapped_column(String(32), default="")
    customer_name: Mapped[str] = mapped_column(String(100), default="")
    department: Mapped[str | None] = mapped_column(String(64))  # the unit or department, if the export has one
    service_advisor: Mapped[str | None] = mapped_column(String(64))
    promised_delivery_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)  # the month it counts in
    promised_completion_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    estimate_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    final_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    source: Mapped[str] = mapped_column(String(16), default="entered")  # entered | import
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, onupdate=now)
    # the organisation unit it was delivered in: the unit of whoever entered or imported it first
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    entered_by = relationship("User")


class MonthlyDeliveries(db.Model):
    __tablename__ = "monthly_deliveries"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM, service time zone
    deliveries: Mapped[int]
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, onupdate=now)
    entered_by = relationship("User")
