"""What a person typed into a task's form and saved to finish later: one draft per task and person,
deleted when the task is completed."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import now
from ..extensions import db
from .types import JsonData, UTCDateTime


class TaskDraft(db.Model):
    __tablename__ = "task_drafts"
    __table_args__ = (UniqueConstraint("task_id", "user_id", name="uq_task_drafts_task_user"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36))  # no foreign key: the open-task row goes while a case is held
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    data: Mapped[dict] = mapped_column(JsonData)  # field name -> the value as typed
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
