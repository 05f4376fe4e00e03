"""Proposing and deploying procedure versions: a process owner uploads a procedure's files
as a draft, checked element by element and kept, valid or not; an admin deploys a valid
one (or uploaded files directly) as the next version."""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import permissions
from ..errors import Conflict, InvalidProcedure, NotFound, PayloadTooLarge, ValidationFailed
from ..extensions import db
from ..i18n import N_
from ..models import ProcessDraft, ProcessVersion, User
from . import deployments, paging

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_FILES = 40  # the BPMN, its decision tables and one small .form per form (complaint: 13)
# Ten large files' worth plus the multipart envelope; beyond that the request is cut off unread.
MAX_REQUEST_BYTES = 10 * MAX_FILE_BYTES + 256 * 1024


def read_uploads(items: list[tuple[str, bytes | str]]) -> dict[str, str]:
    """The uploaded (name, content) pairs as one procedure's files, name -> text."""
    if not items:
        raise ValidationFailed(N_("send the procedure's files"), {"files": [N_("at least one file is required")]})
    if len(items) > MAX_FILES:
        raise ValidationFailed(N_("at most %(count)s files", count=MAX_FILES),
                               {"files": [N_("%(sent)s files sent, at most %(count)s", sent=len(items), count=MAX_FILES)]})
    files, unreadable = {}, []
    for raw_name, content in items:
        name = _file_name(raw_name)
        data = content.encode("utf-8") if isinstance(content, str) else content
        if len(data) > MAX_FILE_BYTES:
            raise PayloadTooLarge(N_("%(name)s is larger than %(size)s MiB", name=name, size=MAX_FILE_BYTES // (1024 * 1024)),
                                  {"files": [N_("%(name)s: larger than %(size)s bytes", name=name, size=MAX_FILE_BYTES)]})
        if name in files:
            raise ValidationFailed(N_("two files have one name"), {"files": [N_("%(name)s: sent twice", name=name)]})
        try:
            files[name] = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            unreadable.append({"file": name, "element_id": None,
                               "message": "not UTF-8 text: a BPMN or DMN file is XML saved as UTF-8"})
            files[name] = ""
    if unreadable:
        raise InvalidProcedure(N_("the files cannot be read as BPMN or DMN"), unreadable)
    return files


def _file_name(raw: str) -> str:
    # Only the last part of a path a browser or client sent, without control characters.
    name = "".join(ch for ch in (raw or "").replace("\\", "/").rsplit("/", 1)[-1] if ch.isprintable()).strip()
    if not name or name in (".", "..") or len(name) > 200:
        raise ValidationFailed(N_("every file needs a name"),
                               {"files": [N_("a file has no usable name (1 to 200 characters)")]})
    return name


def propose(user: User, items: list[tuple[str, bytes | str]]) -> ProcessDraft:
    """Store the files as a draft with their problems; files that are not BPMN/DMN at all are refused."""
    permissions.require(user, "procedures.propose")
    files = read_uploads(items)
    parsed, problems = deployments.check(files)
    if parsed is None:
        raise InvalidProcedure(N_("the files cannot be read as BPMN or DMN: nothing was stored"),
                               [p.to_dict() for p in problems])
    draft = ProcessDraft(process_key=parsed.key, files=parsed.files, valid=not problems,
                         problems=[p.to_dict() for p in problems], created_by_id=user.id)
    db.session.add(draft)
    db.session.flush()
    return draft


def revise(user: User, draft_id: int, changed: dict[str, str]) -> ProcessDraft:
    """A new draft: the files of draft `draft_id` with `changed` replaced or added (drafts are
    immutable, like commits: every editor saves this way)."""
    base = get(user, draft_id)
    return propose(user, sorted({**base.files, **changed}.items()))


def check(user: User, items: list[tuple[str, bytes | str]]) -> list:
    """The problems of a procedure's files being edited, as a draft would keep them, storing nothing."""
    permissions.require(user, "procedures.propose")
    return deployments.check(read_uploads(items))[1]


def get(user: User, draft_id: int) -> ProcessDraft:
    permissions.require(user, "procedures.read_drafts")
    draft = db.session.get(ProcessDraft, draft_id)
    if draft is None:
        raise NotFound(N_("no draft %(id)s", id=draft_id))
    return draft


NEWEST_FIRST = paging.Sort("-created", ((ProcessDraft.created_at, True), (ProcessDraft.id, True)))


def list_drafts(user: User, page: int = 1, per_page: int = 50, process_key: str | None = None,
                after: str | None = None) -> paging.Page:
    permissions.require(user, "procedures.read_drafts")
    query = select(ProcessDraft)
    if process_key:
        query = query.where(ProcessDraft.process_key == process_key)
    return paging.paginate(query, NEWEST_FIRST, after=after, page=page, per_page=per_page)


def deploy(user: User, draft_id: int | None = None,
           items: list[tuple[str, bytes | str]] | None = None) -> tuple[ProcessVersion, bool]:
    """Deploy a draft, or uploaded files, as the next version: (version, created). The files
    are checked again, since the forms, handlers and roles they name may have changed."""
    permissions.require(user, "procedures.deploy")
    draft = get(user, draft_id) if draft_id is not None else None
    if draft is not None and draft.deployed_version_id is not None:
        raise Conflict(N_("draft %(id)s was deployed as version %(version)s already; to deploy these files "
                          "again, upload them", id=draft.id, version=draft.deployed_version.version))
    files = draft.files if draft is not None else read_uploads(items or [])
    parsed, problems = deployments.check(files)
    if problems:
        raise InvalidProcedure(N_("the procedure is not valid: nothing was deployed"), [p.to_dict() for p in problems])
    try:
        with db.session.begin_nested():  # another admin deploying the same procedure at once
            version, created = deployments.deploy(files, deployed_by_id=user.id)
    except IntegrityError:
        raise Conflict(N_("another version of '%(key)s' was deployed at the same moment: try again", key=parsed.key)) from None
    if draft is not None:
        draft.deployed_version_id = version.id
    return version, created
