"""What the diagram editor's page script gets (app/web/procedures.py `_modeler_data`), embedded in
/procedures/<key>/edit[?draft=<id>] as a JSON data block (not executed: the page's CSP allows
scripts from 'self' only): roles, the forms of the procedure, the handlers with what they do and
return (from the handler registry), and the panel's texts, in the page's language."""
import html
import json
import re
from pathlib import Path

from app.forms import compile_files
from app.handlers import HANDLER_INFO, HANDLERS
from app.roles import ROLES

FORMS = compile_files({p.name: p.read_text(encoding="utf-8")
                       for p in (Path(__file__).resolve().parent.parent / "processes" / "forms").glob("*.form")})

BLOCK = re.compile(r'<script type="application/json" id="modeler-data">(.*?)</script>', re.S)


def _data(page_html: str) -> dict:
    found = BLOCK.search(page_html)
    assert found, "no data block"
    return json.loads(html.unescape(found.group(1)))


def test_the_editor_offers_roles_forms_and_handlers_in_chinese(app, pages):
    response = pages("process_owner").get("/procedures/complaint/edit")
    assert response.status_code == 200
    data = _data(response.get_data(as_text=True))
    assert data["procedure"] == "complaint" and data["base"].startswith("version-")
    assert data["check_url"] == "/procedures/complaint/check"
    roles = {r["key"]: r["label"] for r in data["roles"]}
    assert roles["customer_dept"] == "客户部" and set(roles) == set(ROLES)
    forms = {f["key"]: f["title"] for f in data["forms"]}
    assert forms["complaint.classify"] == FORMS["complaint.classify"].title_zh
    assert all(key.startswith("complaint.") for key in forms)  # the forms of this procedure
    assert {h["key"] for h in data["handlers"]} == set(HANDLERS) == set(HANDLER_INFO)
    described = {h["key"]: h for h in data["handlers"]}
    assert described["complaints.register"]["description"] == "将投诉登记入台账并编号"
    assert described["complaints.register"]["returns"] == "投诉编号（TS-YYYYMM-NNNN）"
    assert described["complaints.register"]["parameters"] == []
    assert all(h["description"] and h["returns"] for h in data["handlers"])
    assert data["texts"]["role"] == "角色" and data["texts"]["timer_days"] == "N 个工作日后"
    assert data["texts"]["panel"]["General"] == "常规"


def test_the_editor_offers_english_labels_in_english(app, pages):
    response = pages("process_owner").get("/procedures/return_authorization/edit?lang=en")
    assert response.status_code == 200
    data = _data(response.get_data(as_text=True))
    assert {r["key"]: r["label"] for r in data["roles"]}["customer_dept"] == "Customer relations"
    forms = {f["key"]: f["title"] for f in data["forms"]}
    assert forms["return_authorization.request"] == FORMS["return_authorization.request"].title_en
    assert not any(key.startswith("complaint.") for key in forms)
    described = {h["key"]: h for h in data["handlers"]}
    assert described["returns.check_receipt"]["description"] == \
        "Checks count, model and serial numbers of the goods received"
    assert data["texts"]["role"] == "Role"
