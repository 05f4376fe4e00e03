"""Procedure drafts: files a process owner proposed, kept with the verdict of the check
so that an admin deploys exactly what was reviewed."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .types import JsonData, UTCDateTime


class ProcessDraft(db.Model):
    __tablename__ = "process_drafts"
    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(64), index=True)
    files: Mapped[dict] = mapped_column(JsonData, deferred=True)  # file name -> text, as uploaded
    valid: Mapped[bool]
    problems: Mapped[list] = mapped_column(JsonData, default=list)  # [{file, element_id, message}]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, index=True)
    # Set once an admin deployed it, so nobody deploys a reviewed draft twice by mistake.
    deployed_version_id: Mapped[int | None] = mapped_column(ForeignKey("process_versions.id"))
    created_by = relationship("User")
    deployed_version = relationship("ProcessVersion")
