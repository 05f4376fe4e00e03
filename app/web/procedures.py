"""Procedures and their versions, for process owners and admins: upload a draft and see its
problems element by element; an admin deploys a valid draft as the next version."""
import re

from flask import Blueprint, flash, g, jsonify, make_response, redirect, render_template, request, session, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from ..errors import BadRequest, InvalidProcedure, PayloadTooLarge, ValidationFailed
from ..forms import FORMS
from ..forms.validators import VALIDATORS
from ..handlers import HANDLERS
from ..i18n import current_language, gettext, translate
from ..roles import ROLES, role_label
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


# Editing a procedure's diagram in the browser (bpmn-js, app/web/static/modeler.js).
# bpmn-js sets style attributes on the SVG and HTML it draws: this page alone allows inline
# styles; scripts stay 'self' only (the diagram travels in a textarea, not an inline script).
EDITOR_CSP = ("default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
              "frame-ancestors 'none'")


def _main_file(version) -> str:
    """The name of the version's BPMN file of its own key (`<key>.bpmn`)."""
    name = f"{version.process_key}.bpmn"
    if name in version.files:
        return name
    return next(n for n in sorted(version.files) if n.endswith(".bpmn"))


def _edited_files(version, xml: str) -> list[tuple[str, str]]:
    """The edited diagram with the version's other files (its decision tables), as one draft."""
    name = _main_file(version)
    return [(n, xml if n == name else text) for n, text in sorted(version.files.items())]


FORM_REF = re.compile(r'name="form"\s+value="([^"]+)"')


def _modeler_choices(xml: str) -> dict:
    """What the editor's side panel (static/modeler-panel.js) offers: the roles a lane can stand
    for, the forms of this procedure (those of the families its diagram already uses) and the
    service-task handlers, labelled in the page's language."""
    lang = current_language()
    families = {key.split(".")[0] for key in FORM_REF.findall(xml)}
    forms = [key for key in FORMS if key.split(".")[0] in families] or list(FORMS)
    return {
        "roles": [{"key": key, "label": role_label(key, lang)} for key in ROLES],
        "forms": [{"key": key, "title": FORMS[key].title(lang)} for key in forms],
        "handlers": [{"key": key, "description": " ".join((func.__doc__ or "").strip().split("\n\n")[0].split())}
                     for key, func in sorted(HANDLERS.items())],
    }


def _editor(version, xml: str, problems=None, status=200):
    response = make_response(render_template("procedure_edit.html", version=version, file_name=_main_file(version),
                                             xml=xml, problems=problems or [], choices=_modeler_choices(xml)), status)
    response.headers["Content-Security-Policy"] = EDITOR_CSP
    return response


@bp.get("/<key>/edit")
def edit(key):
    version = deployments.latest_version(key)
    return _editor(version, version.files[_main_file(version)])


@bp.post("/<key>/edit")
@upload_limit(drafts.MAX_REQUEST_BYTES)
def save_edit(key):
    version = deployments.latest_version(key)
    name, xml = _main_file(version), request.form.get("bpmn", "")
    try:
        draft = drafts.propose(g.user, _edited_files(version, xml))
    except InvalidProcedure as err:
        return _editor(version, xml, problems=err.problems, status=err.status)
    except (PayloadTooLarge, ValidationFailed) as err:
        problems = [{"file": name, "element_id": None, "message": reason}
                    for found in reasons(err).values() for reason in found]
        return _editor(version, xml, problems=problems, status=err.status)
    flash(gettext("Draft saved.") if draft.valid else gettext("Draft saved with problems."))
    return redirect(url_for("procedures.draft", draft_id=draft.id))


@bp.post("/<key>/check")
@upload_limit(drafts.MAX_REQUEST_BYTES)
def check(key):
    """The problems of the diagram being edited, element by element, nothing stored: the modeler
    asks after each change (JSON {"bpmn": xml}, the CSRF token in the X-CSRFToken header)."""
    version = deployments.latest_version(key)
    body = request.get_json(silent=True)
    xml = body.get("bpmn") if isinstance(body, dict) else None
    if not isinstance(xml, str):
        return jsonify(message=gettext("Send the diagram as JSON with its BPMN text in the field bpmn."),
                       errors={"bpmn": [gettext("required, a text")]}), 400
    try:
        problems = [p.to_dict() for p in drafts.check(g.user, _edited_files(version, xml))]
    except RequestEntityTooLarge:
        problems = [{"element_id": None, "message": gettext("The upload is too large.")}]
    except InvalidProcedure as err:
        problems = err.problems
    except (PayloadTooLarge, ValidationFailed) as err:
        problems = [{"element_id": None, "message": reason} for found in reasons(err).values() for reason in found]
    return jsonify(problems=[{"element_id": p["element_id"], "message": translate(p["message"])} for p in problems])


# Editing a form definition in the browser (form-js's editor, static/src/form-editor.js): the
# editor's schema, the titles and the cross-field rules come as form fields; saving makes a new
# draft. form-js, like bpmn-js, sets inline styles: the page has EDITOR_CSP.
FORM_FIELDS = ("schema", "title_zh", "title_en", "validators")
# One form at its largest (a draft file) with the titles and rules: beyond it the body is not read
# (the CSRF check meets it first and answers 413, "the request is too large").
FORM_REQUEST_BYTES = drafts.MAX_FILE_BYTES + form_definitions.MAX_VALIDATORS_BYTES + 64 * 1024


def _form_editor(draft, form_key: str, definition: dict, errors=None, status=200):
    data = {
        "definition": definition,
        "validators": [{"name": name, "params": list(v.params), "description": translate(v.description)}
                       for name, v in sorted(VALIDATORS.items())],
        "texts": {"remove": gettext("Remove"), "choose": gettext("(choose a rule)"),
                  "unreadable": gettext("The form could not be shown: %(reason)s")},
        "refused": bool(errors),  # shows what was sent, not what the browser kept
    }
    title = definition.get("title")
    response = make_response(render_template("form_edit.html", draft=draft, form_key=form_key,
                                             new=form_definitions.file_name(form_key) not in draft.files,
                                             title=title if isinstance(title, dict) else {}, data=data,
                                             errors=errors or {}), status)
    response.headers["Content-Security-Policy"] = EDITOR_CSP
    return response


@bp.get("/drafts/<int:draft_id>/forms/<form_key>")
def form_editor(draft_id, form_key):
    draft, definition = form_definitions.open_form(g.user, draft_id, form_key)
    return _form_editor(draft, form_key, definition)


@bp.post("/drafts/<int:draft_id>/forms/<form_key>")
@upload_limit(FORM_REQUEST_BYTES)
def save_form(draft_id, form_key):
    draft, definition = form_definitions.open_form(g.user, draft_id, form_key)
    sent = {name: request.form.get(name, "") for name in FORM_FIELDS}
    try:
        saved = form_definitions.save(g.user, draft_id, form_key, **sent)
    except (BadRequest, PayloadTooLarge, ValidationFailed) as err:
        return _form_editor(draft, form_key, form_definitions.as_sent(definition, **sent), errors=reasons(err),
                            status=err.status)
    flash(gettext("Draft saved.") if saved.valid else gettext("Draft saved with problems."))
    session["forget_form"] = f"{g.user.id}:{request.path}"  # the browser drops the unsaved work it kept
    return redirect(url_for("procedures.draft", draft_id=saved.id))
