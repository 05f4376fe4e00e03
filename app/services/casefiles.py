"""Comments and attachments on a case: whoever may read the case (instances.read, with its
object rules) may read them and add to them."""
import hashlib
import re
import unicodedata

from flask import current_app
from sqlalchemy import select

from ..errors import NotFound, PayloadTooLarge, ValidationFailed
from ..extensions import db
from ..i18n import N_, gettext
from ..models import CaseAttachment, CaseComment, User
from . import instances

MAX_COMMENT_CHARS = 2000
# What an attachment may be, told by its first bytes (never by its name or the sender's type).
SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png", ".png"), (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
              (b"%PDF-", "application/pdf", ".pdf"))


# ---------------------------------------------------------------- comments

def comments(user: User, instance_id: int) -> list[CaseComment]:
    instance = instances.get(user, instance_id)
    return list(db.session.scalars(select(CaseComment).where(CaseComment.instance_id == instance.id)
                                   .order_by(CaseComment.created_at, CaseComment.id)))


def add_comment(user: User, instance_id: int, text) -> CaseComment:
    instance = instances.get(user, instance_id)
    if not isinstance(text, str) or not text.strip():
        raise ValidationFailed(gettext("Write a comment."), {"text": [gettext("a comment is required")]})
    text = text.strip()
    if len(text) > MAX_COMMENT_CHARS:
        raise ValidationFailed(gettext("The comment is too long."),
                               {"text": [gettext("at most %(n)s characters") % {"n": MAX_COMMENT_CHARS}]})
    comment = CaseComment(instance_id=instance.id, text=text, author_id=user.id)
    db.session.add(comment)
    db.session.flush()
    return comment


# ---------------------------------------------------------------- attachments

def max_bytes() -> int:
    return current_app.config["ATTACHMENT_MAX_BYTES"]


def too_large() -> PayloadTooLarge:
    limit = gettext("at most %(size)s MiB") % {"size": f"{max_bytes() / 2**20:g}"}
    return PayloadTooLarge(gettext("The file is too large.") + f" ({limit})", {"file": [limit]})


def attachments(user: User, instance_id: int) -> list[CaseAttachment]:
    instance = instances.get(user, instance_id)
    return list(db.session.scalars(select(CaseAttachment).where(CaseAttachment.instance_id == instance.id)
                                   .order_by(CaseAttachment.uploaded_at, CaseAttachment.id)))


def add_attachment(user: User, instance_id: int, file_name: str | None, content: bytes | None) -> CaseAttachment:
    """A PNG, JPEG or PDF file, at most ATTACHMENT_MAX_BYTES: 413 beyond, 422 for anything else."""
    instance = instances.get(user, instance_id)
    if not content:
        raise ValidationFailed(gettext("Choose a file."), {"file": [gettext("a file is required")]})
    if len(content) > max_bytes():
        raise too_large()
    kind = content_type(content)
    if kind is None:
        raise ValidationFailed(gettext("Only PNG, JPEG or PDF files can be attached."),
                               {"file": [gettext("must be a PNG or JPEG image or a PDF file")]})
    attachment = CaseAttachment(instance_id=instance.id, file_name=clean_name(file_name, kind), content_type=kind,
                                size=len(content), sha256=hashlib.sha256(content).hexdigest(), content=content,
                                uploaded_by_id=user.id)
    db.session.add(attachment)
    db.session.flush()
    return attachment


def attachment(user: User, instance_id: int, attachment_id: int) -> CaseAttachment:
    instance = instances.get(user, instance_id)
    found = db.session.get(CaseAttachment, attachment_id)
    if found is None or found.instance_id != instance.id:
        raise NotFound(N_("no attachment %(attachment)s on instance %(instance)s", attachment=attachment_id, instance=instance_id))
    return found


def content_type(content: bytes) -> str | None:
    return next((kind for magic, kind, _ in SIGNATURES if content.startswith(magic)), None)


def clean_name(file_name: str | None, kind: str) -> str:
    """The uploaded name for showing: no directory, no control or quote characters, at most
    120 characters, ending in the extension of what the file really is."""
    base = re.split(r"[\\/]", file_name or "")[-1]
    base = "".join(c for c in unicodedata.normalize("NFC", base)
                   if unicodedata.category(c)[0] != "C" and c not in "\"';<>&").strip(" .")
    extension = next(ext for _, k, ext in SIGNATURES if k == kind)
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return (stem[:120] or "attachment") + extension
