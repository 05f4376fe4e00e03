"""Editing one file of a draft in the browser: a decision table (dmn-js) or a form definition
(form-js's editor); saving makes a new draft with that file replaced (drafts never change)."""

from flask import flash, g, jsonify, make_response, redirect, render_template, request, session, url_for


from ..errors import BadRequest, InvalidProcedure, NotFound, PayloadTooLarge, ValidationFailed
from ..forms.validators import VALIDATORS
from ..i18n import N_, gettext, problem_text, translate
from ..request_guards import upload_limit
from ..services import drafts, form_definitions
from .errors import reasons
from .procedures import EDITOR_CSP, bp


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
