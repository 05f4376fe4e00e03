"""A task opens held by the responsible person the case names (the diagram's `assignee_from`
property on the user task, a field of the case): that person's inbox and notices get it, the
role's other holders see it held, a manager may give it to someone else. The shipped complaint
procedure names the person at classification (a name that is no active holder of the routed role
is refused there); a field naming nobody leaves the task to the role."""
import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import Notice, User
from procedures import Case
from versions import as_json, deploy, set_property, shipped, shipped_complaint_afterwards, with_bpmn  # noqa: F401


def _naming_the_follow_up(files: dict[str, str]) -> dict[str, str]:
    """handle_parts opens held by whoever the case's `note_nobody` names: a field the case does
    not hold, so the task opens in the role's inbox."""
    return with_bpmn(files, lambda xml: set_property(xml, "handle_parts", "assignee_from", "note_nobody"))


@pytest.fixture
def assigning(api):
    """The shipped procedure assigns handle_parts to the responsible person."""


def _classified(api, responsible: str) -> Case:
    case = Case(api)
    case.classify(category="parts", severity="general", responsible_person=responsible)
    return case


def test_the_task_opens_held_by_the_named_person(api, assigning):
    case = _classified(api, "parts_manager")
    task = case.open_task("handle_parts")
    assert task["claimed_by"] == "parts_manager"
    assert task["claimed_at"] is not None
    # demo_all holds the role too: sees it held, cannot take it over
    other = api.as_("demo_all").post(f"/tasks/{task['id']}/complete", json={"data": {}})
    assert other.status_code == 409, other.get_json()
    mine = api.as_("parts_manager").get("/tasks", query_string={"lane": "parts_manager", "per_page": 200})
    assert task["id"] in [t["id"] for t in mine.get_json()["items"]]


@pytest.fixture
def both_take_notices(app):
    """parts_manager and demo_all (who holds every role) both take notices by e-mail."""
    with app.app_context():
        db.session.execute(update(User).where(User.username.in_(("parts_manager", "demo_all")))
                           .values(notify_by="email", notify_to="someone@example.test"))
        db.session.commit()
    yield
    with app.app_context():
        db.session.execute(update(User).values(notify_by="none", notify_to=None))
        db.session.commit()


def test_only_the_named_person_is_told(app, api, assigning, both_take_notices):
    task = _classified(api, "parts_manager").open_task("handle_parts")
    with app.app_context():
        told = db.session.scalars(select(User.username).join(Notice, Notice.user_id == User.id)
                                  .where(Notice.task_id == task["id"])).all()
    assert told == ["parts_manager"]


def test_a_name_that_does_not_hold_the_role_is_refused_at_classification(api, assigning):
    for name in ("workshop_supervisor", "nobody_of_that_name"):
        case = Case(api)
        case.complete("service_manager", "classify_complaint",
                      {"category": "parts", "severity": "general", "responsible_person": name}, expect=422)
        assert case.open_names() == ["classify_complaint"]


def test_a_field_naming_nobody_leaves_the_task_to_the_role(api, shipped_complaint_afterwards):  # noqa: F811
    deploy(api, _naming_the_follow_up(shipped()))
    task = _classified(api, "parts_manager").open_task("handle_parts")
    assert task["claimed_by"] is None


def test_a_diagram_naming_no_field_is_refused_at_the_draft(api):
    files = with_bpmn(shipped(), lambda xml: set_property(xml, "handle_parts", "assignee_from", "not a field!"))
    draft = api.as_("process_owner").post("/drafts", json=as_json(files)).get_json()
    assert draft["valid"] is False
    assert any("assignee_from" in problem["message"] for problem in draft["problems"]), draft["problems"]
