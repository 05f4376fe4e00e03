"""The monthly report as a procedure (月度报告): one row per month, made when the month's
`monthly_report` instance starts (the month is the key: a second start of the same month fails on
it, whichever runner or admin tries), with the customer department's analysis and the two
signatures; and the files it was frozen into when the group's supervisor signed (HTML, XLSX and
PDF, as they were signed: later changes of the records do not touch them)."""
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .types import UTCDateTime


class MonthlyReport(db.Model):
    """status: in_progress (the customer department reviews) → signing (submitted, waiting for the
    signatures; a send-back returns it to in_progress) → signed (frozen)."""
    __tablename__ = "monthly_reports"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM, service time zone
    business_key: Mapped[str] = mapped_column(String(16), unique=True)  # RPT-YYYYMM
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="in_progress")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the end of the 8th of the next month
    analysis: Mapped[str | None] = mapped_column(Text)
    improvements: Mapped[str | None] = mapped_column(Text)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    send_back_reason: Mapped[str | None] = mapped_column(Text)  # the latest send-back, by either signer
    gm_signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    gm_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    group_signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    group_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    gm_signed_by = relationship("User", foreign_keys=[gm_signed_by_id])
    group_signed_by = relationship("User", foreign_keys=[group_signed_by_id])


class ReportFile(db.Model):
    """One format of a signed month's report, stored as it was rendered at the signature."""
    __tablename__ = "report_files"
    __table_args__ = (UniqueConstraint("month", "format"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(ForeignKey("monthly_reports.month"), index=True)
    format: Mapped[str] = mapped_column(String(8))  # html | xlsx | pdf
    media_type: Mapped[str] = mapped_column(String(128))
    file_name: Mapped[str] = mapped_column(String(128))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
