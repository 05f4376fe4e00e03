"""Deployed procedure versions, running instances, the open-task table and the history."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .types import JsonData, UTCDateTime


class ProcessVersion(db.Model):
    """One deployed version of a procedure: immutable once written."""
    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("process_key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    files: Mapped[dict] = mapped_column(JsonData, deferred=True)  # file name -> text, as deployed
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    spec: Mapped[str] = mapped_column(Text, deferred=True)  # serialized spec + subprocess specs
    serializer_version: Mapped[str] = mapped_column(String(16))
    start_lane: Mapped[str | None] = mapped_column(String(64))  # the role that starts it
    start_form: Mapped[str | None] = mapped_column(String(128))
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    deployed_by = relationship("User")


class ProcessInstance(db.Model):
    """Status: running, waiting (for a timer), completed, cancelled, or held: error (a step
    failed; an admin retries or cancels it) and suspended (an admin paused it)."""
    __tablename__ = "process_instances"
    id: Mapped[int] = mapped_column(primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    business_key: Mapped[str | None] = mapped_column(String(64), index=True)
    # The serialized workflow without its spec: loaded only when the engine runs it.
    state: Mapped[str] = mapped_column(Text, deferred=True)
    serializer_version: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict] = mapped_column(JsonData, default=dict)  # latest task data, for reading without loading
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    revision: Mapped[int] = mapped_column(default=1)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The organisation unit the case belongs to: the starter's, or the one chosen at intake.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, onupdate=now)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # In error (status "error"): where and why a step failed, since when, and the action a
    # retry replays ({"kind": "start" | "complete" | "timers", "task_id", "answers", "actor_id"}).
    error_element_id: Mapped[str | None] = mapped_column(String(128))
    error_message: Mapped[str | None] = mapped_column(Text)
    error_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pending_action: Mapped[dict | None] = mapped_column(JsonData)
    version: Mapped[ProcessVersion] = relationship()
    unit = relationship("OrgUnit")
    # A second writer working from a stale copy fails instead of overwriting.
    __mapper_args__ = {"version_id_col": revision}


class OpenTask(db.Model):
    """A READY user task, kept in step with the workflow so the inbox never loads one."""
    __tablename__ = "open_tasks"
    __table_args__ = (Index("ix_open_tasks_lane_claimed", "lane", "claimed_by_id"),
                      # the inbox's orders within a lane, stable by id
                      Index("ix_open_tasks_lane_due", "lane", "due_at", "created_at", "id"),
                      Index("ix_open_tasks_lane_created", "lane", "created_at", "id"),
                      # the same per unit, for the inbox of a person seeing only the units below theirs
                      Index("ix_open_tasks_unit_lane_due", "unit_id", "lane", "due_at", "created_at", "id"),
                      Index("ix_open_tasks_unit_lane_created", "unit_id", "lane", "created_at", "id"))
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the engine's task id
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id", ondelete="CASCADE"), index=True)
    process_key: Mapped[str] = mapped_column(String(64))
    business_key: Mapped[str | None] = mapped_column(String(64))
    task_name: Mapped[str] = mapped_column(String(128))  # the element id in the diagram
    form_key: Mapped[str] = mapped_column(String(128))
    lane: Mapped[str] = mapped_column(String(64))
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # since when claimed_by holds it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))  # its case's, so the inbox filters in SQL
    claimed_by = relationship("User", lazy="joined")
    instance = relationship("ProcessInstance")


class TaskRecord(db.Model):
    """A completed user task: who did what and when, every round of a loop included."""
    __tablename__ = "task_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    task_name: Mapped[str] = mapped_column(String(128))
    form_key: Mapped[str] = mapped_column(String(128))
    lane: Mapped[str] = mapped_column(String(64))
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    data: Mapped[dict] = mapped_column(JsonData, default=dict)
    completed_by = relationship("User", lazy="joined")
    instance = relationship("ProcessInstance")
