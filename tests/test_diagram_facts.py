"""The diagram owns its facts: what a task is due by, what its page shows, which role a lane is.
The shipped diagrams carry them as element properties; versions stored before get them written
in by the migration; bad values are named element by element."""
import json
import re
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.engine import read_facts
from app.models.types import JsonData
from app.services import deployments
from versions import shipped

FACT = re.compile(r'\s*<spiffworkflow:property name="(due_days|due_from|shows|case_fields)" value="[^"]*" />')


def _as_before(xml: str) -> str:
    """A diagram as versions were stored before: no fact properties."""
    return FACT.sub("", xml)


def test_the_shipped_diagrams_say_due_rules_pages_and_lane_roles(app):
    with app.app_context():
        facts = read_facts(shipped())
        parsed, problems = deployments.check(shipped())
    assert problems == []
    assert facts.task("classify_complaint").due_from == "deadlines.classification"
    assert facts.task("handle_workshop").due_from == "deadlines.handling"
    assert facts.task("handle_workshop").assignee_from == "responsible_person"
    assert facts.task("confirm_handling").shows[:2] == ("complaint.handle", "complaint.handle_repair")
    assert facts.case_fields[:2] == ("customer_name", "contact_phone")
    lanes = {ts.bpmn_id: ts.lane for ts in parsed.all_task_specs() if getattr(ts, "bpmn_id", None)}
    assert lanes["classify_complaint"] == "service_manager" and lanes["sign_close"] == "general_manager"
    # an escalation inside a department's clock subprocess goes to the role it names
    assert lanes["escalate_handle_parts"] == "service_manager" and lanes["escalate_classify_complaint"] == "general_manager"
    assert lanes["escalate_sign_close"] == "group_supervisor" and lanes["review_repeated_overdue"] == "general_manager"
    assert re.search(r'<bpmn:lane id="Lane_service_manager" name="售后服务经理">', shipped()["complaint.bpmn"])


def test_bad_fact_properties_are_named_element_by_element(app):
    xml = shipped()["complaint.bpmn"]
    xml = xml.replace('name="due_from" value="deadlines.classification"', 'name="due_days" value="soon"', 1)
    xml = xml.replace('name="due_from" value="deadlines.first_response"', 'name="due_from" value="deadlines[0]"')
    with app.app_context():
        _, problems = deployments.check({**shipped(), "complaint.bpmn": xml})
    by_element = {p.element_id: str(p.message) for p in problems}
    assert by_element["classify_complaint"].startswith("property due_days must be a whole number of working days")
    assert "deadlines[0]" in by_element["follow_up_major"]


@pytest.mark.parametrize("expression, found", [
    ('"dealer_agent" if route == "dealer" else "dealer"', "gives dealer, which is not a role"),
    ("route", "must give roles by name"),
    ('"dealer_agent" if route == ', "role_expression: "),
    ("__import__('os')", "role_expression: "),
])
def test_a_role_expression_is_checked_at_deployment(app, expression, found):
    """A user task's role_expression (the withdrawal's role by the route) must run and name known roles."""
    files = shipped("return_authorization")
    good = '"dealer_agent" if route == "dealer" else "branch_engineer"'.replace('"', "&quot;")
    xml = files["return_authorization.bpmn"]
    assert xml.count(good) == 2
    xml = xml.replace(good, expression.replace('"', "&quot;"), 1)
    with app.app_context():
        _, problems = deployments.check({**files, "return_authorization.bpmn": xml})
        assert deployments.check(files)[1] == []
    assert [p.element_id for p in problems] == ["withdraw_request"] and found in str(problems[0].message)


def test_versions_stored_before_get_the_facts_written_into_their_diagrams(app, empty_database_url):
    # the diagram of those days: version 1 of the complaint procedure
    version_1 = {**shipped(), "complaint.bpmn": (Path(__file__).parent / "data" / "complaint.v1.bpmn").read_text()}
    old = {**version_1, "complaint.bpmn": _as_before(version_1["complaint.bpmn"])}
    assert read_facts(old).task("classify_complaint").due_days is None
    earlier = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url,
                          "SECRET_KEY": uuid.uuid4().hex})
    with earlier.app_context():
        upgrade(revision="f9_lists")
        from app.extensions import db
        versions = sa.table("process_versions", *(sa.column(c) for c in (
            "process_key", "version", "name", "sha256", "spec", "serializer_version")),
            sa.column("files", JsonData), sa.column("deployed_at", sa.DateTime(timezone=True)))
        db.session.execute(versions.insert().values(
            process_key="complaint", version=1, name="客户投诉处理流程", sha256="old", spec="{}",
            serializer_version="1", deployed_at=sa.func.now(),
            files=old))
        db.session.commit()
        upgrade()
        row = db.session.execute(sa.text("SELECT files, sha256 FROM process_versions")).one()
        files = row[0] if isinstance(row[0], dict) else json.loads(row[0])
        db.engine.dispose()
    now, shipped_facts = read_facts(files), read_facts(version_1)
    assert now.tasks == shipped_facts.tasks and now.case_fields == shipped_facts.case_fields
    assert row[1] != "old"
