"""The diagram editor of 编辑流程图 (/procedures/<key>/edit[?draft=<id>]): bpmn-js with its
properties panel and our group, the server's check after each change, saving as a new draft."""
import json
from dataclasses import dataclass

from flask import flash, g, jsonify, make_response, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from lxml import etree

from .. import forms
from ..errors import InvalidProcedure, NotFound, PayloadTooLarge, ValidationFailed
from ..handlers import HANDLER_INFO
from ..i18n import N_, current_language, gettext, problem_text, translate
from ..request_guards import upload_limit
from ..roles import ROLES, role_label
from ..services import deployments, drafts
from ..workdays import DIAGRAM_FUNCTIONS
from .errors import reasons
from .lint_messages import lint_messages
from .modeler_texts import MODELER_TEXTS, PANEL_TEXTS
from .procedures import EDITOR_CSP, bp


# Editing a procedure's diagram in the browser (bundle app/web/static/src/modeler.js: bpmn-js with
# its properties panel, our group, lint); every save is a new draft.
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
