"""Deploying procedures: the shipped diagrams are complete, uploads from other tools never
crash the service, and whatever is refused is refused with the file and the element."""
import re
from pathlib import Path

import pytest

from app import forms, handlers
from app.services import deployments

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "bpmn-corpus"


def _corpus(folder: str) -> list[Path]:
    files = sorted((CORPUS / folder).glob("*"))
    assert files, f"{CORPUS / folder} is empty or missing"
    return files


@pytest.fixture(scope="module")
def context():
    from app import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        yield app


def test_every_shipped_procedure_is_valid_and_names_only_known_handlers_and_forms(context):
    procedures = deployments.procedure_files(ROOT / "processes")
    assert "complaint" in procedures
    for key, files in procedures.items():
        parsed, problems = deployments.check(files)
        assert problems == [], (key, problems)
        for ts in parsed.all_task_specs():
            kind = type(ts).__name__
            if kind == "ServiceTask":
                assert ts.operation_name in handlers.HANDLERS, ts.bpmn_id
            if kind == "UserTask":
                assert ts.extensions["properties"]["form"] in forms.FORMS, ts.bpmn_id


@pytest.mark.parametrize("path", _corpus("broken"), ids=lambda p: p.name)
def test_a_broken_file_is_refused_naming_the_file(context, path):
    parsed, problems = deployments.check({path.name: path.read_bytes()})
    assert problems, "a broken file must be refused"
    assert all(p.file == path.name or p.file is None for p in problems)
    assert any(p.file == path.name for p in problems) or any(p.element_id for p in problems)


@pytest.mark.parametrize("path", _corpus("foreign-valid"), ids=lambda p: p.name)
def test_a_file_from_another_tool_is_judged_never_crashes(context, path):
    parsed, problems = deployments.check({path.name: path.read_bytes()})
    # Accepted, or refused with messages a process owner can act on.
    assert parsed is not None or problems
    assert all(p.message and "Traceback" not in p.message for p in problems)


@pytest.mark.parametrize("path", _corpus("hostile"), ids=lambda p: p.name)
def test_a_hostile_file_is_refused_and_shows_nothing_of_the_server(context, path):
    parsed, problems = deployments.check({path.name: path.read_bytes()})
    assert problems
    text = " ".join(p.message for p in problems)
    assert "root:" not in text and "/bin/bash" not in text
    assert "PATH=" not in text and "SECRET" not in text


def test_a_spiff_diagram_is_read_and_told_what_is_missing_element_by_element(context):
    path = CORPUS / "spiff-valid" / "sw-bpmn-lanes.bpmn"
    parsed, problems = deployments.check({path.name: path.read_bytes()})
    assert parsed is not None
    messages = {(p.element_id, p.message.split(":")[0]) for p in problems}
    assert any("lane 'A' is not a role" in p.message for p in problems)
    assert any("has no known form" in p.message for p in problems)
    assert all(p.element_id for p in problems), messages


COMPLAINT = (ROOT / "processes" / "complaint.bpmn").read_text(encoding="utf-8")
ROUTING = (ROOT / "processes" / "complaint_routing.dmn").read_text(encoding="utf-8")


@pytest.mark.parametrize("condition", [
    "().__class__.__base__.__subclasses__()",
    "__import__('os').system('id')",
    "open('/etc/passwd').read()",
    "'{0.__class__}'.format(severity)",
])
def test_an_unsafe_expression_is_refused_at_deployment_naming_the_gateway(context, condition):
    changed = COMPLAINT.replace('severity == "major"', condition.replace("'", "&apos;"), 1)
    changed = changed.replace("severity == &quot;major&quot;", condition.replace("'", "&apos;"), 1)
    assert changed != COMPLAINT
    parsed, problems = deployments.check({"complaint.bpmn": changed, "complaint_routing.dmn": ROUTING})
    assert [p.element_id for p in problems] == ["is_major"], problems
    assert problems[0].file == "complaint.bpmn"


def test_an_unknown_handler_or_lane_is_refused_element_by_element(context):
    changed = COMPLAINT.replace('id="complaints.assign"', 'id="complaints.teleport"')
    changed = changed.replace('name="role" value="parts_manager"', 'name="role" value="astronaut"')
    parsed, problems = deployments.check({"complaint.bpmn": changed, "complaint_routing.dmn": ROUTING})
    by_element = {p.element_id: p.message for p in problems}
    assert "complaints.teleport" in by_element["assign_complaint"]
    assert "astronaut" in by_element["handle_parts"]


def test_the_deploy_command_names_file_and_element_and_deploys_nothing(app, tmp_path):
    (tmp_path / "complaint.bpmn").write_text(COMPLAINT.replace('id="complaints.assign"', 'id="nope.nothing"'),
                                             encoding="utf-8")
    (tmp_path / "complaint_routing.dmn").write_text(ROUTING, encoding="utf-8")
    with app.app_context():
        before = deployments.latest_version("complaint").version
        result = app.test_cli_runner().invoke(args=["deploy", str(tmp_path)])
        assert result.exit_code == 1
        assert "complaint.bpmn: assign_complaint: service task has no handler" in result.output
        assert deployments.latest_version("complaint").version == before


def test_redeploying_unchanged_files_keeps_the_version_and_a_change_makes_a_new_one(app, api, tmp_path):
    with app.app_context():
        runner = app.test_cli_runner()
        before = deployments.latest_version("complaint").version
        assert "unchanged" in runner.invoke(args=["deploy"]).output
        (tmp_path / "complaint.bpmn").write_text(COMPLAINT.replace("收到投诉", "收到客户投诉"), encoding="utf-8")
        (tmp_path / "complaint_routing.dmn").write_text(ROUTING, encoding="utf-8")
        result = runner.invoke(args=["deploy", str(tmp_path)])
        assert result.exit_code == 0 and f"version {before + 1} deployed" in result.output
    versions = api.as_("admin").get("/processes/complaint/versions").get_json()
    assert [v["version"] for v in versions][-2:] == [before, before + 1]
    latest = api.as_("customer_dept").get("/processes").get_json()
    assert {p["key"]: p["version"] for p in latest}["complaint"] == before + 1


def test_demo_users_are_never_created_in_production(tmp_path):
    from app import create_app
    prod = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.sqlite'}",
                       "ENVIRONMENT": "production"})
    with prod.app_context():
        from flask_migrate import upgrade
        upgrade()
        result = prod.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 1 and "never created in production" in result.output
        from app.models import User
        from app.extensions import db
        assert db.session.query(User).count() == 0


def test_a_parser_failure_is_told_without_the_parsers_internals(context):
    path = CORPUS / "foreign-valid" / "miwg-adonis-C.3.0-roundtrip.bpmn"
    parsed, problems = deployments.check({path.name: path.read_bytes()})
    assert problems and all("unexpected keyword" not in p.message and "NodeParser" not in p.message
                            for p in problems)
    assert problems[0].file == path.name
