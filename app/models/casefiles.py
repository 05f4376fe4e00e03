"""What people add to a case beside its tasks: comments and attachments (photos of a damaged
part, a signed report).

Attachments are kept in the database, not on disk: `flask backup`/`restore` (one database
file or dump) then carry them with the case they belong to, a failed request leaves no file
behind (one transaction), and no path is ever built from a name someone uploaded. The size
limit (ATTACHMENT_MAX_BYTES, 10 MiB by default) keeps rows reasonable; the content column is
deferred, so listing attachments never loads it."""
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import now
from ..extensions import db
from .types import UTCDateTime


class CaseComment(db.Model):
    __tablename__ = "case_comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    author = relationship("User", lazy="joined")


class CaseAttachment(db.Model):
    __tablename__ = "case_attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(String(200))  # as uploaded, cleaned: shown, never a path
    content_type: Mapped[str] = mapped_column(String(64))  # read from the content, not the name
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    uploaded_by = relationship("User", lazy="joined")
