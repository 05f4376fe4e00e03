"""Proposing and deploying procedure versions as process owners and admins do it: a draft
keeps its problems element by element, files that are no BPMN at all are refused naming
the file, and a deployed version starts new cases while running ones finish on theirs."""
import re
from pathlib import Path

import pytest

from procedures import GOOD_HANDLING, Case
from versions import (CORPUS, as_json, insert_task_after, latest_version, relabel, shipped,
                      shipped_complaint_afterwards, upload, with_bpmn)  # noqa: F401  (fixture)


def _corpus(folder: str) -> list[Path]:
    files = sorted((CORPUS / folder).glob("*"))
    assert files, f"{CORPUS / folder} is empty or missing"
    return files


def _draft_count(api) -> int:
    return api.as_("admin").get("/drafts").get_json()["total"]


def _versions(api) -> dict[str, int]:
    return {p["key"]: p["version"] for p in api.as_("admin").get("/processes").get_json()}


def test_a_process_owner_proposes_a_valid_draft_and_reads_it_back(api):
    owner = api.as_("process_owner")
    files = with_bpmn(shipped(), lambda xml: relabel(xml, "classify_complaint", "分类、定级与指派"))
    response = owner.post("/drafts", json=as_json(files))
    assert response.status_code == 201, response.get_json()
    draft = response.get_json()
    assert draft["process_key"] == "complaint" and draft["valid"] is True and draft["problems"] == []
    assert draft["created_by"] == "process_owner" and draft["deployed_version"] is None
    listed = owner.get("/drafts", query_string={"process_key": "complaint"}).get_json()
    assert draft["id"] in [d["id"] for d in listed["items"]] and listed["total"] >= 1
    one = api.as_("admin").get(f"/drafts/{draft['id']}").get_json()
    assert {f["name"]: f["content"] for f in one["files"]} == files


@pytest.mark.parametrize("username", ["customer_dept", "service_manager", "general_manager"])
def test_staff_who_do_not_own_procedures_neither_propose_nor_deploy(api, username):
    before = _draft_count(api)
    files = as_json(shipped())
    assert api.as_(username).post("/drafts", json=files).status_code == 403
    assert api.as_(username).get("/drafts").status_code == 403
    assert api.as_(username).post("/deployments", json=files).status_code == 403
    assert _draft_count(api) == before


def test_a_spiff_diagram_is_kept_as_an_invalid_draft_with_a_problem_per_element(api):
    path = CORPUS / "spiff-valid" / "sw-bpmn-lanes.bpmn"
    response = upload(api, "process_owner", "/drafts?lang=en", {path.name: path.read_bytes()})
    assert response.status_code == 201, response.get_json()
    draft = response.get_json()
    assert draft["valid"] is False and draft["problems"]
    # kept so that each reader gets them in their language: the default is Chinese
    kept = api.as_("process_owner").get(f"/drafts/{draft['id']}").get_json()["problems"]
    assert any("不是角色" in p["message"] for p in kept), kept
    assert all(p["file"] == path.name and p["element_id"] for p in draft["problems"])
    by_element = {}
    for p in draft["problems"]:
        by_element.setdefault(p["element_id"], []).append(p["message"])
    assert any("lane 'A' is not a role" in m for m in by_element["Activity_A1"])
    assert any("has no known form" in m for m in by_element["Activity_A1"])


@pytest.mark.parametrize("path", _corpus("broken"), ids=lambda p: p.name)
def test_a_broken_file_is_refused_naming_the_file_and_nothing_is_stored(api, path):
    before = _draft_count(api)
    response = upload(api, "process_owner", "/drafts", {path.name: path.read_bytes()})
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["problems"] and all(p["file"] in (path.name, None) for p in error["problems"])
    assert any(p["file"] == path.name for p in error["problems"]) or any(p["element_id"] for p in error["problems"])
    assert any(path.name in reason for reason in error["fields"]["files"]) or error["problems"][0]["element_id"]
    assert _draft_count(api) == before


@pytest.mark.parametrize("path", _corpus("hostile"), ids=lambda p: p.name)
def test_a_hostile_file_is_refused_or_invalid_and_shows_nothing_of_the_server(api, app, path):
    before = _versions(api)
    proposed = upload(api, "process_owner", "/drafts", {path.name: path.read_bytes()})
    deployed = upload(api, "admin", "/deployments", {path.name: path.read_bytes()})
    assert proposed.status_code == 422 or (proposed.status_code == 201 and proposed.get_json()["valid"] is False)
    assert deployed.status_code == 422
    for response in (proposed, deployed):
        text = response.get_data(as_text=True)
        assert "root:x:" not in text and "/bin/bash" not in text and "/bin/sh" not in text
        assert "PATH=" not in text and "HOME=" not in text and app.config["SECRET_KEY"] not in text
        assert "Traceback" not in text
    assert _versions(api) == before


def test_uploads_are_limited_in_size_and_number_and_a_refused_one_stores_nothing(api):
    before = _draft_count(api)
    owner = api.as_("process_owner")
    too_big = upload(api, "process_owner", "/drafts", {"big.bpmn": b"<" + b"x" * (2 * 1024 * 1024)})
    assert too_big.status_code == 413 and "big.bpmn" in too_big.get_json()["error"]["message"]
    eleven = {f"part{i}.bpmn": "<x/>" for i in range(11)}
    assert owner.post("/drafts", json=as_json(eleven)).status_code == 422
    huge = {f"part{i}.bpmn": b"x" * (2 * 1024 * 1024) for i in range(11)}
    assert upload(api, "process_owner", "/drafts", huge).status_code == 413
    twice = owner.post("/drafts", json={"files": [{"name": "a.bpmn", "content": "<x/>"}] * 2})
    assert twice.status_code == 422
    malformed = owner.post("/drafts", json={"files": [{"name": 7}]})
    assert malformed.status_code == 422 and set(malformed.get_json()["error"]["fields"]) == {
        "files.0.name", "files.0.content"}
    assert owner.post("/drafts", json={"files": []}).status_code == 422
    assert _draft_count(api) == before


def test_a_deployed_draft_starts_new_cases_while_a_running_one_finishes_on_its_version(
        api, shipped_complaint_afterwards):
    running = Case(api)
    running.classify(category="repair_quality", severity="general")
    old = running.instance()["version"]
    files = with_bpmn(shipped(), lambda xml: insert_task_after(
        xml, "handle_workshop", "inspect_vehicle", "复检车辆", "complaint.handle", "workshop_supervisor"))
    draft = api.as_("process_owner").post("/drafts", json=as_json(files)).get_json()
    assert draft["valid"] is True, draft
    assert api.as_("process_owner").post("/deployments", json={"draft_id": draft["id"]}).status_code == 403

    response = api.as_("admin").post("/deployments", json={"draft_id": draft["id"]})
    assert response.status_code == 201, response.get_json()
    deployed = response.get_json()
    assert deployed["key"] == "complaint" and deployed["version"] == latest_version(api) > old
    assert deployed["deployed_by"] == "admin" and deployed["deployed_at"]
    assert api.as_("admin").get(f"/drafts/{draft['id']}").get_json()["deployed_version"] == deployed["version"]
    assert api.as_("admin").post("/deployments", json={"draft_id": draft["id"]}).status_code == 409
    versions = {v["version"]: v for v in api.as_("process_owner").get("/processes/complaint/versions").get_json()}
    assert versions[deployed["version"]]["deployed_by"] == "admin"
    assert versions[old]["running_instances"] >= 1

    fresh = Case(api)
    assert fresh.instance()["version"] == deployed["version"]
    fresh.classify(category="repair_quality", severity="general")
    fresh.complete("workshop_supervisor", "handle_workshop", GOOD_HANDLING)
    assert fresh.open_names() == ["inspect_vehicle"]

    running.complete("workshop_supervisor", "handle_workshop", GOOD_HANDLING)
    assert running.open_names() == ["confirm_handling"]  # the old version has no inspection
    running.complete("service_manager", "confirm_handling", {"confirmation": "approve"})
    running.complete("customer_dept", "call_back_customer", {"problem_solved": True, "callback_satisfied": True})
    running.complete("general_manager", "sign_close", {})
    assert running.instance()["status"] == "completed" and running.instance()["version"] == old


def test_an_invalid_draft_or_invalid_files_are_refused_at_deployment_and_nothing_changes(api):
    before = _versions(api)
    lanes = CORPUS / "spiff-valid" / "sw-bpmn-lanes.bpmn"
    draft = upload(api, "process_owner", "/drafts", {lanes.name: lanes.read_bytes()}).get_json()
    refused = api.as_("admin").post("/deployments", json={"draft_id": draft["id"]})
    assert refused.status_code == 422
    assert {p["element_id"] for p in refused.get_json()["error"]["problems"]} >= {"Activity_A1", "Activity_B1"}
    assert api.as_("admin").get(f"/drafts/{draft['id']}").get_json()["deployed_version"] is None

    broken = with_bpmn(shipped(), lambda xml: xml.replace('id="complaints.assign"', 'id="complaints.teleport"'))
    refused = api.as_("admin").post("/deployments", json=as_json(broken))
    assert refused.status_code == 422
    problems = refused.get_json()["error"]["problems"]
    assert [(p["file"], p["element_id"]) for p in problems] == [("complaint.bpmn", "assign_complaint")]
    assert "complaints.teleport" in problems[0]["message"]
    assert api.as_("admin").post("/deployments", json={"draft_id": 999999}).status_code == 404
    assert api.as_("admin").post("/deployments", json={"draft_id": "1"}).status_code == 422
    assert _versions(api) == before


def test_files_identical_to_the_latest_version_are_not_deployed_twice(api, shipped_complaint_afterwards):
    files = with_bpmn(shipped(), lambda xml: relabel(xml, "sign_close", "总经理审核并签字结案"))
    first = upload(api, "admin", "/deployments", files)
    assert first.status_code == 201, first.get_json()
    again = upload(api, "admin", "/deployments", files)
    assert again.status_code == 200 and again.get_json()["unchanged"] is True
    assert again.get_json()["version"] == first.get_json()["version"] == latest_version(api)


# ---------------------------------------------------------------- the pages

def test_a_process_owner_uploads_a_draft_on_the_page_and_sees_its_problems_element_by_element(pages):
    owner = pages("process_owner")
    overview = owner.get("/procedures?lang=en")
    assert overview.status_code == 200
    html = overview.get_data(as_text=True)
    assert "Propose a version" in html and "complaint" in html and 'enctype="multipart/form-data"' in html
    lanes = CORPUS / "spiff-valid" / "sw-bpmn-lanes.bpmn"
    saved = owner.post("/procedures/drafts", {"files": [(lanes.open("rb"), lanes.name)]}, from_page="/procedures")
    assert saved.status_code == 302
    page = owner.get(saved.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "<code>Activity_A1</code>" in page and "lane &#39;A&#39; is not a role" in page
    assert "Deploy as the next version" not in page

    broken = CORPUS / "broken" / "bpmnjs-error-no-xml.txt"
    refused = owner.post("/procedures/drafts", {"files": [(broken.open("rb"), broken.name)]}, from_page="/procedures")
    assert refused.status_code == 422 and broken.name in refused.get_data(as_text=True)
    forged = owner.client.post("/procedures/drafts", data={"files": [(lanes.open("rb"), lanes.name)]})
    assert forged.status_code == 400  # no CSRF token


def test_an_admin_deploys_a_valid_draft_from_its_page(api, pages, shipped_complaint_afterwards):
    files = with_bpmn(shipped(), lambda xml: relabel(xml, "confirm_handling", "确认处理结果（经理）"))
    draft = api.as_("process_owner").post("/drafts", json=as_json(files)).get_json()
    path = f"/procedures/drafts/{draft['id']}"
    owner_page = pages("process_owner").get(path).get_data(as_text=True)
    assert "发布为下一个版本" not in owner_page and "没有问题" in owner_page
    assert pages("process_owner").post(path + "/deploy", {}, from_page=path).status_code == 403

    admin = pages("admin")
    assert "发布为下一个版本" in admin.get(path).get_data(as_text=True)
    done = admin.post(path + "/deploy", {}, from_page=path)
    assert done.status_code == 302
    version = latest_version(api)
    listing = admin.get("/procedures?lang=en").get_data(as_text=True)
    assert re.search(rf"<td>{version}</td><td>[^<]+</td><td>admin</td>", listing)
    assert "Deploy as the next version" not in admin.get(path + "?lang=en").get_data(as_text=True)


@pytest.mark.parametrize("username", ["customer_dept", "service_manager"])
def test_the_procedure_pages_are_for_process_owners_and_admins(pages, username):
    assert pages(username).get("/procedures").status_code == 403
    assert pages(username).get("/procedures/drafts/1").status_code == 403
