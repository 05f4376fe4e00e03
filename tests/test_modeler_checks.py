"""The modeler's checks: POST /procedures/<key>/check answers the problems of the diagram being
edited element by element, in the reader's language, storing nothing (the page's session and its
CSRF token in the X-CSRFToken header, as the modeler bundle sends them), with a version or a draft
as the base; saving makes a new draft."""
import json
import re

import pytest

from versions import set_form, shipped

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _broken() -> str:
    xml = shipped()["complaint.bpmn"]
    xml = xml.replace('value="claims_supervisor"', 'value="claims"')      # a lane that is no role
    xml = set_form(xml, "classify_complaint", "")                          # a user task without form
    return xml.replace('severity == "major"', 'severity == "major" and __import__("os")')  # a bad condition


def _check(owner, xml, lang=None, token=True):
    page = owner.get("/procedures/complaint/edit").get_data(as_text=True)
    headers = {"X-CSRFToken": TOKEN.search(page).group(1)} if token else {}
    path = "/procedures/complaint/check" + (f"?lang={lang}" if lang else "")
    return owner.client.post(path, json={"bpmn": xml}, headers=headers)


def _drafts(api) -> int:
    return api.as_("admin").get("/drafts").get_json()["total"]


def test_the_modeler_check_names_each_element_and_its_problem_in_chinese_and_stores_nothing(api, pages):
    owner = pages("process_owner")
    before = _drafts(api)
    response = _check(owner, _broken())
    assert response.status_code == 200, response.get_data(as_text=True)
    problems = response.get_json()["problems"]
    by_element = {}
    for p in problems:
        assert set(p) == {"element_id", "message"}
        by_element.setdefault(p["element_id"], []).append(p["message"])
    assert any(m.startswith("用户任务没有已知表单") for m in by_element["classify_complaint"]), by_element
    claims = [el for el, found in by_element.items() if any(m.startswith("泳道“claims”不是角色") for m in found)]
    assert claims, by_element
    assert any("__import__" in m for m in by_element["is_major"]), by_element
    assert _drafts(api) == before

    clean = _check(owner, shipped()["complaint.bpmn"])
    assert clean.status_code == 200 and clean.get_json() == {"problems": []}


def test_the_modeler_check_answers_in_english_with_the_language_switch(pages):
    owner = pages("process_owner")
    problems = _check(owner, _broken(), lang="en").get_json()["problems"]
    messages = {p["element_id"]: p["message"] for p in problems if p["element_id"] == "classify_complaint"}
    assert messages["classify_complaint"] == "user task has no known form (property 'form' = '')"
    assert any(p["message"].startswith("lane 'claims' is not a role (known roles: ") for p in problems)


def test_unreadable_or_missing_diagrams_and_forged_or_unentitled_checks(pages):
    owner = pages("process_owner")
    unreadable = _check(owner, "<definitions").get_json()["problems"]
    assert unreadable and unreadable[0]["element_id"] is None and "XML" in unreadable[0]["message"]
    page = owner.get("/procedures/complaint/edit").get_data(as_text=True)
    token = {"X-CSRFToken": TOKEN.search(page).group(1)}
    missing = owner.client.post("/procedures/complaint/check?lang=en", json={"xml": "x"}, headers=token)
    assert missing.status_code == 400 and missing.get_json()["errors"] == {"bpmn": ["required, a text"]}
    assert _check(owner, shipped()["complaint.bpmn"], token=False).status_code == 400  # no CSRF token
    assert owner.client.post("/procedures/nothing/check", json={"bpmn": "x"}, headers=token).status_code == 404


@pytest.mark.parametrize("username", ["customer_dept", "service_manager"])
def test_staff_who_do_not_own_procedures_may_not_check(pages, username):
    person = pages(username)
    page = person.get("/inbox").get_data(as_text=True)
    token = TOKEN.search(page)
    headers = {"X-CSRFToken": token.group(1)} if token else {}
    response = person.client.post("/procedures/complaint/check", json={"bpmn": "x"}, headers=headers)
    assert response.status_code == 403


def test_the_page_of_a_draft_with_problems_links_to_the_editor(pages):
    owner = pages("process_owner")
    saved = owner.post("/procedures/complaint/edit", {"bpmn": _broken()})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    draft_id = saved.headers["Location"].rsplit("/", 1)[1]
    page = owner.get(saved.headers["Location"]).get_data(as_text=True)
    assert f'<a id="fix-in-editor" href="/procedures/complaint/edit?draft={draft_id}">' in page
    clean = owner.post("/procedures/complaint/edit", {"bpmn": shipped()["complaint.bpmn"]})
    assert 'id="fix-in-editor"' not in owner.get(clean.headers["Location"]).get_data(as_text=True)


def _draft(api, draft_id) -> dict:
    body = api.as_("admin").get(f"/drafts/{draft_id}").get_json()
    return {f["name"]: f["content"] for f in body["files"]}


def test_a_draft_is_edited_as_a_base_and_saving_makes_a_new_draft_with_the_new_forms(api, pages):
    """GET/POST /procedures/<key>/edit?draft=<id>: the draft's files are edited; saving adds a
    minimal definition for each form the diagram names that no file or shipped form defines,
    and stores a NEW draft, the base staying as it was."""
    owner = pages("process_owner")
    first = owner.post("/procedures/complaint/edit", {"bpmn": set_form(shipped()["complaint.bpmn"], "classify_complaint",
                                                                          "complaint.triage")})
    assert first.status_code == 302, first.get_data(as_text=True)
    first_id = first.headers["Location"].rsplit("/", 1)[1]
    files = _draft(api, first_id)
    assert json.loads(files["complaint.triage.form"]) == {
        "id": "complaint.triage", "type": "default", "schemaVersion": 16,
        "title": {"zh-CN": "分类与指派", "en": "分类与指派"}, "components": []}
    assert not any(name.startswith("complaint.classify") for name in files)  # shipped forms are not copied

    page = owner.get(f"/procedures/complaint/edit?draft={first_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "complaint.triage" in text and f'action="/procedures/complaint/edit?draft={first_id}"' in text
    assert '"base": "draft-' + first_id + '"' in text
    assert '"check_url": "/procedures/complaint/check?draft=' + first_id + '"' in text

    token = {"X-CSRFToken": TOKEN.search(text).group(1)}
    checked = owner.client.post(f"/procedures/complaint/check?draft={first_id}", json={"bpmn": files["complaint.bpmn"]},
                                headers=token)
    assert checked.status_code == 200
    assert any(p["element_id"] == "classify_complaint" for p in checked.get_json()["problems"])  # no such form yet

    second = owner.post(f"/procedures/complaint/edit?draft={first_id}",
                        {"bpmn": files["complaint.bpmn"].replace('name="分类与指派"', 'name="分诊"')})
    assert second.status_code == 302, second.get_data(as_text=True)
    second_id = second.headers["Location"].rsplit("/", 1)[1]
    assert second_id != first_id
    again = _draft(api, second_id)
    assert 'name="分诊"' in again["complaint.bpmn"]
    assert again["complaint.triage.form"] == files["complaint.triage.form"]  # the base's definition kept
    assert _draft(api, first_id) == files


def test_a_draft_base_must_be_a_draft_of_that_procedure(api, pages):
    owner = pages("process_owner")
    saved = owner.post("/procedures/complaint/edit", {"bpmn": shipped()["complaint.bpmn"]})
    draft_id = saved.headers["Location"].rsplit("/", 1)[1]
    assert owner.get(f"/procedures/callback/edit?draft={draft_id}").status_code == 404
    assert owner.get("/procedures/complaint/edit?draft=999999").status_code == 404
    refused = owner.get("/procedures/complaint/edit?draft=abc")
    assert refused.status_code == 422 and "草稿编号" in refused.get_data(as_text=True)
    before = _drafts(api)
    assert owner.post("/procedures/callback/edit?draft=" + draft_id, {"bpmn": "x"}).status_code == 404
    assert _drafts(api) == before
