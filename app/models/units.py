"""Organisation units (组织机构): the group (集团总部) at the root, its branches and stores, and the
dealers under a branch. Every person belongs to one; every case and the records it writes carry
the unit it was started for, and the permission table's `unit: "own"` actions show a person only
the records of their unit and the units below it (app/permissions.py)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..clock import now
from ..extensions import db
from .types import UTCDateTime

# kind -> (English, 中文): what a unit is; a branch's kind decides its return route (domain.md)
KINDS: dict[str, tuple[str, str]] = {
    "group": ("Group", "集团"),
    "operating_branch": ("Operating branch", "经营平台"),
    "managed_branch": ("Managed branch", "管理平台"),
    "store": ("Store", "门店"),
    "dealer": ("Dealer or agent", "代理商"),
}
ROOT_CODE = "group"  # the group's unit, made by the migration: whoever belongs to it sees every unit


class OrgUnit(db.Model):
    __tablename__ = "org_units"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # a short key for the API and the CLI
    name: Mapped[str] = mapped_column(String(100))  # 中文 name, as the group calls it
    name_en: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    def label(self, lang: str) -> str:
        return self.name_en or self.name if lang == "en" else self.name


def _case_unit(session: Session, instance_id: int | None) -> int | None:
    from .processes import ProcessInstance
    if instance_id is None:
        return None
    with session.no_autoflush:
        instance = session.get(ProcessInstance, instance_id)  # the step's own instance: no query
    return instance.unit_id if instance is not None else None


@event.listens_for(Session, "before_flush")
def _records_carry_their_case_unit(session: Session, _context, _instances) -> None:
    """A record written for a case (a complaint, a return request, a callback, an overdue record, a
    penalty, an open task: any new row with `instance_id` and `unit_id`) carries the case's unit
    unless it names one itself: the handlers of every procedure need not pass it along."""
    for obj in session.new:
        mapper = inspect(obj).mapper
        if "unit_id" in mapper.columns and "instance_id" in mapper.columns and obj.unit_id is None:
            obj.unit_id = _case_unit(session, obj.instance_id)
