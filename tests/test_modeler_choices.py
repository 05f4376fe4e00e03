"""The choices the diagram editor's side panel offers (app/web/procedures.py `_modeler_choices`),
embedded in /procedures/<key>/edit as a JSON data block (not executed: the page's CSP allows
scripts from 'self' only): roles, the forms of the procedure and the handlers, in the page's language."""
import html
import json
import re
from pathlib import Path

from app.forms import compile_files
from app.handlers import HANDLERS
from app.roles import ROLES

FORMS = compile_files({p.name: p.read_text(encoding="utf-8")
                       for p in (Path(__file__).resolve().parent.parent / "processes" / "forms").glob("*.form")})
BLOCK = re.compile(r'<script type="application/json" id="modeler-choices">(.*?)</script>', re.S)


def _choices(page_html: str) -> dict:
    found = BLOCK.search(page_html)
    assert found, "no choices block"
    return json.loads(html.unescape(found.group(1)))


def test_the_editor_offers_roles_forms_and_handlers_in_chinese(app, pages):
    response = pages("process_owner").get("/procedures/complaint/edit")
    assert response.status_code == 200
    choices = _choices(response.get_data(as_text=True))
    roles = {r["key"]: r["label"] for r in choices["roles"]}
    assert roles["customer_dept"] == "客户部" and set(roles) == set(ROLES)
    forms = {f["key"]: f["title"] for f in choices["forms"]}
    assert forms["complaint.classify"] == FORMS["complaint.classify"].title_zh
    assert all(key.startswith("complaint.") for key in forms)  # the forms of this procedure
    assert {h["key"] for h in choices["handlers"]} == set(HANDLERS)
    described = {h["key"]: h["description"] for h in choices["handlers"]}
    assert described["returns.check_receipt"].startswith("Count, model and serial numbers")
    assert described["complaints.register"] == ""


def test_the_editor_offers_english_labels_in_english(app, pages):
    response = pages("process_owner").get("/procedures/return_authorization/edit?lang=en")
    assert response.status_code == 200
    choices = _choices(response.get_data(as_text=True))
    assert {r["key"]: r["label"] for r in choices["roles"]}["customer_dept"] == "Customer relations"
    forms = {f["key"]: f["title"] for f in choices["forms"]}
    assert forms["return.request"] == FORMS["return.request"].title_en
    assert not any(key.startswith("complaint.") for key in forms)
