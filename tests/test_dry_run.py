"""Before deploying a draft: the dry run (POST /procedures/drafts/<id>/dry-run, the page's JSON
call with its session and CSRF token) walks the draft through a test case with the real engine
and handlers and keeps nothing; the saved test cases (`<process>.test.json`) must pass at
deployment; the diff page carries both diagrams and the running cases that could move or not."""
import html
import json
import re
import shutil

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import RecordCounter
from app.web.procedures import EDITOR_CSP
from procedures import GOOD_HANDLING, Case
from versions import ROOT, as_json, insert_task_after, latest_version, set_form, shipped, with_bpmn

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
SAVED = {key: json.loads((ROOT / "processes" / f"{key}.test.json").read_text(encoding="utf-8"))[0]
         for key in ("complaint", "return_authorization", "callback")}


def _draft(api, files: dict[str, str]) -> int:
    response = api.as_("process_owner").post("/drafts", json=as_json(files))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _dry_run(client, draft_id: int, body, lang: str | None = None):
    page = client.get(f"/procedures/drafts/{draft_id}/diff").get_data(as_text=True)
    headers = {"X-CSRFToken": TOKEN.search(page).group(1)}
    path = f"/procedures/drafts/{draft_id}/dry-run" + (f"?lang={lang}" if lang else "")
    return client.client.post(path, json=body, headers=headers)


def _rows(app) -> dict[str, int]:
    """Every table's row count, and the record counters' values (a number given out would show)."""
    with app.app_context():
        counts = {table.name: db.session.scalar(select(func.count()).select_from(table))
                  for table in db.metadata.sorted_tables}
        counts.update({f"{c.prefix}-{c.period}": c.last_value for c in db.session.scalars(select(RecordCounter))})
        return counts


@pytest.mark.parametrize("key,end", [("complaint", "end_closed"), ("return_authorization", "end_shipped"),
                                     ("callback", "end_callback")])
def test_each_shipped_procedure_runs_its_saved_case_and_a_typed_one_to_its_end(api, pages, key, end):
    draft = _draft(api, shipped(key))
    owner = pages("process_owner")
    saved = _dry_run(owner, draft, {"saved": SAVED[key]["name"]})
    assert saved.status_code == 200, saved.get_json()
    result = saved.get_json()
    assert result["end"] == end and result["stop"] is None and result["passed"] is True, result
    path = [step["element_id"] for step in result["path"]]
    assert path[-1] == end and set(SAVED[key]["expect"]["path_includes"]) <= set(path)
    assert all(step["name"] is not None and step["kind"] for step in result["path"])
    assert [t["element_id"] for t in result["tasks"]] == [p for p in path if p in {t["element_id"] for t in result["tasks"]}]

    typed = _dry_run(pages("admin"), draft, {"case": SAVED[key]})
    assert typed.status_code == 200 and typed.get_json()["end"] == end


def test_the_complaint_path_names_each_step_and_the_answers_each_task_got(api, pages):
    result = _dry_run(pages("process_owner"), _draft(api, shipped()), {"case": SAVED["complaint"]}).get_json()
    steps = {step["element_id"]: step for step in result["path"]}
    assert steps["classify_complaint"]["name"] == "分类与指派" and steps["classify_complaint"]["kind"] == "UserTask"
    assert steps["end_closed"]["kind"] == "EndEvent"
    path = [step["element_id"] for step in result["path"]]
    assert path.index("register_complaint") < path.index("classify_complaint") < path.index("handle_business") \
        < path.index("confirm_handling") < path.index("call_back_customer") < path.index("sign_close")
    classify = result["tasks"][0]
    assert classify["element_id"] == "classify_complaint" and classify["form_key"] == "complaint.classify"
    assert classify["answers"]["category"] == "service_attitude"
    assert classify["answers"]["deadline_days"] is None  # cleaned by the form: every field present


def test_a_dry_run_stops_on_missing_answers_on_invalid_ones_and_on_a_failing_script(api, pages):
    owner = pages("process_owner")
    draft = _draft(api, shipped())
    start = SAVED["complaint"]["start"]
    missing = _dry_run(owner, draft, {"case": {"name": "x", "start": start, "tasks": [
        {"task": "complaint.classify", "answers": {"category": "parts", "severity": "general",
                                                   "responsible_person": "parts_manager"}}]}}).get_json()
    assert missing["end"] is None and missing["passed"] is False
    assert missing["stop"]["reason"] == "no_answers" and missing["stop"]["element_id"] == "handle_parts"
    assert "handle_parts" in missing["stop"]["message"] and "complaint.handle" in missing["stop"]["message"]
    assert "dispatch_department" in [step["element_id"] for step in missing["path"]]

    invalid = _dry_run(owner, draft, {"case": {"start": start, "tasks": [
        {"task": "classify_complaint", "answers": {"category": "bogus", "severity": "general",
                                                   "responsible_person": "parts_manager"}}]}}, lang="en")
    stop = invalid.get_json()["stop"]
    assert stop["reason"] == "invalid_answers" and stop["element_id"] == "classify_complaint"
    assert list(stop["errors"]) == ["category"] and stop["errors"]["category"][0].startswith("Must be one of")
    assert "classify_complaint" in stop["message"]
    chinese = _dry_run(owner, draft, {"case": {"start": {**start, "contact_phone": ""}}}).get_json()["stop"]
    assert chinese["reason"] == "invalid_answers" and "contact_phone" in chinese["errors"]
    assert chinese["message"] != "the start answers have errors"  # in the page's language

    broken = with_bpmn(shipped(), lambda xml: xml.replace('severity == "major"', 'severity.upper() == 1 // 0'))
    failed = _dry_run(owner, _draft(api, broken), {"case": SAVED["complaint"]}).get_json()
    assert failed["stop"]["reason"] == "error" and failed["stop"]["element_id"] == "is_major", failed["stop"]
    assert "is_major" in failed["stop"]["message"]


def test_a_dry_run_stores_nothing(app, api, pages):
    owner = pages("admin")
    draft = _draft(api, shipped("return_authorization"))
    before = _rows(app)
    for _ in range(2):
        response = _dry_run(owner, draft, {"saved": SAVED["return_authorization"]["name"]})
        assert response.status_code == 200 and response.get_json()["passed"] is True
    stopped = _dry_run(owner, draft, {"case": {**SAVED["return_authorization"], "tasks": []}})
    assert stopped.get_json()["stop"]["reason"] == "no_answers"
    assert _rows(app) == before


def test_a_bad_test_case_or_an_unknown_saved_one_is_refused_naming_the_field(api, pages):
    owner = pages("process_owner")
    draft = _draft(api, shipped())
    bad = _dry_run(owner, draft, {"case": {"start": [], "tasks": [{"task": "x", "answers": 3}, {"advance_days": 0}]}},
                   lang="en")
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"case.start", "case.tasks.0", "case.tasks.1"}
    unknown = _dry_run(owner, draft, {"saved": "nope"})
    assert unknown.status_code == 422 and "saved" in unknown.get_json()["errors"]
    assert _dry_run(owner, draft, "not an object").status_code == 422
    clerk = pages("customer_dept")
    assert clerk.client.post(f"/procedures/drafts/{draft}/dry-run", json={"saved": "x"}).status_code in (400, 403)


def test_a_deployment_is_refused_when_a_saved_case_goes_another_way(api, app, tmp_path):
    # A step inserted on the saved case's path: the case has no answers for it.
    files = {**with_bpmn(shipped(), lambda xml: insert_task_after(
        xml, "handle_business", "inspect_business", "复核处理", "complaint.handle", "business_supervisor")),
        "complaint.test.json": shipped()["complaint.test.json"]}
    before = latest_version(api)
    draft = _draft(api, files)
    response = api.as_("admin").post("/deployments", json={"draft_id": draft})
    assert response.status_code == 422, response.get_json()
    problems = response.get_json()["error"]["problems"]
    assert len(problems) == 1 and problems[0]["file"] == "complaint.test.json"
    assert SAVED["complaint"]["name"] in problems[0]["message"] and "inspect_business" in problems[0]["message"]
    assert problems[0]["element_id"] == "inspect_business"
    assert latest_version(api) == before

    # `flask deploy` refuses the folder the same way and deploys nothing.
    folder = tmp_path / "processes"
    shutil.copytree(ROOT / "processes", folder)
    (folder / "complaint.bpmn").write_text(files["complaint.bpmn"], encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["deploy", str(folder)])
    assert result.exit_code == 1
    assert "complaint.test.json" in result.output and SAVED["complaint"]["name"] in result.output
    assert latest_version(api) == before

    # A test file that is not a list of cases is a problem of the draft itself.
    broken = api.as_("process_owner").post(
        "/drafts", json=as_json({**shipped(), "complaint.test.json": '{"name": 1}'})).get_json()
    assert broken["valid"] is False and broken["problems"][0]["file"] == "complaint.test.json"


def _section(page: str, element_id: str) -> str:
    return html.unescape(re.search(rf'<textarea id="{element_id}" hidden>(.*?)</textarea>', page, re.S).group(1))


def test_the_diff_page_carries_both_diagrams_and_says_which_running_cases_could_move(api, pages):
    at_classify = Case(api)  # the draft changes nothing it stands on or has done: it could move
    at_workshop = Case(api)  # stands on the task whose form the draft changes: it could not
    at_workshop.classify(category="repair_quality", severity="general")
    files = with_bpmn(shipped(), lambda xml: set_form(insert_task_after(
        xml, "handle_workshop", "inspect_vehicle", "复检车辆", "complaint.handle", "workshop_supervisor"),
        "handle_workshop", "complaint.handle"))
    draft = _draft(api, files)
    response = pages("admin").get(f"/procedures/drafts/{draft}/diff")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == EDITOR_CSP  # scripts from 'self' only
    page = response.get_data(as_text=True)
    deployed, proposed = _section(page, "diff-before-xml"), _section(page, "diff-after-xml")
    assert 'id="handle_workshop"' in deployed and "inspect_vehicle" not in deployed
    assert proposed == files["complaint.bpmn"]
    texts = json.loads(re.search(r'<script type="application/json" id="diff-texts">(.*?)</script>', page, re.S).group(1))
    assert texts["kinds"]["bpmn:UserTask"] == "用户任务" and texts["added"] == "新增"

    movable = re.search(r'<table id="movable-cases">(.*?)</table>', page, re.S).group(1)
    unmovable = re.search(r'<table id="unmovable-cases">(.*?)</table>', page, re.S).group(1)
    assert f'data-instance="{at_classify.id}"' in movable and f'data-instance="{at_classify.id}"' not in unmovable
    assert f'data-instance="{at_workshop.id}"' in unmovable and f'data-instance="{at_workshop.id}"' not in movable
    row = re.search(rf'data-instance="{at_workshop.id}">(.*?)</tr>', unmovable, re.S).group(1)
    assert "<code>handle_workshop</code>" in row and "changed in the target version" in row
    # Judged, not moved: both cases still run on their version and go on as before.
    assert at_workshop.instance()["version"] == at_classify.instance()["version"] == latest_version(api)
    at_workshop.complete("workshop_supervisor", "handle_workshop", GOOD_HANDLING)
    assert at_workshop.open_names() == ["confirm_handling"]

    owner = pages("process_owner").get(f"/procedures/drafts/{draft}/diff").get_data(as_text=True)
    assert 'id="dry-run-form"' in owner
    assert pages("customer_dept").get(f"/procedures/drafts/{draft}/diff").status_code == 403
    draft_page = pages("admin").get(f"/procedures/drafts/{draft}").get_data(as_text=True)
    assert f'href="/procedures/drafts/{draft}/diff"' in draft_page


def test_a_timer_move_lets_the_deadline_fire_inside_the_run_only(api, pages):
    from datetime import datetime, timedelta, timezone
    from app import clock
    owner = pages("process_owner")
    case = {"start": SAVED["complaint"]["start"], "tasks": [
        SAVED["complaint"]["tasks"][0], {"advance_working_days": 6}]}
    result = _dry_run(owner, _draft(api, shipped()), {"case": case}).get_json()
    path = [step["element_id"] for step in result["path"]]
    assert "clock_business_late" in path and "clock_business_record" in path  # the department's deadline passed
    assert path.index("clock_business_late") > path.index("dispatch_department")
    assert result["stop"]["reason"] == "no_answers"
    assert result["stop"]["element_id"] in ("handle_business", "escalate_handle_business")
    assert abs(clock.now() - datetime.now(timezone.utc)) < timedelta(minutes=1)  # the service clock did not move
    without = _dry_run(owner, _draft(api, shipped()), {"case": {**case, "tasks": case["tasks"][:1]}}).get_json()
    assert "clock_business_late" not in [step["element_id"] for step in without["path"]]


def _saved_names(api, draft_id: int) -> list[str]:
    files = {f["name"]: f["content"] for f in api.as_("admin").get(f"/drafts/{draft_id}").get_json()["files"]}
    return [case["name"] for case in json.loads(files["complaint.test.json"])]


def test_a_typed_case_is_kept_among_the_saved_ones_in_a_new_draft(api, pages):
    owner = pages("process_owner")
    draft = _draft(api, shipped())
    page = f"/procedures/drafts/{draft}/diff"
    typed = {**SAVED["complaint"], "name": "另一条", "tasks": SAVED["complaint"]["tasks"][:1],
             "expect": {}}
    response = owner.post(f"/procedures/drafts/{draft}/test-cases", {"case": json.dumps(typed)}, from_page=page)
    assert response.status_code == 302, response.get_data(as_text=True)
    kept = int(re.search(r"/procedures/drafts/(\d+)/diff$", response.headers["Location"]).group(1))
    assert kept != draft and _saved_names(api, kept) == [SAVED["complaint"]["name"], "另一条"]
    assert _saved_names(api, draft) == [SAVED["complaint"]["name"]]  # drafts stay as they were
    again = owner.post(f"/procedures/drafts/{kept}/test-cases", {"case": json.dumps({**typed, "expect": {"end": "x"}})},
                       from_page=f"/procedures/drafts/{kept}/diff")
    newest = int(re.search(r"/drafts/(\d+)/diff$", again.headers["Location"]).group(1))
    assert _saved_names(api, newest) == [SAVED["complaint"]["name"], "另一条"]  # the same name replaced

    before = api.as_("admin").get("/drafts").get_json()["total"]
    for body, field in (({"case": "{oops"}, "case"), ({"case": json.dumps({**typed, "name": " "})}, "case.name")):
        refused = owner.post(f"/procedures/drafts/{draft}/test-cases", body, from_page=page)
        assert refused.status_code == 422
        assert f'data-field="{field}"' in refused.get_data(as_text=True)
    assert api.as_("admin").get("/drafts").get_json()["total"] == before
    assert pages("customer_dept").client.post(f"/procedures/drafts/{draft}/test-cases",
                                              data={"case": "{}"}).status_code in (400, 403)
