"""Procedures and their versions, for process owners and admins: upload a draft and see its
problems element by element; an admin deploys a valid draft as the next version."""
import json
import re

from flask import Blueprint, flash, g, jsonify, make_response, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from ..errors import InvalidProcedure, PayloadTooLarge, ValidationFailed
from ..forms import FORMS
from ..handlers import HANDLERS
from ..i18n import N_, current_language, gettext, translate
from ..roles import ROLES, role_label
from ..request_guards import upload_limit
from ..services import changes, deployments, drafts, dryrun
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


# ------------------------------------------------------------------ before deploying: what changes
def _kind_labels() -> dict:
    """The element kinds the diff and the dry run name, in the page's language (bpmn-js's types)."""
    return {"bpmn:UserTask": gettext("user task"), "bpmn:ServiceTask": gettext("service task"),
            "bpmn:ScriptTask": gettext("script task"), "bpmn:BusinessRuleTask": gettext("decision task"),
            "bpmn:ManualTask": gettext("manual task"), "bpmn:Task": gettext("task"),
            "bpmn:SubProcess": gettext("subprocess"), "bpmn:CallActivity": gettext("call activity"),
            "bpmn:ExclusiveGateway": gettext("exclusive gateway"), "bpmn:ParallelGateway": gettext("parallel gateway"),
            "bpmn:InclusiveGateway": gettext("inclusive gateway"), "bpmn:EventBasedGateway": gettext("event gateway"),
            "bpmn:StartEvent": gettext("start event"), "bpmn:EndEvent": gettext("end event"),
            "bpmn:IntermediateCatchEvent": gettext("intermediate event"),
            "bpmn:IntermediateThrowEvent": gettext("intermediate event"), "bpmn:BoundaryEvent": gettext("boundary event"),
            "bpmn:SequenceFlow": gettext("flow"), "bpmn:Lane": gettext("lane"), "bpmn:LaneSet": gettext("lanes"),
            "bpmn:Process": gettext("process"), "bpmn:Participant": gettext("pool"),
            "bpmn:Collaboration": gettext("collaboration"), "bpmn:TextAnnotation": gettext("annotation"),
            "bpmn:Association": gettext("association"), "bpmn:DataObjectReference": gettext("data object")}


def _page_texts() -> dict:
    return {"kinds": _kind_labels(), "added": gettext("added"), "removed": gettext("removed"),
            "changed": gettext("changed"), "moved": gettext("moved on the diagram"),
            "none": gettext("The diagrams are the same."), "unnamed": gettext("(no name)"),
            "attribute": {"name": gettext("name"), "extensionElements": gettext("properties"),
                          "conditionExpression": gettext("condition"), "default": gettext("default flow"),
                          "sourceRef": gettext("from"), "targetRef": gettext("to"),
                          "eventDefinitions": gettext("event definition"), "documentation": gettext("documentation"),
                          "loopCharacteristics": gettext("repetition"), "flowNodeRef": gettext("elements in the lane")},
            "running": gettext("Running…"), "failed": gettext("The dry run could not be made."),
            "ended": gettext("Ended at"), "stopped": gettext("Stopped"), "passed": gettext("As expected."),
            "notPassed": gettext("Not as expected:"), "unused": gettext("Steps left unused:"),
            "answers": gettext("Answers"), "noSteps": gettext("No step was taken."),
            "badJson": gettext("The test case is not JSON.")}


def _case_template(saved: list) -> str:
    """What the dry run's text box opens with: the first saved case, or an empty one to fill."""
    case = saved[0].source if saved else {"name": "", "start": {}, "tasks": [{"task": "", "answers": {}}],
                                          "expect": {"end": "", "path_includes": []}}
    return json.dumps(case, ensure_ascii=False, indent=2)


@bp.get("/drafts/<int:draft_id>/diff")
def changes_page(draft_id):
    """The draft beside the latest deployed version (static/src/diff.js draws the difference), the
    running cases that could move to it and those that could not, and the dry run."""
    return _changes_page(drafts.get(g.user, draft_id))


def _changes_page(draft, errors=None, case_json=None, status=200):
    try:
        saved = dryrun.saved_cases(draft.files)
    except ValidationFailed:  # the draft's problems say what is wrong with them
        saved = []
    response = make_response(render_template(
        "draft_changes.html", draft=draft, changes=changes.of_draft(draft), texts=_page_texts(),
        saved=[case.name for case in saved], case_json=case_json or _case_template(saved), errors=errors or {}),
        status)
    response.headers["Content-Security-Policy"] = EDITOR_CSP
    return response


@bp.post("/drafts/<int:draft_id>/test-cases")
def keep_test_case(draft_id):
    """Keep the test case of the dry run's box among the procedure's saved cases: a new draft (the
    same files, `<process>.test.json` with the case in place of the one of its name)."""
    draft = drafts.get(g.user, draft_id)
    text = request.form.get("case", "")
    try:
        try:
            value = json.loads(text)
        except ValueError:
            raise ValidationFailed(N_("the test case is not valid"), {"case": [N_("not JSON")]}) from None
        kept = drafts.propose(g.user, sorted(dryrun.keep_case(draft.files, draft.process_key, value).items()))
    except ValidationFailed as err:  # InvalidProcedure included: the files as they were, refused
        return _changes_page(draft, errors=reasons(err), case_json=text, status=err.status)
    flash(gettext("The test case is kept in a new draft."))
    return redirect(url_for("procedures.changes_page", draft_id=kept.id))


@bp.post("/drafts/<int:draft_id>/dry-run")
def dry_run(draft_id):
    """Walk the draft through a test case, nothing stored: JSON {"case": {...}} or {"saved": name}
    (the CSRF token in the X-CSRFToken header) -> the path, the tasks met and where it ended or stopped."""
    draft = drafts.get(g.user, draft_id)
    try:
        case, outcome = dryrun.try_draft(g.user, draft, request.get_json(silent=True))
    except ValidationFailed as err:
        return jsonify(message=translate(err.message), errors=reasons(err)), err.status
    result = outcome.as_dict()
    if outcome.stop:
        result["stop"] = {**outcome.stop, "message": translate(outcome.stop["message"]),
                          "errors": {name: [translate(reason) for reason in found]
                                     for name, found in outcome.stop["errors"].items()}}
    verdict = dryrun.verdict(case, outcome)
    return jsonify(name=case.name, **result, passed=verdict is None, verdict=translate(verdict) if verdict else None)
