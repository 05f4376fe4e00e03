"""The form editor's pages (app/web/procedures.py, templates/form_edit.html): a draft's
`<form key>.form` opened in form-js's editor, saved as a new draft with the form replaced or
added (drafts are immutable), bad input refused naming the field with nothing stored."""
import json
import re

import pytest

from versions import as_json, shipped

SCHEMA = {"type": "default", "id": "Form_1", "schemaVersion": 19, "components": [
    {"id": "Field_kind", "key": "kind", "type": "select", "label": "类别",
     "values": [{"value": "parts", "label": "配件"}, {"value": "other", "label": "其他"}],
     "properties": {"label_en": "Kind", "en:parts": "Parts", "en:other": "Other"}},
    {"id": "Field_note", "key": "note", "type": "textfield", "label": "说明", "properties": {"label_en": "Note"}}]}
RULES = [{"name": "required_when", "fields": "note", "when_field": "kind", "when_values": "other, false"}]
# ...as the file keeps them: the parameters typed (lists, JSON values)
TYPED = [{"name": "required_when", "fields": ["note"], "when_field": "kind", "when_values": ["other", False]}]
FIELDS = {"schema": json.dumps(SCHEMA, ensure_ascii=False), "title_zh": "配件登记", "title_en": "Parts entry",
          "validators": json.dumps(RULES)}


def _draft(api) -> int:
    response = api.as_("process_owner").post("/drafts", json=as_json(shipped("complaint")))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _draft_files(api, draft_id: int) -> dict[str, str]:
    body = api.as_("admin").get(f"/drafts/{draft_id}").get_json()
    return {f["name"]: f["content"] for f in body["files"]}


def _draft_count(api) -> int:
    return api.as_("admin").get("/drafts").get_json()["total"]


def _page_data(html: str) -> dict:
    block = re.search(r'<script type="application/json" id="form-editor-data">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


@pytest.mark.parametrize("username", ["process_owner", "admin"])
def test_process_owners_and_admins_open_a_new_form_in_the_editor_under_the_editors_csp(api, pages, username):
    draft_id = _draft(api)
    page = pages(username).get(f"/procedures/drafts/{draft_id}/forms/complaint.parts")
    assert page.status_code == 200
    csp = page.headers["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in csp and "script-src" not in csp and "default-src 'self'" in csp
    html = page.get_data(as_text=True)
    assert "vendor/bundles/form-editor.js" in html and "<script>" not in html
    data = _page_data(html)
    assert data["definition"] == {"id": "complaint.parts", "type": "default", "title": {"zh-CN": "", "en": ""},
                                  "validators": [], "components": []}
    rule = next(v for v in data["validators"] if v["name"] == "required_when")
    assert rule["params"] == ["fields", "when_field", "when_values", "message"] and rule["description"]


@pytest.mark.parametrize("username", ["customer_dept", "service_manager", "general_manager"])
def test_other_staff_may_not_open_or_save_a_form(api, pages, username):
    draft_id = _draft(api)
    before = _draft_count(api)
    person = pages(username)
    assert person.get(f"/procedures/drafts/{draft_id}/forms/complaint.parts").status_code == 403
    assert person.post(f"/procedures/drafts/{draft_id}/forms/complaint.parts", FIELDS, from_page="/inbox").status_code == 403
    assert _draft_count(api) == before


def test_saving_a_form_makes_a_new_draft_with_the_form_beside_the_base_drafts_files(api, pages):
    draft_id = _draft(api)
    owner = pages("process_owner")
    path = f"/procedures/drafts/{draft_id}/forms/complaint.parts"
    saved = owner.post(path, FIELDS)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    new_id = int(re.search(r"/procedures/drafts/(\d+)$", saved.headers["Location"]).group(1))
    assert new_id != draft_id
    files = _draft_files(api, new_id)
    assert set(files) == set(shipped("complaint")) | {"complaint.parts.form"}
    assert "complaint.parts.form" not in _draft_files(api, draft_id)  # the base draft is unchanged
    text = files["complaint.parts.form"]
    definition = json.loads(text)
    assert list(definition)[:6] == ["id", "type", "schemaVersion", "title", "validators", "components"]
    assert definition["id"] == "complaint.parts" and definition["type"] == "default"
    assert definition["title"] == {"zh-CN": "配件登记", "en": "Parts entry"}
    assert definition["validators"] == TYPED
    assert [c["key"] for c in definition["components"]] == ["kind", "note"]
    assert definition["components"][0]["properties"]["en:parts"] == "Parts"
    assert text.count("\n") == 4 and "配件" in text  # one component a line, Chinese as it is

    # the new draft's page lists its files, the form linking to its editor; the editor opens it
    page = owner.get(f"/procedures/drafts/{new_id}").get_data(as_text=True)
    assert f'href="/procedures/drafts/{new_id}/forms/complaint.parts"' in page
    opened = _page_data(owner.get(f"/procedures/drafts/{new_id}/forms/complaint.parts").get_data(as_text=True))
    assert opened["definition"] == definition

    # saving it again unchanged from that draft gives the same text (a stable key order)
    again = owner.post(f"/procedures/drafts/{new_id}/forms/complaint.parts", {
        **FIELDS, "schema": json.dumps({k: v for k, v in definition.items() if k not in ("title", "validators")})})
    assert again.status_code == 302
    newest = int(again.headers["Location"].rsplit("/", 1)[1])
    assert _draft_files(api, newest)["complaint.parts.form"] == text


@pytest.mark.parametrize("field, value, status, reason", [
    ("schema", '{"components": [', 400, "不是 JSON"),
    ("validators", "[{", 400, "不是 JSON"),
    ("schema", '["not", "an", "object"]', 422, "需要一个 JSON 对象"),
    ("schema.components", '{"type": "default"}', 422, "需要字段列表"),
    ("title_zh", "", 422, "必填"),
    ("validators[0].name", '[{"name": "no_such_rule"}]', 422, "不是已登记的规则"),
    ("validators[0].when_values", '[{"name": "required_when", "fields": "note", "when_field": "kind"}]', 422, "必填"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(api, pages, field, value, status, reason):
    draft_id = _draft(api)
    before = _draft_count(api)
    sent = field.split(".")[0].split("[")[0]
    response = pages("process_owner").post(f"/procedures/drafts/{draft_id}/forms/complaint.parts",
                                           {**FIELDS, sent: value})
    assert response.status_code == status
    html = response.get_data(as_text=True)
    item = re.search(rf'<li data-field="{re.escape(field)}">([^<]*)</li>', html)
    assert item and reason in item.group(1), html[html.find('id="form-errors"'):][:600]
    assert "Traceback" not in html and "/work/" not in html
    assert _draft_count(api) == before
    if field.startswith("title"):  # what was sent is shown again, not lost
        assert _page_data(html)["definition"]["components"] == SCHEMA["components"]


def test_a_form_too_large_is_refused_naming_the_field_and_nothing_is_stored(api, pages):
    draft_id = _draft(api)
    before = _draft_count(api)
    owner = pages("process_owner")
    path = f"/procedures/drafts/{draft_id}/forms/complaint.parts"
    big = json.dumps({**SCHEMA, "padding": "x" * (2 * 1024 * 1024)})
    response = owner.post(path, {**FIELDS, "schema": big})
    assert response.status_code == 413
    assert '<li data-field="schema">' in response.get_data(as_text=True)
    beyond = owner.post(path, {**FIELDS, "validators": "[" + " " * (3 * 1024 * 1024) + "]"})
    assert beyond.status_code == 413  # not read at all: the request is too large
    assert "请求过大" in beyond.get_data(as_text=True)
    assert _draft_count(api) == before


def test_the_draft_page_opens_a_new_form_by_its_key_and_refuses_a_bad_key(api, pages):
    draft_id = _draft(api)
    owner = pages("process_owner")
    page = owner.get(f"/procedures/drafts/{draft_id}").get_data(as_text=True)
    assert 'id="new-form"' in page and 'value="complaint."' in page
    assert f'href="/procedures/complaint/edit?draft={draft_id}"' in page  # the diagram's editor
    opened = owner.get(f"/procedures/drafts/{draft_id}/forms", query_string={"key": "complaint.parts"})
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/procedures/drafts/{draft_id}/forms/complaint.parts")
    refused = owner.get(f"/procedures/drafts/{draft_id}/forms", query_string={"key": "complaint/../x"})
    assert refused.status_code == 422
    assert "表单键" in refused.get_data(as_text=True)
    assert owner.get(f"/procedures/drafts/{draft_id}/forms/parts").status_code == 422  # no <procedure>. part


def test_drafts_carry_form_files_as_text_and_the_editor_opens_what_it_can_read(api, pages):
    files = {**shipped("complaint"), "complaint.odd.form": '{"id": "x", "title": "不是对象", "validators": "x",'
                                                           ' "components": []}',
             "complaint.broken.form": "<not json/>"}
    response = api.as_("process_owner").post("/drafts", json=as_json(files))
    assert response.status_code == 201, response.get_json()
    draft = response.get_json()
    assert _draft_files(api, draft["id"])["complaint.broken.form"] == "<not json/>"  # kept as it came
    owner = pages("process_owner")
    odd = owner.get(f"/procedures/drafts/{draft['id']}/forms/complaint.odd")
    assert odd.status_code == 200
    assert 'id="title-zh" lang="zh-CN" maxlength="200" required\n           value=""' in odd.get_data(as_text=True)
    broken = owner.get(f"/procedures/drafts/{draft['id']}/forms/complaint.broken")
    assert broken.status_code == 422
    assert "complaint.broken.form：不是 JSON 对象" in broken.get_data(as_text=True)
