"""Claiming that protects work (issue 9, item 4): a task held by someone else opens read-only,
a manager gives a task to someone of its lane, a refused submission keeps what was typed, and a
form saved as a draft comes back to its author until the task is completed. Through the API and
the pages, on both databases."""
import re

from return_authorization import ReturnCase
from procedures import Case

CLASSIFY = {"category": "repair_quality", "severity": "general"}
NOTE = "请车间今天处理"


def classify_task(api) -> tuple[Case, dict]:
    case = Case(api)
    return case, case.open_task("classify_complaint")


def field(page: str, name: str) -> str:
    """The HTML of a form field's control."""
    found = re.search(r'<(?:input|select|textarea)[^>]*id="f-' + name + r'"[^>]*>', page)
    assert found, name
    return found.group(0)


# ---------------------------------------------------------------- read-only for the others


def test_the_api_says_who_holds_a_task_and_since_when(api):
    case, task = classify_task(api)
    assert api.as_("service_manager").get(f"/tasks/{task['id']}").get_json()["claimed_at"] is None
    claimed = api.as_("demo_all").post(f"/tasks/{task['id']}/claim").get_json()
    assert claimed["claimed_by"] == "demo_all" and claimed["claimed_at"]
    seen = api.as_("service_manager").get(f"/tasks/{task['id']}").get_json()
    assert seen["claimed_by"] == "demo_all" and seen["claimed_at"] == claimed["claimed_at"]
    assert seen["draft"] is None
    # claiming again keeps the time; another's claim is refused and changes nothing
    assert api.as_("demo_all").post(f"/tasks/{task['id']}/claim").get_json()["claimed_at"] == claimed["claimed_at"]
    assert api.as_("service_manager").post(f"/tasks/{task['id']}/claim").status_code == 409
    released = api.as_("demo_all").post(f"/tasks/{task['id']}/unclaim").get_json()
    assert released["claimed_by"] is None and released["claimed_at"] is None


def test_a_task_held_by_someone_else_opens_read_only(api, pages):
    case, task = classify_task(api)
    api.as_("demo_all").post(f"/tasks/{task['id']}/claim")
    page = pages("service_manager").get(f"/tasks/{task['id']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "认领人: demo_all" in html and "此任务已由 demo_all 认领：表单仅供查看。" in html
    assert " disabled" in field(html, "category") and " readonly" in field(html, "manager_note")
    assert 'type="submit">提交<' not in html and "保存草稿" not in html and "data-keep" not in html
    # the holder's own page is the form to fill
    own = pages("demo_all").get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert " disabled" not in field(own, "category") and " readonly" not in field(own, "manager_note")
    assert 'type="submit">提交<' in own and f'data-keep="' in own


# ---------------------------------------------------------------- reassigning


def test_a_manager_gives_a_task_to_someone_of_its_lane(api, pages):
    case, _ = classify_task(api)
    case.complete("service_manager", "classify_complaint", CLASSIFY)
    task = case.open_task("handle_workshop")
    api.as_("workshop_supervisor").post(f"/tasks/{task['id']}/claim")

    given = api.as_("service_manager").post(f"/tasks/{task['id']}/assign", json={"username": "demo_all"})
    assert given.status_code == 200, given.get_json()
    assert given.get_json()["claimed_by"] == "demo_all" and given.get_json()["claimed_at"]
    assert api.as_("workshop_supervisor").post(f"/tasks/{task['id']}/complete", json={"data": {}}).status_code == 409
    history = case.instance()["history"]
    entry = [h for h in history if h["task"] == "reassign"]
    assert entry and entry[-1]["data"] == {"task": "handle_workshop", "previous": "workshop_supervisor",
                                           "assigned_to": "demo_all"}
    assert entry[-1]["completed_by"] == "service_manager"
    page = pages("service_manager").get(f"/instances/{case.id}").get_data(as_text=True)
    assert "handle_workshop: workshop_supervisor → demo_all" in page


def test_reassigning_is_refused_to_others_and_to_people_outside_the_lane(api):
    case, task = classify_task(api)
    before = api.as_("service_manager").get(f"/tasks/{task['id']}").get_json()["claimed_by"]
    # not a manager: refused at the door
    refused = api.as_("workshop_supervisor").post(f"/tasks/{task['id']}/assign", json={"username": "demo_all"})
    assert refused.status_code == 403
    # a manager, but of returns, not complaints: refused on the object
    refused = api.as_("department_head").post(f"/tasks/{task['id']}/assign", json={"username": "demo_all"})
    assert refused.status_code == 403
    # the person must hold the task's lane; the field is named, in the user's language
    for username, reason in (("customer_dept", "不具备此任务的岗位角色"), ("nobody_here", "没有此在职用户"),
                             (42, "没有此在职用户")):
        response = api.as_("service_manager").post(f"/tasks/{task['id']}/assign", json={"username": username})
        assert response.status_code == 422, response.get_json()
        assert response.get_json()["error"]["fields"] == {"username": [reason]}
    english = api.as_("service_manager").post(f"/tasks/{task['id']}/assign", json={"username": "customer_dept"},
                                              headers={"Accept-Language": "en"})
    assert english.get_json()["error"]["fields"] == {"username": ["does not hold the task's role"]}
    assert api.as_("service_manager").get(f"/tasks/{task['id']}").get_json()["claimed_by"] == before
    # the head of customer service manages return cases
    returns = ReturnCase(api)
    review = returns.open_task("review_request")
    given = api.as_("department_head").post(f"/tasks/{review['id']}/assign", json={"username": "branch_manager"})
    assert given.status_code == 200 and given.get_json()["claimed_by"] == "branch_manager"


def test_the_reassign_control_on_the_task_page(api, pages):
    case, task = classify_task(api)
    api.as_("demo_all").post(f"/tasks/{task['id']}/claim")
    manager = pages("service_manager")
    html = manager.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert f'action="/tasks/{task["id"]}/assign"' in html and '<option value="service_manager"' in html
    assert '<option value="customer_dept"' not in html  # only people of the lane
    moved = manager.post(f"/tasks/{task['id']}/assign", {"username": "service_manager"}, from_page=f"/tasks/{task['id']}")
    assert moved.status_code == 302
    html = manager.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "任务已指派。" in html and "认领人: service_manager" in html and " disabled" not in field(html, "category")
    # not offered to those who may not
    other = pages("demo_all").get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "/assign" in other  # demo_all holds every role, managers' included


# ---------------------------------------------------------------- refused submissions keep what was typed


def test_a_conflict_keeps_what_was_typed_on_the_page(api, pages):
    case, task = classify_task(api)
    manager = pages("service_manager")
    form = manager.get(f"/tasks/{task['id']}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    api.as_("demo_all").post(f"/tasks/{task['id']}/claim")  # meanwhile, someone else takes it
    response = manager.client.post(f"/tasks/{task['id']}", data={**CLASSIFY, "manager_note": NOTE,
                                                                  "csrf_token": token})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "该任务已被他人认领" in html and NOTE in html
    assert 'value="repair_quality" selected' in html
    assert case.open_names() == ["classify_complaint"]

    # completed by someone else meanwhile: the page still shows what was typed, and who completed it
    api.as_("demo_all").post(f"/tasks/{task['id']}/complete", json={"data": CLASSIFY})
    manager.get("/lang/en")  # and in English
    response = manager.client.post(f"/tasks/{task['id']}", data={**CLASSIFY, "manager_note": NOTE,
                                                                  "csrf_token": token})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "the task was already completed" in html and "Completed by: demo_all" in html
    assert NOTE in html and "demo_all" in html and " readonly" in field(html, "manager_note")


def test_an_expired_form_comes_back_with_what_was_typed(api, pages):
    case, task = classify_task(api)
    manager = pages("service_manager")
    response = manager.client.post(f"/tasks/{task['id']}", data={**CLASSIFY, "manager_note": NOTE,
                                                                  "csrf_token": "expired"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "表单已过期：您输入的内容已保留，请再提交一次。" in html and NOTE in html
    assert case.open_names() == ["classify_complaint"]  # nothing done
    # signed out: sent to sign in, and from there back to the task
    response = manager.client.application.test_client().post(f"/tasks/{task['id']}", data={**CLASSIFY})
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/login?next=/tasks/{task['id']}")


# ---------------------------------------------------------------- drafts


def test_a_draft_is_kept_for_its_author_until_the_task_is_completed(api, pages):
    case, task = classify_task(api)
    path = f"/tasks/{task['id']}"
    saved = api.as_("service_manager").request("PUT", f"{path}/draft", json={"data": {"manager_note": NOTE,
                                                                                      "category": "parts"}})
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["data"] == {"manager_note": NOTE, "category": "parts"}
    assert api.as_("service_manager").get(path).get_json()["draft"]["data"]["manager_note"] == NOTE
    assert api.as_("demo_all").get(path).get_json()["draft"] is None  # only its author's
    # shown again on the page to its author, not to the others
    html = pages("service_manager").get(path).get_data(as_text=True)
    assert NOTE in html and 'value="parts" selected' in html
    assert NOTE not in pages("demo_all").get(path).get_data(as_text=True)

    # the page's button saves one too (loosely checked: an invalid severity is fine in a draft)
    manager = pages("service_manager")
    response = manager.post(path, {"category": "sales", "severity": "", "manager_note": "改", "save_draft": "保存草稿"})
    assert response.status_code == 302
    assert api.as_("service_manager").get(path).get_json()["draft"]["data"] == {"category": "sales", "severity": "",
                                                                                "manager_note": "改"}
    assert "草稿已保存。" in manager.get(path).get_data(as_text=True)
    assert case.open_names() == ["classify_complaint"]

    # completing deletes it
    api.as_("service_manager").post(f"{path}/complete", json={"data": CLASSIFY})
    from app.extensions import db
    from app.models import TaskDraft
    with manager.client.application.app_context():
        assert db.session.query(TaskDraft).filter_by(task_id=task["id"]).count() == 0


def test_a_bad_draft_is_refused_naming_the_field(api):
    case, task = classify_task(api)
    path = f"/tasks/{task['id']}/draft"
    manager = api.as_("service_manager")
    for data, name in (({"no_such_field": "x"}, "no_such_field"), ({"manager_note": {"a": [1]}}, "manager_note"),
                       ("text", "data"), ({"manager_note": "长" * 70000}, "data")):
        response = manager.request("PUT", path, json={"data": data})
        assert response.status_code == 422, (data, response.get_json())
        assert list(response.get_json()["error"]["fields"]) == [name]
    assert manager.get(f"/tasks/{task['id']}").get_json()["draft"] is None
    # another's lane: refused; held by someone else: conflict
    assert api.as_("customer_dept").request("PUT", path, json={"data": {}}).status_code == 403
    api.as_("demo_all").post(f"/tasks/{task['id']}/claim")
    assert manager.request("PUT", path, json={"data": {"manager_note": "x"}}).status_code == 409


def test_a_cancelled_case_takes_its_drafts_along(app, api):
    case, task = classify_task(api)
    saved = api.as_("service_manager").request("PUT", f"/tasks/{task['id']}/draft", json={"data": {"manager_note": NOTE}})
    assert saved.status_code == 200
    from app.extensions import db
    from app.models import TaskDraft
    with app.app_context():
        assert db.session.query(TaskDraft).filter_by(instance_id=case.id).count() == 1
    cancelled = api.as_("admin").post(f"/instances/{case.id}/cancel", json={"reason": "重复登记"})
    assert cancelled.status_code == 200, cancelled.get_json()
    with app.app_context():
        assert db.session.query(TaskDraft).filter_by(instance_id=case.id).count() == 0
