"""The register of quality complaints (质量投诉登记, 8D): one row per complaint of product quality
from a business customer, with its clocks, what quality assurance did, the 8D report (D1–D8) and
how it was closed."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .types import UTCDateTime

# The report's disciplines, in order: the register's columns and the report form's fields.
EIGHT_D = ("d1_team", "d2_problem", "d3_containment", "d4_root_cause", "d5_corrective_actions", "d6_validation",
           "d7_prevention", "d8_closure")


class QualityComplaint(db.Model):
    __tablename__ = "quality_complaints"
    __table_args__ = (Index("ix_quality_complaints_unit_received_id", "unit_id", "received_at", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # QC-YYYYMM-NNNN
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), index=True)
    # the complaint (TS-…) it was started from, if any
    complaint_number: Mapped[str | None] = mapped_column(String(20), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    customer_name: Mapped[str] = mapped_column(String(100))
    contact_person: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(32))
    product: Mapped[str] = mapped_column(String(100))
    batch_number: Mapped[str] = mapped_column(String(64), default="")
    description: Mapped[str] = mapped_column(Text)
    customer_request: Mapped[str] = mapped_column(Text, default="")
    # response | onsite | temporary | permanent | report | effect_check | clarifying | closed
    status: Mapped[str] = mapped_column(String(16), index=True)
    round: Mapped[int] = mapped_column(default=0)  # a customer not seeing an improvement (A) starts another
    # this round's clocks: on site within hours, temporary in 1 working day, permanent in 5
    onsite_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    temporary_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    permanent_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    onsite_needed: Mapped[bool | None]
    response: Mapped[str] = mapped_column(Text, default="")
    onsite_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    onsite_findings: Mapped[str] = mapped_column(Text, default="")
    temporary_measure: Mapped[str] = mapped_column(Text, default="")
    temporary_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    root_cause: Mapped[str] = mapped_column(Text, default="")
    permanent_measure: Mapped[str] = mapped_column(Text, default="")
    mould_change: Mapped[bool | None]
    permanent_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    d1_team: Mapped[str] = mapped_column(Text, default="")
    d2_problem: Mapped[str] = mapped_column(Text, default="")
    d3_containment: Mapped[str] = mapped_column(Text, default="")
    d4_root_cause: Mapped[str] = mapped_column(Text, default="")
    d5_corrective_actions: Mapped[str] = mapped_column(Text, default="")
    d6_validation: Mapped[str] = mapped_column(Text, default="")
    d7_prevention: Mapped[str] = mapped_column(Text, default="")
    d8_closure: Mapped[str] = mapped_column(Text, default="")
    report_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the customer department's last check with the customer: satisfied | not_improved | standards_disagree
    effect: Mapped[str | None] = mapped_column(String(20))
    effect_remarks: Mapped[str] = mapped_column(Text, default="")
    clarification_remarks: Mapped[str] = mapped_column(Text, default="")
    misses: Mapped[int] = mapped_column(default=0)  # clocks missed (each an overdue record and an escalation)
    closure_type: Mapped[str | None] = mapped_column(String(16), index=True)  # satisfied | clarified | dispute
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))  # its case's (app/models/units.py)
    created_by = relationship("User", foreign_keys=[created_by_id])
    unit = relationship("OrgUnit")
