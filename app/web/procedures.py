"""Procedures and their versions, for process owners and admins: upload a draft and see its
problems element by element; an admin deploys a valid draft as the next version."""
import json
from dataclasses import dataclass

from flask import Blueprint, flash, g, jsonify, make_response, redirect, render_template, request, session, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from lxml import etree

from .. import forms
from ..errors import BadRequest, InvalidProcedure, NotFound, PayloadTooLarge, ValidationFailed
from ..forms.validators import VALIDATORS
from ..handlers import HANDLER_INFO
from ..i18n import N_, current_language, gettext, problem_text, translate
from ..request_guards import upload_limit
from ..roles import ROLES, role_label
from ..services import changes, deployments, drafts, dryrun, form_definitions
from ..workdays import DIAGRAM_FUNCTIONS
from .errors import reasons
from .lint_messages import lint_messages
from .modeler_texts import MODELER_TEXTS, PANEL_TEXTS

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


# Editing a procedure's diagram in the browser (bundle app/web/static/src/modeler.js: bpmn-js with
# its properties panel). bpmn-js sets style attributes on the SVG and HTML it draws: this page alone
# allows inline styles; scripts stay 'self' only (the diagram travels in a textarea, the page's data
# in a JSON block, never in an inline script).
EDITOR_CSP = ("default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
              "frame-ancestors 'none'")


@dataclass
class _Base:
    """What the editor edits: the latest version of a procedure, or one of its drafts."""
    key: str
    name: str
    files: dict
    version: object = None
    draft: object = None

    @property
    def file_name(self) -> str:
        """The name of the BPMN file of the procedure's own key (`<key>.bpmn`)."""
        name = f"{self.key}.bpmn"
        return name if name in self.files else next(n for n in sorted(self.files) if n.endswith(".bpmn"))

    @property
    def ref(self) -> str:
        return f"draft-{self.draft.id}" if self.draft else f"version-{self.version.id}"

    def url(self, endpoint: str) -> str:
        return url_for(endpoint, key=self.key, **({"draft": self.draft.id} if self.draft else {}))


def _base(key: str) -> _Base:
    """`?draft=<id>`: that draft of this procedure; else the latest version."""
    raw = request.args.get("draft")
    if raw is None:
        version = deployments.latest_version(key)
        return _Base(key, version.name, version.files, version=version)
    if not raw.isdigit():
        raise ValidationFailed(N_("draft must be a draft's number"), {"draft": [N_("a whole number")]})
    draft = drafts.get(g.user, int(raw))
    if draft.process_key != key:
        raise NotFound(N_("draft %(id)s is not a draft of '%(key)s'", id=draft.id, key=key))
    version = deployments.latest_version(key, required=False)
    return _Base(key, version.name if version else key, draft.files, draft=draft)


BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _new_form(key: str, title: str) -> str:
    """A minimal form definition (contract 2) for a form key the diagram names and no file defines."""
    return json.dumps({"id": key, "type": "default", "schemaVersion": 16,
                       "title": {"zh-CN": title, "en": title}, "components": []}, ensure_ascii=False, indent=2) + "\n"


def _forms_named(xml: str) -> dict[str, list[tuple[str, str]]]:
    """The forms the diagram names: form key -> (id, name) of each element using it."""
    try:
        root = etree.fromstring(xml.encode("utf-8"), _SAFE_XML)
    except (etree.XMLSyntaxError, ValueError):
        return {}
    names = {}
    for element in root.iter():
        for prop in element.iterfind(f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}properties/{{{SPIFF_NS}}}property"):
            if prop.get("name") == "form" and prop.get("value"):
                names.setdefault(prop.get("value"), []).append((element.get("id"), element.get("name") or prop.get("value")))
    return names


def _edited_files(base: _Base, xml: str) -> list[tuple[str, str]]:
    """The edited diagram with the base's other files, plus for each form the diagram names that
    the files lack its shipped definition, or else a minimal new one `<key>.form`."""
    files, shipped = dict(base.files), forms.shipped()
    files[base.file_name] = xml
    for key, [(_, name), *_] in _forms_named(xml).items():
        if f"{key}{forms.SUFFIX}" not in files:
            files[f"{key}{forms.SUFFIX}"] = (json.dumps(shipped[key].definition, ensure_ascii=False, indent=2) + "\n"
                                             if key in shipped else _new_form(key, name))
    return sorted(files.items())


def _form_title(text: str, key: str, lang: str) -> str:
    try:
        title = json.loads(text).get("title")
    except (ValueError, AttributeError):
        return key
    return (title.get(lang) or title.get("zh-CN") or key) if isinstance(title, dict) else key


def _forms(base: _Base, lang: str) -> list[dict]:
    """The forms a task of this procedure may show: those defined in its files, and the shipped
    forms of the families its diagram uses."""
    found = {name.removesuffix(".form"): _form_title(text, name.removesuffix(".form"), lang)
             for name, text in base.files.items() if name.endswith(".form")}
    families = {key.split(".")[0] for key in _forms_named(base.files[base.file_name])} | {base.key}
    for key, form in forms.shipped().items():
        if key.split(".")[0] in families:
            found.setdefault(key, form.title(lang))
    return [{"key": key, "title": title} for key, title in sorted(found.items())]


def _modeler_data(base: _Base) -> dict:
    """What the editor's page script needs, in the page's language: the roles a lane can stand
    for, the forms, the service-task handlers with their parameters and results, the texts."""
    lang = current_language()
    return {
        "procedure": base.key, "base": base.ref, "lang": lang, "check_url": base.url("procedures.check"),
        "roles": [{"key": key, "label": role_label(key, lang)} for key in ROLES],
        "forms": _forms(base, lang),
        "handlers": [{"key": key, **info.describe(translate)} for key, info in sorted(HANDLER_INFO.items())],
        "texts": {name: gettext(text) for name, text in MODELER_TEXTS.items()}
                 | {"panel": {text: gettext(text) for text in PANEL_TEXTS},
                    "lint": lint_messages()},
        "functions": sorted(DIAGRAM_FUNCTIONS),
    }


def _editor(base: _Base, xml: str, problems=None, status=200):
    response = make_response(render_template("procedure_edit.html", base=base, xml=xml, problems=problems or [],
                                             data=_modeler_data(base), save_url=base.url("procedures.save_edit")),
                             status)
    response.headers["Content-Security-Policy"] = EDITOR_CSP
    return response


@bp.get("/<key>/edit")
def edit(key):
    base = _base(key)
    return _editor(base, base.files[base.file_name])


@bp.post("/<key>/edit")
@upload_limit(drafts.MAX_REQUEST_BYTES)
def save_edit(key):
    """Save the edited diagram as a NEW draft (the base, version or draft, stays as it was)."""
    base = _base(key)
    xml = request.form.get("bpmn", "")
    try:
        draft = drafts.propose(g.user, _edited_files(base, xml))
    except InvalidProcedure as err:
        return _editor(base, xml, problems=err.problems, status=err.status)
    except (PayloadTooLarge, ValidationFailed) as err:
        problems = [{"file": base.file_name, "element_id": None, "message": reason}
                    for found in reasons(err).values() for reason in found]
        return _editor(base, xml, problems=problems, status=err.status)
    flash(gettext("Draft saved.") if draft.valid else gettext("Draft saved with problems."))
    return redirect(url_for("procedures.draft", draft_id=draft.id))


@bp.post("/<key>/check")
@upload_limit(drafts.MAX_REQUEST_BYTES)
def check(key):
    """The problems of the diagram being edited, element by element, nothing stored: the modeler
    asks after each change (JSON {"bpmn": xml}, the CSRF token in the X-CSRFToken header)."""
    base = _base(key)
    body = request.get_json(silent=True)
    xml = body.get("bpmn") if isinstance(body, dict) else None
    if not isinstance(xml, str):
        return jsonify(message=gettext("Send the diagram as JSON with its BPMN text in the field bpmn."),
                       errors={"bpmn": [gettext("required, a text")]}), 400
    try:
        problems = [p.to_dict() for p in drafts.check(g.user, _edited_files(base, xml))]
    except RequestEntityTooLarge:
        problems = [{"element_id": None, "message": gettext("The upload is too large.")}]
    except InvalidProcedure as err:
        problems = err.problems
    except (PayloadTooLarge, ValidationFailed) as err:
        problems = [{"element_id": None, "message": reason} for found in reasons(err).values() for reason in found]
    return jsonify(problems=[{"element_id": element, "message": message}
                             for p in problems for element, message in _on_the_diagram(p, xml)])


def _on_the_diagram(problem: dict, xml: str) -> list[tuple[str | None, str]]:
    """(element, message) of a problem as the modeler marks it: one of a form file on each task
    showing that form, the file named."""
    message, name = problem_text(problem), problem.get("file") or ""
    if not name.endswith(forms.SUFFIX):
        return [(problem["element_id"], message)]
    users = _forms_named(xml).get(forms.key_of(name), [(None, "")])
    return [(element, f"{name}: {message}") for element, _ in users]


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
    return [{"element_id": p["element_id"], "message": problem_text(p)}
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
        "validators": [{"name": name, "params": [p.name for p in v.params], "description": translate(v.description)}
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
        kept = drafts.revise(g.user, draft.id, dryrun.keep_case(draft.files, draft.process_key, value))
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
        saved = drafts.revise(g.user, draft.id, {name: xml})
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
