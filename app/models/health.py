"""When each background runner last completed a pass: /healthz tells a stale one."""
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class RunnerHeartbeat(db.Model):
    __tablename__ = "runner_heartbeats"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)  # "timers"
    last_pass_at: Mapped[datetime] = mapped_column(UTCDateTime())
