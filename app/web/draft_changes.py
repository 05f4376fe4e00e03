"""Before deploying a draft: what changes against the running version (diff page), the cases
that could move, dry runs and the saved test cases."""
import json

from flask import flash, g, jsonify, make_response, redirect, render_template, request, url_for


from ..errors import ValidationFailed
from ..i18n import N_, gettext, translate
from ..services import changes, drafts, dryrun
from .errors import reasons
from .procedures import EDITOR_CSP, bp


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
