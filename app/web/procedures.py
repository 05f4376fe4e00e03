"""Procedures and their versions, for process owners and admins: upload a draft and see its
problems element by element; an admin deploys a valid draft as the next version."""
import re

from flask import Blueprint, flash, g, jsonify, make_response, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from ..errors import InvalidProcedure, NotFound, PayloadTooLarge, ValidationFailed
from ..forms import FORMS
from ..handlers import HANDLERS
from ..i18n import N_, current_language, gettext, translate
from ..roles import ROLES, role_label
from ..request_guards import upload_limit
from ..services import deployments, drafts
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


# Editing one decision table of a draft in the browser (dmn-js, static/src/decision-editor.js):
# saving makes a new draft with that file replaced (drafts stay as they were proposed).
def _decision_file(draft, name: str) -> str:
    if not name.endswith(".dmn") or name not in draft.files:
        raise NotFound(N_("draft %(id)s has no decision table %(name)s", id=draft.id, name=name))
    return draft.files[name]


def _with_file(draft, name: str, text: str) -> list[tuple[str, str]]:
    return [(n, text if n == name else content) for n, content in sorted(draft.files.items())]


def _file_problems(problems, name: str) -> list[dict]:
    """The problems of one file (and those of no file), as the page shows them."""
    found = [problem if isinstance(problem, dict) else problem.to_dict() for problem in problems]
    return [{"element_id": p["element_id"], "message": translate(p["message"])}
            for p in found if p.get("file") in (name, None)]


def _checked(draft, name: str, xml: str) -> list[dict]:
    try:
        return _file_problems(drafts.check(g.user, _with_file(draft, name, xml)), name)
    except InvalidProcedure as err:
        return _file_problems(err.problems, name)
    except (PayloadTooLarge, ValidationFailed) as err:
        return [{"element_id": None, "message": reason} for found in reasons(err).values() for reason in found]


def _decision_editor(draft, name: str, xml: str, problems: list[dict], refused: bool = False, status: int = 200):
    data = {"xml": xml, "problems": problems, "texts": {
        "none": gettext("No problems found."), "checking": gettext("Checking…"),
        "failed": gettext("The check could not be made."), "load_failed": gettext("The decision table cannot be shown."),
    }}
    response = make_response(render_template("decision_edit.html", draft=draft, file_name=name, data=data,
                                             refused=refused), status)
    response.headers["Content-Security-Policy"] = EDITOR_CSP
    return response


@bp.get("/drafts/<int:draft_id>/decisions/<name>")
def decision_editor(draft_id, name):
    draft = drafts.get(g.user, draft_id)
    xml = _decision_file(draft, name)
    return _decision_editor(draft, name, xml, _checked(draft, name, xml))


@bp.post("/drafts/<int:draft_id>/decisions/<name>")
@upload_limit(drafts.MAX_REQUEST_BYTES)
def save_decision(draft_id, name):
    draft = drafts.get(g.user, draft_id)
    _decision_file(draft, name)
    xml = request.form.get("dmn", "")
    try:
        saved = drafts.propose(g.user, _with_file(draft, name, xml))
    except InvalidProcedure as err:
        return _decision_editor(draft, name, xml, _file_problems(err.problems, name), refused=True, status=err.status)
    except (PayloadTooLarge, ValidationFailed) as err:
        problems = [{"element_id": None, "message": reason} for found in reasons(err).values() for reason in found]
        return _decision_editor(draft, name, xml, problems, refused=True, status=err.status)
    flash(gettext("Draft saved.") if saved.valid else gettext("Draft saved with problems."))
    return redirect(url_for("procedures.draft", draft_id=saved.id))


@bp.post("/drafts/<int:draft_id>/decisions/<name>/check")
@upload_limit(drafts.MAX_REQUEST_BYTES)
def check_decision(draft_id, name):
    """The problems of the decision table being edited, nothing stored (JSON {"dmn": xml}, the
    CSRF token in the X-CSRFToken header)."""
    draft = drafts.get(g.user, draft_id)
    _decision_file(draft, name)
    body = request.get_json(silent=True)
    xml = body.get("dmn") if isinstance(body, dict) else None
    if not isinstance(xml, str):
        return jsonify(message=gettext("Send the decision table as JSON with its DMN text in the field dmn."),
                       errors={"dmn": [gettext("required, a text")]}), 400
    return jsonify(problems=_checked(draft, name, xml))
