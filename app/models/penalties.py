"""The penalty register (处罚台账): penalties proposed from overdue records and findings by the
penalty table (processes/penalty_rules.dmn), confirmed or waived by the service manager; and
what was spent out of the staff reward fund (快乐基金), which the confirmed fines fill."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .types import UTCDateTime


class Penalty(db.Model):
    """status: proposed → confirmed or waived (with a reason). A penalty of a role-only overdue
    record has no person: nobody is fined until the service manager names one when confirming."""
    __tablename__ = "penalties"
    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM of the breach, service time zone
    person_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(64), default="")  # the post the table was asked about
    breach: Mapped[str] = mapped_column(String(32))  # missed_deadline, perfunctory_handling, ...
    source: Mapped[str] = mapped_column(String(16))  # overdue | finding | refused_shipment
    overdue_record_id: Mapped[int | None] = mapped_column(ForeignKey("overdue_records.id"), unique=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), index=True)
    business_key: Mapped[str | None] = mapped_column(String(64))
    # The table that proposed it: a deployed version's penalty_rules.dmn, and the rule that matched.
    rules_version_id: Mapped[int | None] = mapped_column(ForeignKey("process_versions.id"))
    rule: Mapped[str | None] = mapped_column(String(128))
    amount: Mapped[int] = mapped_column(default=0)
    unit: Mapped[str] = mapped_column(String(8), default="yuan")  # yuan (元) | points (分)
    status: Mapped[str] = mapped_column(String(16), default="proposed", index=True)
    note: Mapped[str] = mapped_column(Text, default="")  # what was found (a finding)
    waive_reason: Mapped[str | None] = mapped_column(Text)
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)  # its case's, if any
    person = relationship("User", foreign_keys=[person_id])
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    rules_version = relationship("ProcessVersion")
    org_unit = relationship("OrgUnit")  # (`unit` is the amount's: yuan or points)


class FundSpending(db.Model):
    """Money taken out of the reward fund (a staff outing, prizes): balance = confirmed fines − these."""
    __tablename__ = "fund_spending"
    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    amount: Mapped[int]  # 元
    note: Mapped[str] = mapped_column(Text)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    entered_by = relationship("User")
