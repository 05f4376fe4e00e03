"""Procedures and their versions, for process owners and admins: upload a draft and see its
problems element by element; an admin deploys a valid draft as the next version."""

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge


from ..errors import InvalidProcedure, PayloadTooLarge, ValidationFailed
from ..i18n import gettext
from ..request_guards import upload_limit
from ..services import deployments, drafts, form_definitions
from .errors import reasons

bp = Blueprint("procedures", __name__, url_prefix="/procedures")


def _overview(problems=None, errors=None, status=200):
    procedures = [(latest, deployments.versions_with_counts(latest.process_key))
                  for latest in deployments.latest_versions()]
    recent = drafts.list_drafts(g.user, per_page=30).items
    return render_template("procedures.html", procedures=procedures, drafts=recent, problems=problems or [],
                           errors=errors or {}, max_files=drafts.MAX_FILES,
                           max_mib=drafts.MAX_FILE_BYTES // 2**20), status


@bp.get("")
def index():
    return _overview()


@bp.post("/drafts")
@upload_limit(drafts.MAX_REQUEST_BYTES)
def propose():
    try:
        items = [(part.filename or "", part.stream.read(drafts.MAX_FILE_BYTES + 1))
                 for part in request.files.getlist("files") if part.filename]
        draft = drafts.propose(g.user, items)
    except RequestEntityTooLarge:
        return _overview(errors={"files": [gettext("The upload is too large.")]}, status=413)
    except InvalidProcedure as err:
        return _overview(problems=err.problems, status=err.status)
    except (PayloadTooLarge, ValidationFailed) as err:
        return _overview(errors=reasons(err), status=err.status)
    flash(gettext("Draft saved.") if draft.valid else gettext("Draft saved with problems."))
    return redirect(url_for("procedures.draft", draft_id=draft.id))


@bp.get("/drafts/<int:draft_id>")
def draft(draft_id):
    return render_template("draft.html", draft=drafts.get(g.user, draft_id), problems=None)


@bp.get("/drafts/<int:draft_id>/forms")
def new_form(draft_id):
    """The draft page's "new form" input: opens the form editor on the key typed."""
    draft = drafts.get(g.user, draft_id)
    key = request.args.get("key", "").strip()
    try:
        form_definitions.check_key(key)
    except ValidationFailed as err:
        return render_template("draft.html", draft=draft, problems=None, errors=reasons(err), new_key=key), err.status
    return redirect(url_for("procedures.form_editor", draft_id=draft.id, form_key=key))


@bp.post("/drafts/<int:draft_id>/deploy")
def deploy(draft_id):
    try:
        version, created = drafts.deploy(g.user, draft_id=draft_id)
    except InvalidProcedure as err:
        return render_template("draft.html", draft=drafts.get(g.user, draft_id), problems=err.problems), err.status
    flash(gettext("Deployed as version") + f" {version.version}" if created
          else gettext("Unchanged: already version") + f" {version.version}")
    return redirect(url_for("procedures.index"))


# The editors' pages (modeler, forms, decision tables, what changes): bpmn-js, form-js and dmn-js
# set style attributes on what they draw, so these pages alone allow inline styles; scripts stay
# 'self' only (diagrams travel in textareas, the pages' data in JSON blocks, never inline scripts).
EDITOR_CSP = ("default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
              "frame-ancestors 'none'")


from . import draft_changes, draft_editors, modeler  # noqa: E402,F401  (their views, on this blueprint)
