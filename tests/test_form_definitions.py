"""Forms as data: a form-js definition (processes/forms/<key>.form) compiles into the marshmallow
schema that checks posts and API payloads, its cross-field rules named validators; a bad
definition is refused naming the file and the field; a procedure's forms are versioned with its
diagram, so a running case keeps the form of its version."""
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import clock, create_app, forms
from app.errors import ValidationFailed
from app.extensions import db
from app.forms.jsonschema import form_schema
from app.forms.validators import VALIDATORS
from app.i18n import translate
from app.services import deployments
from procedures import Case
from versions import as_json, shipped, shipped_complaint_afterwards, with_bpmn  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "processes" / "forms").glob("*.form"))}
BEFORE = json.loads((Path(__file__).parent / "data" / "form_schemas_before.json").read_text(encoding="utf-8"))
# Forms changed on purpose since that snapshot: version 2 of the complaint and callback procedures
# (the responsible person, the escalation's choices, the refusal to sign, the preferred callback
# time, the complaint callback's not-reached retries) and the customer visit's channel of intake;
# complaint.classify also offers category product quality (产品质量), which starts the 8D procedure.
CHANGED_SINCE = {"complaint.intake", "complaint.classify", "complaint.close", "complaint.escalation", "callback.start",
                 "complaint.callback",
                 # return authorization version 2: the application's kind, the itemised quote and its answer per unit
                 "return_authorization.request", "return_authorization.quote", "return_authorization.quote_answer"}
SH = timezone(timedelta(hours=8))


def _definition(components: list, validators: list | None = None, key: str = "test.form") -> dict:
    return {"type": "default", "id": key, "schemaVersion": 16, "title": {"zh-CN": "测试表单", "en": "Test form"},
            "validators": validators or [], "components": components}


def _form(components: list, validators: list | None = None) -> forms.Form:
    definition = _definition(components, validators)
    assert forms.problems("test.form.form", definition) == []
    return forms.compile_definition(definition)


def _refusal(form, data, case=None) -> dict:
    with pytest.raises(ValidationFailed) as refused:
        forms.validate(form, data, case)
    return {name: [str(reason) for reason in found] for name, found in refused.value.fields.items()}


@pytest.fixture
def clock_at():
    def move(moment):
        clock.set_now(moment)
    yield move
    clock.set_now(None)


# ----------------------------------------------------------------------------- the shipped forms
def test_every_shipped_form_compiles_to_the_json_schema_and_defaults_the_api_served_before():
    """tests/data/form_schemas_before.json: what the form classes gave, taken before they were removed."""
    compiled = forms.compile_files(SHIPPED)
    # the 32 forms there were then; forms shipped since (quality_complaint.*) compile without problems
    assert set(BEFORE) <= set(compiled) and len(BEFORE) == 32
    for name, text in SHIPPED.items():
        assert forms.problems(name, text) == [], name
    assert CHANGED_SINCE <= set(BEFORE)
    for key, form in compiled.items():
        if key not in BEFORE or key in CHANGED_SINCE:
            continue
        for lang in ("zh-CN", "en"):
            served = json.loads(json.dumps(form_schema(form, lang), ensure_ascii=False))
            assert served == BEFORE[key][lang], (key, lang)
            assert list(served["properties"]) == list(BEFORE[key][lang]["properties"])  # the page's order
        assert json.loads(json.dumps(forms.defaults(form))) == BEFORE[key]["defaults"], key


def test_the_api_serves_the_start_and_task_forms_of_the_deployed_version(api):
    start = api.as_("customer_dept").get("/processes/callback", headers={"Accept-Language": "en"}).get_json()
    compiled = forms.compile_files(SHIPPED)
    assert start["start_form"] == json.loads(json.dumps(form_schema(compiled["callback.start"], "en")))
    case = Case(api)
    task = case.open_task("classify_complaint")
    served = api.as_("service_manager").get(f"/tasks/{task['id']}").get_json()
    assert served["form"] == json.loads(json.dumps(form_schema(compiled["complaint.classify"], "zh-CN"), ensure_ascii=False))
    assert served["data"] == json.loads(json.dumps(forms.defaults(compiled["complaint.classify"])))


def test_every_message_a_shipped_form_names_is_a_catalogue_text(app):
    from app import catalogue
    texts = {message.id for message in catalogue.extract() if message.id}
    named = set()
    for text in SHIPPED.values():
        definition = json.loads(text)
        named |= {v["message"] for v in definition["validators"] if "message" in v}
        named |= {c["properties"]["pattern_error"] for c in definition["components"]
                  if "pattern_error" in c.get("properties", {})}
    assert named and named <= texts, named - texts


# ----------------------------------------------------------------------------- every kind
KINDS = [
    {"key": "name", "type": "textfield", "label": "姓名", "validate": {"required": True, "maxLength": 5},
     "properties": {"label_en": "Name"}},
    {"key": "phone", "type": "textfield", "label": "电话",
     "validate": {"required": False, "minLength": 3, "maxLength": 20, "pattern": "^[0-9]+$"},
     "properties": {"label_en": "Phone", "pattern_error": "not a phone number"}},
    {"key": "notes", "type": "textarea", "label": "备注", "validate": {"required": False}},
    {"key": "count", "type": "number", "label": "数量", "validate": {"required": True, "min": 1, "max": 9}},
    {"key": "price", "type": "number", "label": "金额", "validate": {"required": False},
     "properties": {"kind": "amount"}},
    {"key": "color", "type": "select", "label": "颜色", "validate": {"required": True},
     "values": [{"value": "red", "label": "红"}, {"value": "blue", "label": "蓝"}],
     "properties": {"en:red": "Red", "en:blue": "Blue"}},
    {"key": "size", "type": "radio", "label": "尺寸", "defaultValue": "m",
     "values": [{"value": "s", "label": "小"}, {"value": "m", "label": "中"}]},
    {"key": "paid", "type": "checkbox", "label": "已付款", "defaultValue": False},
    {"key": "agreed", "type": "checkbox", "label": "同意", "validate": {"required": True}},
    {"key": "bought", "type": "datetime", "subtype": "date", "label": "购买日期", "validate": {"required": True}},
    {"key": "arrived", "type": "datetime", "subtype": "datetime", "label": "到达时间", "validate": {"required": False}},
    {"key": "serials", "type": "textarea", "label": "序列号", "validate": {"required": True},
     "properties": {"kind": "serials"}},
    {"key": "spare", "type": "textarea", "label": "备用序列号", "properties": {"kind": "serials"}},
    {"key": "damage", "type": "textarea", "label": "损坏", "properties": {"kind": "findings", "en:drop": "Dropped"},
     "values": [{"value": "drop", "label": "摔落"}, {"value": "fire", "label": "火灾"}]},
    {"type": "text", "text": "# 说明"},  # layout: ignored
    {"type": "spacer"},
]
GOOD = {"name": "王", "count": "3", "color": "blue", "agreed": True, "bought": "2026-01-05",
        "serials": "SN1\nSN2, SN3", "damage": "SN1 摔落\nSN2 fire"}


def test_every_kind_of_field_loads_its_values_and_defaults():
    form = _form(KINDS)
    assert forms.validate(form, GOOD) == {
        "name": "王", "phone": "", "notes": "", "count": 3, "price": None, "color": "blue", "size": "m",
        "paid": False, "agreed": True, "bought": "2026-01-05", "arrived": None, "serials": ["SN1", "SN2", "SN3"],
        "spare": [], "damage": {"SN1": "drop", "SN2": "fire"}}
    loaded = forms.validate(form, {**GOOD, "arrived": "2026-01-05T10:00", "price": 12.5, "phone": "0211"})
    assert loaded["arrived"] == "2026-01-05T10:00:00+08:00"  # typed without an offset: the service's time
    assert loaded["price"] == 12.5 and loaded["phone"] == "0211"
    assert forms.defaults(form) == {"phone": "", "notes": "", "size": "m", "paid": False, "spare": [], "damage": {}}
    schema = form_schema(form, "en")
    assert schema["title"] == "Test form" and schema["required"] == sorted(
        ["agreed", "bought", "color", "count", "name", "serials"])
    properties = schema["properties"]
    assert list(properties) == [c["key"] for c in KINDS if "key" in c]
    assert properties["color"]["enum"] == ["red", "blue"]
    assert properties["color"]["x-enum-titles"] == {"red": "Red", "blue": "Blue"}
    assert properties["name"]["title"] == "Name" and properties["name"]["maxLength"] == 5
    assert form_schema(form, "zh-CN")["properties"]["color"]["x-enum-titles"] == {"red": "红", "blue": "蓝"}
    assert properties["size"]["x-enum-titles"] == {"s": "小", "m": "中"}  # no English: the Chinese
    assert properties["count"] == {"type": "integer", "minimum": 1, "maximum": 9, "title": "数量"}
    assert properties["price"]["type"] == ["number", "null"] and properties["price"]["maximum"] == 10_000_000
    assert properties["bought"]["format"] == "date" and properties["arrived"]["format"] == "date-time"
    assert properties["serials"]["type"] == "array" and properties["serials"]["minItems"] == 1
    assert properties["notes"]["x-multiline"] is True and "x-multiline" not in properties["phone"]
    assert properties["phone"]["pattern"] == "^[0-9]+$" and properties["phone"]["minLength"] == 3


def test_every_kind_of_field_refuses_what_it_does_not_take():
    form = _form(KINDS)
    refused = _refusal(form, {"name": "王小明先生好", "phone": "12a", "count": 10, "color": "green", "size": None,
                              "agreed": "perhaps", "bought": "yesterday", "arrived": "2026-13-01T00:00",
                              "price": -1, "serials": "SN1 SN1", "damage": "SN9 flood", "extra": 1})
    assert refused["name"] == ["Length must be between 1 and 5."]
    assert sorted(refused["phone"]) == ["not a phone number"]
    assert refused["count"] == ["Must be between 1 and 9."]
    assert refused["color"] == ["Must be one of: Red, Blue."]
    assert refused["size"] == ["Field may not be null."]
    assert refused["agreed"] == ["Not a valid boolean."]
    assert refused["bought"] == ["Not a valid date."]
    assert refused["arrived"] == ["Not a valid datetime."]
    assert refused["price"] == ["Must be between 0 and 10000000."]
    assert refused["serials"] == ["serial numbers repeated: SN1"]
    assert refused["damage"] == ["SN9: value: Must be one of: Dropped, 火灾."]
    assert refused["extra"] == ["Unknown field."]
    missing = _refusal(form, {})
    assert set(missing) == {"name", "count", "color", "agreed", "bought", "serials"}
    assert missing["name"] == ["Missing data for required field."]
    assert _refusal(form, {**GOOD, "name": ""})["name"] == ["Length must be between 1 and 5."]


# ----------------------------------------------------------------------------- every named validator
def test_the_registry_describes_each_validator_with_its_parameters():
    assert set(VALIDATORS) == {"required_when", "serials_match_quantity", "not_in_future", "units_received"}
    for validator in VALIDATORS.values():
        assert str(validator.description) and validator.params
    assert [p.name for p in VALIDATORS["required_when"].params] == ["fields", "when_field", "when_values", "message"]


def test_required_when_asks_for_the_fields_once_the_other_has_one_of_the_values():
    form = _form([
        {"key": "decision", "type": "radio", "label": "决定", "validate": {"required": True},
         "values": [{"value": "yes", "label": "同意"}, {"value": "no", "label": "驳回"}, {"value": "later", "label": "再议"}]},
        {"key": "passed", "type": "checkbox", "label": "合格", "defaultValue": True},
        {"key": "reason", "type": "textarea", "label": "原因"},
        {"key": "rating", "type": "select", "label": "评价", "values": [{"value": "good", "label": "好"}]},
        {"key": "happy", "type": "checkbox", "label": "满意"},
    ], [{"name": "required_when", "fields": ["reason"], "when_field": "decision", "when_values": ["no", "later"],
         "message": "say why"},
        {"name": "required_when", "fields": ["rating", "happy"], "when_field": "passed", "when_values": [False]}])
    assert forms.validate(form, {"decision": "yes"})["reason"] == ""
    assert _refusal(form, {"decision": "later", "reason": "  "}) == {"reason": ["say why"]}
    assert forms.validate(form, {"decision": "no", "reason": "价格过高"})["reason"] == "价格过高"
    assert _refusal(form, {"decision": "yes", "passed": False, "happy": False}) == {"rating": ["required here"]}
    assert _refusal(form, {"decision": "yes", "passed": False}) == {"rating": ["required here"],
                                                                    "happy": ["required here"]}
    assert forms.validate(form, {"decision": "yes", "passed": False, "rating": "good", "happy": False})["happy"] is False


def test_serials_must_agree_with_the_quantity_even_when_other_fields_fail():
    form = _form([{"key": "quantity", "type": "number", "label": "数量", "validate": {"required": True, "min": 1}},
                  {"key": "units", "type": "textarea", "label": "序列号", "properties": {"kind": "serials"}},
                  {"key": "model", "type": "textfield", "label": "型号", "validate": {"required": True}}],
                 [{"name": "serials_match_quantity", "quantity": "quantity", "serials": "units"}])
    assert forms.validate(form, {"quantity": 2, "units": "A\nB", "model": "X"})["units"] == ["A", "B"]
    assert _refusal(form, {"quantity": 3, "units": "A\nB"}) == {
        "model": ["Missing data for required field."],
        "units": ["2 serial numbers given for a quantity of 3: one per unit"]}


def test_a_date_or_time_in_the_future_is_refused_with_the_grace_given(clock_at):
    clock_at(datetime(2026, 3, 1, 23, 30, tzinfo=SH))
    form = _form([{"key": "bought", "type": "datetime", "subtype": "date", "label": "购买日期",
                   "validate": {"required": True}},
                  {"key": "picked", "type": "datetime", "subtype": "datetime", "label": "提车时间"}],
                 [{"name": "not_in_future", "field": "bought", "message": "the purchase date lies in the future"},
                  {"name": "not_in_future", "field": "picked", "grace_minutes": 10}])
    assert forms.validate(form, {"bought": "2026-03-01", "picked": "2026-03-01T23:39"})["bought"] == "2026-03-01"
    assert _refusal(form, {"bought": "2026-03-02", "picked": "2026-03-01T23:41"}) == {
        "bought": ["the purchase date lies in the future"], "picked": ["lies in the future"]}


def test_units_must_be_among_those_the_case_received():
    form = _form([{"key": "broken", "type": "textarea", "label": "损坏", "properties": {"kind": "serials"}},
                  {"key": "causes", "type": "textarea", "label": "原因", "properties": {"kind": "findings"},
                   "values": [{"value": "drop", "label": "摔落"}]}],
                 [{"name": "units_received", "fields": ["broken", "causes"], "case_field": "received"}])
    case = {"received": ["A", "B"]}
    assert forms.validate(form, {"broken": "A", "causes": "B drop"}, case)["causes"] == {"B": "drop"}
    assert _refusal(form, {"broken": "A\nC"}, case) == {"broken": ["not among the units received: C"]}
    assert _refusal(form, {"causes": "Z drop"}, {}) == {"causes": ["not among the units received: Z"]}


# ----------------------------------------------------------------------------- bad definitions
FIELD = {"key": "note", "type": "textfield", "label": "备注"}
BAD = [  # (what is wrong, the definition's text, the field named, English, Chinese)
    ("not JSON", "{nope", None, "not a form definition: the file is not a JSON object", "不是表单定义"),
    ("no fields", _definition([{"type": "text", "text": "只有说明"}]), None, "the form has no fields at all", "没有任何字段"),
    ("unknown type", _definition([FIELD, {"key": "tags", "type": "taglist", "label": "标签"}]), "tags",
     "the component type 'taglist' is not supported", "不支持组件类型"),
    ("missing key", _definition([FIELD, {"type": "textfield", "label": "无键"}]), None,
     "component 2 (textfield) has no key", "没有键"),
    ("duplicate key", _definition([FIELD, FIELD]), "note", "the key note is used twice", "用了两次"),
    ("bad regex", _definition([{**FIELD, "validate": {"pattern": "([0-9"}}]), "note",
     "validate.pattern is not a regular expression", "不是正则表达式"),
    ("min > max", _definition([{"key": "n", "type": "number", "label": "数", "validate": {"min": 5, "max": 1}}]), "n",
     "validate.min is greater than validate.max", "大于"),
    ("unknown validator", _definition([FIELD], [{"name": "teleport"}]), None,
     "unknown validator 'teleport'", "未知的校验规则"),
    ("unknown parameter", _definition([FIELD], [{"name": "not_in_future", "field": "note", "when": 1}]), None,
     "validator not_in_future takes no parameter when", "没有参数"),
    ("missing parameter", _definition([FIELD], [{"name": "serials_match_quantity", "quantity": "note"}]), None,
     "validator serials_match_quantity needs the parameter serials", "需要参数"),
    ("parameter names no field", _definition([FIELD], [{"name": "not_in_future", "field": "gone"}]), "gone",
     "validator not_in_future, parameter field: gone is not a field of the form", "不是表单的字段"),
    ("required with a default", _definition([{**FIELD, "validate": {"required": True}, "defaultValue": "x"}]), "note",
     "a required field takes no default value", "必填字段"),
    ("a default it does not take", _definition([{"key": "c", "type": "select", "label": "选", "defaultValue": "z",
                                                "values": [{"value": "a", "label": "甲"}]}]), "c",
     "the default value is not one this field takes", "默认值"),
    ("a group", _definition([FIELD, {"type": "group", "components": [FIELD]}]), None,
     "component 2 (group) holds other components", "包含其他组件"),
    ("wrong id", _definition([FIELD], key="other.key"), None, "the form's id is 'other.key'", "表单的 id"),
    ("a property that is no text", _definition([{**FIELD, "properties": {"kind": ["serials"]}}]), "note",
     "every value of \"properties\" must be a text", "都必须是文本"),
    ("a kind on the wrong type", _definition([{**FIELD, "type": "checkbox", "properties": {"kind": "amount"}}]),
     "note", "kind 'amount' does not go with a checkbox", "不能用于 checkbox"),
]


@pytest.mark.parametrize("wrong, definition, key, english, chinese", BAD, ids=[b[0] for b in BAD])
def test_a_bad_definition_is_told_naming_file_and_field_in_both_languages(app, wrong, definition, key, english,
                                                                            chinese):
    text = definition if isinstance(definition, str) else json.dumps(definition, ensure_ascii=False)
    files = {**shipped("callback"), "test.form.form": text}
    parsed, problems = deployments.check(files)
    mine = [p for p in problems if p.file == "test.form.form"]
    assert mine and all(p.file == "test.form.form" for p in problems), problems
    assert any(p.element_id == key for p in mine), mine
    with app.test_request_context("/?lang=en"):
        assert any(english in translate(p.message) for p in mine), [translate(p.message) for p in mine]
    with app.test_request_context("/?lang=zh-CN"):
        assert any(chinese in translate(p.message) for p in mine), [translate(p.message) for p in mine]


def test_a_task_form_missing_from_the_files_is_refused_at_the_element(app, api):
    files = {name: text for name, text in shipped("callback").items() if name != "callback.call.form"}
    parsed, problems = deployments.check(files)
    found = [(p.element_id, str(p.message)) for p in problems]
    assert found[0] == ("call_customer", "the form 'callback.call' is not among the procedure's files: "
                                         "add callback.call.form"), found
    # ...and the pages told to show its answers first say so too
    assert ("call_customer", "property shows names forms this procedure does not use: callback.call") in found
    draft = api.as_("process_owner").post("/drafts", json=as_json(files)).get_json()
    assert draft["valid"] is False and draft["problems"][0]["element_id"] == "call_customer"
    broken = {**shipped("callback"), "callback.call.form": "{"}
    response = api.as_("admin").post("/deployments", json=as_json(broken))
    assert response.status_code == 422
    assert response.get_json()["error"]["problems"][0]["file"] == "callback.call.form"


# ----------------------------------------------------------------------------- versioned with the diagram
def _with_required_field(text: str) -> str:
    definition = json.loads(text)
    definition["components"].append({"id": "Field_urgency", "key": "urgency_note", "type": "textfield",
                                      "label": "紧急说明", "validate": {"required": True, "maxLength": 50},
                                      "properties": {"label_en": "Why it is urgent"}})
    return json.dumps(definition, ensure_ascii=False)


def test_an_edited_form_reaches_new_cases_while_a_running_case_keeps_its_versions_form(
        api, shipped_complaint_afterwards):
    old_case = Case(api)
    old_task = old_case.open_task("classify_complaint")
    files = {**with_bpmn(shipped(), lambda xml: xml),  # the saved cases would need the new answer
             "complaint.classify.form": _with_required_field(shipped()["complaint.classify.form"])}
    draft = api.as_("process_owner").post("/drafts", json=as_json(files)).get_json()
    assert draft["valid"] is True, draft["problems"]
    deployed = api.as_("admin").post("/deployments", json={"draft_id": draft["id"]})
    assert deployed.status_code == 201, deployed.get_json()

    new_case = Case(api)
    new_task = new_case.open_task("classify_complaint")
    manager = api.as_("service_manager")
    new_form = manager.get(f"/tasks/{new_task['id']}", headers={"Accept-Language": "en"}).get_json()["form"]
    assert "urgency_note" in new_form["required"]
    assert new_form["properties"]["urgency_note"]["title"] == "Why it is urgent"
    old_form = manager.get(f"/tasks/{old_task['id']}").get_json()["form"]
    shipped_form = forms.compile_files(SHIPPED)["complaint.classify"]
    assert old_form == json.loads(json.dumps(form_schema(shipped_form, "zh-CN"), ensure_ascii=False))

    answers = {"category": "parts", "severity": "general", "responsible_person": "parts_manager"}
    refused = new_case.complete("service_manager", "classify_complaint", answers, expect=422)
    assert list(refused["error"]["fields"]) == ["urgency_note"]
    new_case.complete("service_manager", "classify_complaint", {**answers, "urgency_note": "客户明天出差"})
    old_case.complete("service_manager", "classify_complaint", answers)  # its version's form: no such field
    assert new_case.open_names() == old_case.open_names() == ["handle_parts"]
    history = api.as_("admin").get(f"/instances/{new_case.id}").get_json()["history"]
    assert any(r["data"].get("urgency_note") == "客户明天出差" for r in history)


def test_a_procedures_files_are_its_diagram_the_decision_tables_and_the_forms_it_names():
    procedures = deployments.procedure_files(ROOT / "processes")
    assert sorted(n for n in procedures["complaint"] if n.endswith(".form")) == sorted(
        n for n in SHIPPED if n.startswith("complaint."))
    assert len([n for n in procedures["complaint"] if n.endswith(".form")]) == 15
    assert procedures["callback"].keys() == {
        "callback.bpmn", "complaint_routing.dmn", "penalty_rules.dmn", "warranty_check.dmn", "callback.start.form", "callback.call.form",
        "callback.escalation.form", "callback.complaint.form", "callback.follow_up.form", "callback.test.json"}
    # the page at the door's form, not a task's: in the files since the warranty check's page shows it
    assert "return_authorization.shipment.form" in procedures["return_authorization"]


# ----------------------------------------------------------------------------- the migration
def test_versions_deployed_before_forms_get_their_definitions_and_their_cases_go_on(app, api, empty_database_url):
    """A database whose versions were deployed without .form files (before g1_forms) is upgraded:
    each version gets the shipped definitions of the forms its diagram names, and a running case
    is completed with them."""
    from flask_migrate import upgrade
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "test-migration"})
    try:
        with other.app_context():
            upgrade()
            for command in (["deploy"], ["seed-demo"]):
                assert other.test_cli_runner().invoke(args=command).exit_code == 0
        api = type(api)(other.test_client())  # the suite's API client (tests/conftest.py), on this app
        case = Case(api)
        versions = sa.table("process_versions", sa.column("id"), sa.column("files", sa.JSON),
                            sa.column("sha256"), sa.column("process_key"))
        with other.app_context():
            deployed = {row.process_key: (row.files, row.sha256)
                        for row in db.session.execute(sa.select(versions.c.process_key, versions.c.files,
                                                                versions.c.sha256))}
            for key, (files, _) in deployed.items():  # as the versions were before forms were data
                stripped = {name: text for name, text in files.items() if not name.endswith(".form")}
                db.session.execute(versions.update().where(versions.c.process_key == key)
                                   .values(files=stripped, sha256="0" * 64))
            db.session.execute(sa.text("UPDATE alembic_version SET version_num = 'f9_lists'"))
            db.session.commit()
            upgrade(revision="g1_forms")  # only the revisions from f9_lists on: later ones are already there
            upgraded = {row.process_key: (row.files, row.sha256)
                        for row in db.session.execute(sa.select(versions.c.process_key, versions.c.files,
                                                                versions.c.sha256))}
            db.session.remove()
        assert upgraded == deployed  # the shipped definitions again, and the digest of the files
        assert {n for n in upgraded["callback"][0] if n.endswith(".form")} == {
            "callback.start.form", "callback.call.form", "callback.escalation.form", "callback.complaint.form",
            "callback.follow_up.form"}
        case.classify(category="parts", severity="general")
        assert case.open_names() == ["handle_parts"]
        refused = case.complete("parts_manager", "handle_parts", {"result": "x"}, expect=422)
        assert set(refused["error"]["fields"]) == {"root_cause", "improvement"}
    finally:
        with other.app_context():
            db.engine.dispose()
