"""Every text in both languages: the gettext catalogue holds a Chinese text for every text the
code and templates mark (pybabel's extraction, babel.cfg), and the API's refusals read in Chinese
for a Chinese reader (the default) and in English for an English one."""
import re
import uuid

from babel.messages.catalog import Catalog

from app import catalogue
from procedures import INTAKE, Case

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_marked_text_has_its_chinese_and_the_catalogue_nothing_else():
    assert catalogue.problems() == []


def test_the_extraction_misses_no_marked_text():
    """pybabel skips a marked text nested in another marked call's arguments: every N_(...) and
    gettext(...) literal of the code must reach the extracted template all the same."""
    extracted = {message.id for message in catalogue.extract() if message.id}
    marked = set()
    for path in (catalogue.ROOT / "app").rglob("*.py"):
        for found in re.finditer(r'\b(?:N_|gettext|lazy_gettext)\(\s*"((?:[^"\\]|\\.)*)"\s*[,)]', path.read_text()):
            marked.add(found.group(1).encode().decode("unicode_escape") if "\\" in found.group(1) else found.group(1))
    assert len(marked) > 150
    assert marked - extracted == set()


def _subclasses(cls) -> set:
    return {cls.__name__} | {name for sub in cls.__subclasses__() for name in _subclasses(sub)}


def test_every_refusal_raised_with_a_text_marks_it_for_translation():
    """`raise NotFound("...")` would answer in English on a Chinese page: the message is N_("...")."""
    import app.services.accounts  # noqa: F401  (its refusals defined)
    from app.errors import ServiceError
    refusals = "|".join(sorted(_subclasses(ServiceError) | {"ValidationError"}))
    unmarked = [f"{path.relative_to(catalogue.ROOT)}: {found.group(0)}"
                for path in (catalogue.ROOT / "app").rglob("*.py")
                for found in re.finditer(rf'\b(?:{refusals})\(\s*f?["\']', path.read_text())]
    assert unmarked == []


def test_the_check_names_a_missing_a_fuzzy_an_obsolete_and_a_broken_translation():
    template = catalogue.extract()
    po = catalogue.read()
    changed = Catalog(locale="zh_CN")
    for message in po:
        if message.id:
            changed.add(message.id, message.string, context=message.context, flags=message.flags)
    del changed["the task was already completed"]
    changed["say why"].flags.add("fuzzy")
    changed.add("a text nobody uses", "没人用的文本")
    changed["no instance %(id)s"].string = "没有流程实例 %(number)s"
    changed["no instance %(id)s"].flags.add("python-format")
    found = catalogue.problems(changed, template)
    assert any(p.startswith("missing: 'the task was already completed'") for p in found), found
    assert any(p.startswith("fuzzy: 'say why'") for p in found), found
    assert "obsolete: 'a text nobody uses'" in found
    assert any(p.startswith("bad translation: 'no instance %(id)s'") for p in found), found
    assert len(found) == 4, found


def _texts(response) -> list[str]:
    error = response.get_json()["error"]
    return [error["message"], *(reason for reasons in error["fields"].values() for reason in reasons)]


def _all_chinese(response) -> None:
    texts = _texts(response)
    english = [t for t in texts if not CJK.search(t)]
    assert not english, f"{response.status_code}: English on a Chinese answer: {english}"


BAD_INTAKE = {**INTAKE, "received_at": "yesterday", "channel": "fax", "contact_phone": "call me " * 5,
              "customer_name": "", "vehicle": None, "extra": 1}
del BAD_INTAKE["description"]


def test_a_bad_form_is_refused_in_chinese_each_reason_apart_and_choices_by_their_labels(api):
    for headers in ({}, {"Accept-Language": "zh-CN,zh;q=0.9"}):
        response = api.as_("customer_dept").post("/processes/complaint/instances", json={"data": BAD_INTAKE},
                                                 headers=headers)
        assert response.status_code == 422
        _all_chinese(response)
        fields = response.get_json()["error"]["fields"]
        assert set(fields) == {"received_at", "channel", "contact_phone", "customer_name", "vehicle",
                               "description", "extra"}
        assert fields["received_at"] == ["不是有效的日期时间。"]
        assert fields["description"] == ["此项为必填项。"]
        assert fields["channel"] == ["必须是以下之一：电话、电子邮件、在线客服、到店、回访、客户拜访。"]
        assert sorted(fields["contact_phone"]) == ["不是有效的电话号码", "长度必须在 1 到 32 之间。"]


def test_an_english_reader_gets_the_same_refusal_in_english(api):
    response = api.as_("customer_dept").post("/processes/complaint/instances", json={"data": BAD_INTAKE},
                                             headers={"Accept-Language": "en"})
    fields = response.get_json()["error"]["fields"]
    assert fields["received_at"] == ["Not a valid datetime."]
    assert fields["channel"] == ["Must be one of: Phone, E-mail, Online chat, In person at the store, "
                                 "Post-repair callback, Customer visit."]
    assert sorted(fields["contact_phone"]) == ["Length must be between 1 and 32.", "not a phone number"]
    assert response.get_json()["error"]["message"] == "the form has errors"


def test_a_form_rule_of_its_own_is_refused_in_chinese(api):
    case = Case(api)
    case.classify(category="parts", severity="general")
    case.complete("parts_manager", "handle_parts", {"result": "已更换", "root_cause": "配件批次问题",
                                                    "improvement": "加强来料检验"})
    task = case.open_task("confirm_handling")
    response = api.as_("service_manager").post(f"/tasks/{task['id']}/complete",
                                               json={"data": {"confirmation": "send_back"}})
    assert response.status_code == 422
    _all_chinese(response)
    assert response.get_json()["error"]["fields"]["confirmation_reason"] == ["请说明退回处理结果的原因"]


def test_the_refusals_401_403_404_409_read_in_chinese(api):
    assert api.get("/tasks").status_code == 401
    _all_chinese(api.get("/tasks"))
    forbidden = api.as_("workshop_supervisor").post("/processes/complaint/instances", json={"data": INTAKE})
    assert forbidden.status_code == 403
    _all_chinese(forbidden)
    for path in ("/tasks/00000000-0000-0000-0000-000000000000", "/complaints/TS-200001-0001"):
        missing = api.as_("service_manager").get(path, headers={"Accept-Language": "zh-CN"})
        assert missing.status_code == 404
        _all_chinese(missing)
    assert api.as_("admin").get("/instances/999999999").get_json()["error"]["message"] == "没有流程实例 999999999"

    case = Case(api)
    task = case.open_task("classify_complaint")
    data = {"data": {"category": "parts", "severity": "general"}}
    assert api.as_("service_manager").post(f"/tasks/{task['id']}/complete", json=data).status_code == 200
    again = api.as_("service_manager").post(f"/tasks/{task['id']}/complete", json=data)
    assert again.status_code == 409
    assert again.get_json()["error"]["message"] == "该任务已提交"
    english = api.as_("service_manager").post(f"/tasks/{task['id']}/complete", json=data,
                                              headers={"Accept-Language": "en"})
    assert english.get_json()["error"]["message"] == "the task was already completed"


def test_failed_sign_ins_and_the_hold_read_in_chinese(api, app):
    with app.app_context():
        from app.extensions import db
        from app.services.accounts import create_user
        name = "i18n_" + uuid.uuid4().hex[:8]
        create_user(name, "right-password", ["customer_dept"])
        db.session.commit()
    for _ in range(5):
        refused = api.post("/auth/token", json={"username": name, "password": "wrong"})
        assert refused.status_code == 401
        _all_chinese(refused)
    held = api.post("/auth/token", json={"username": name, "password": "right-password"})
    assert held.status_code == 429
    _all_chinese(held)
    # the account's hold, or the address's limit when the suite's sign-ins came first
    assert held.get_json()["error"]["message"] in ("登录失败次数过多，请稍后再试", "尝试次数过多，请稍后再试。")
    missing = api.post("/auth/token", json={})
    assert missing.status_code == 422
    _all_chinese(missing)
