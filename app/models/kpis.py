"""What the KPIs need that no procedure records: the deliveries (交车台数) of each month,
entered by an admin, the denominator of the complaint rate (投诉率)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .types import UTCDateTime


class MonthlyDeliveries(db.Model):
    __tablename__ = "monthly_deliveries"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM, service time zone
    deliveries: Mapped[int]
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, onupdate=now)
    entered_by = relationship("User")
