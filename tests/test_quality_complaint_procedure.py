"""Quality complaints (质量投诉, 8D), driven through HTTP as the demo users with the service clock
moved: quality assurance responds (on site within 8 hours when needed), a temporary countermeasure
within 1 working day, a permanent one within 5, the 8D report, and the customer department's check
of the effect with the customer (A: another round; B: clarify, close in dispute if need be)."""
from datetime import datetime, timedelta
from io import BytesIO

from cases import SHANGHAI, Instance
from procedures import Case, fire_timers, moved_clock

from app.extensions import db
from app.services import deployments

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
FRIDAY = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
START = {"customer_name": "华东精密机械有限公司", "contact_person": "陈经理", "contact_phone": "021-5555 0188",
         "product": "XR-200 外壳", "batch_number": "B2611-07", "description": "外壳注塑件批量缩痕",
         "customer_request": "更换整批并给出8D报告"}
REPORT = {"d1_team": "品保部王工、模具组李工", "d2_problem": "B2611-07 批外壳缩痕 12%",
          "d3_containment": "库存全检，隔离不良品", "d4_root_cause": "模具冷却水路堵塞",
          "d5_corrective_actions": "更换模具镶件", "d6_validation": "试产 500 件无缩痕",
          "d7_prevention": "模具点检表增加水路项目", "d8_closure": "结案，表彰模具组"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


class QualityCase(Instance):
    """One quality complaint taken in by the customer department (or by `username`)."""

    def __init__(self, api, received_at: datetime, username="customer_dept", path="/processes/quality_complaint/instances",
                 **start):
        response = api.as_(username).post(path, json={"data": {**START, "received_at": received_at.isoformat(),
                                                                **start}})
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        super().__init__(api, body["id"])
        self.number = body["business_key"]

    def record(self, username="quality_assurance") -> dict:
        response = self.api.as_(username).get(f"/quality-complaints/{self.number}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def round_of_countermeasures(self, onsite: bool) -> None:
        """Quality assurance's part of a round: response (and visit), temporary and permanent
        countermeasures, the 8D report; the effect check is then in the customer department's inbox."""
        self.complete("quality_assurance", "assess_complaint", {"onsite_needed": onsite, "response": "已联系客户"})
        if onsite:
            self.complete("quality_assurance", "visit_site", {"onsite_findings": "现场确认缩痕，已封存"})
        self.complete("quality_assurance", "temporary_measure", {"temporary_measure": "全检并隔离"})
        self.complete("quality_assurance", "permanent_measure",
                      {"root_cause": "冷却水路堵塞", "permanent_measure": "更换模具镶件", "mould_change": True})
        self.complete("quality_assurance", "write_report", REPORT)
        assert self.open_names() == ["check_effect"]


def overdue_of(api, instance_id: int) -> list[dict]:
    listed = api.as_("general_manager").get("/overdue", query_string={"per_page": 500}).get_json()["items"]
    return [r for r in listed if r["instance_id"] == instance_id]


def test_an_8d_complaint_goes_another_round_when_not_improved_then_closes_satisfied(api, app):
    with moved_clock(api, MONDAY) as clock:
        case = QualityCase(api, MONDAY)  # the clocks run from the complaint's receipt
        record = case.record()
        assert record["number"].startswith("QC-202611-") and record["status"] == "response" and record["round"] == 1
        assert record["complaint_number"] is None and record["customer_name"] == START["customer_name"]
        assert record["onsite_due_at"] == "2026-11-23T17:00:00+08:00"  # 8 hours
        assert record["temporary_due_at"] == "2026-11-24T09:00:00+08:00"  # 1 working day
        assert record["permanent_due_at"] == "2026-11-30T09:00:00+08:00"  # 5 working days
        task = case.open_task("assess_complaint")
        assert task["lane"] == "quality_assurance" and task["due_at"] == record["onsite_due_at"]
        assert task["business_key"] == case.number

        clock.to(MONDAY + timedelta(hours=2))
        case.complete("quality_assurance", "assess_complaint", {"onsite_needed": True, "response": "下午到厂"})
        assert case.record()["status"] == "onsite" and case.open_names() == ["visit_site"]
        assert case.open_task("visit_site")["due_at"] == record["onsite_due_at"]
        refused = case.complete("quality_assurance", "visit_site", {}, expect=422)
        assert "onsite_findings" in refused["error"]["fields"]
        case.complete("quality_assurance", "visit_site", {"onsite_findings": "现场确认缩痕"})
        assert case.open_task("temporary_measure")["due_at"] == record["temporary_due_at"]
        case.complete("quality_assurance", "temporary_measure", {"temporary_measure": "全检并隔离"})
        assert case.open_task("permanent_measure")["due_at"] == record["permanent_due_at"]
        case.complete("quality_assurance", "permanent_measure",
                      {"root_cause": "冷却水路堵塞", "permanent_measure": "更换模具镶件", "mould_change": True})
        refused = case.complete("quality_assurance", "write_report", {"d1_team": "品保部"}, expect=422)
        assert {"d2_problem", "d8_closure"} <= set(refused["error"]["fields"])
        upload = api.as_("quality_assurance").request("POST", f"/instances/{case.id}/attachments",
                                                      data={"file": (BytesIO(PNG), "8d-report.png")},
                                                      content_type="multipart/form-data")
        assert upload.status_code == 201, upload.get_json()
        case.complete("quality_assurance", "write_report", REPORT)
        record = case.record()
        assert record["status"] == "effect_check" and record["d5_corrective_actions"] == "更换模具镶件"
        assert record["onsite_needed"] is True and record["mould_change"] is True
        assert [a["file_name"] for a in record["attachments"]] == ["8d-report.png"]
        assert case.open_task("check_effect")["lane"] == "customer_dept"

        # A: the customer sees no improvement: another round, its clocks counted anew
        clock.to(datetime(2026, 11, 25, 14, 0, tzinfo=SHANGHAI))
        case.complete("customer_dept", "check_effect", {"effect": "not_improved", "effect_remarks": "仍有缩痕"})
        record = case.record()
        assert record["round"] == 2 and record["status"] == "response" and record["effect"] == "not_improved"
        assert record["temporary_due_at"].startswith("2026-11-26T14:00")  # from the new round's start
        assert case.open_names() == ["assess_complaint"]
        case.round_of_countermeasures(onsite=False)
        assert case.record()["onsite_needed"] is False
        done = case.complete("customer_dept", "check_effect", {"effect": "satisfied"})
    assert done["status"] == "completed"
    record = case.record("general_manager")
    assert record["status"] == "closed" and record["closure_type"] == "satisfied" and record["round"] == 2
    assert record["closed_at"] and record["misses"] == 0 and overdue_of(api, case.id) == []
    listed = api.as_("group_supervisor").get("/quality-complaints", query_string={"closure_type": "satisfied",
                                                                                  "per_page": 500}).get_json()
    assert case.number in [r["number"] for r in listed["items"]]


def test_standards_that_disagree_are_clarified_and_the_complaint_closed_in_dispute(api, app):
    with moved_clock(api, MONDAY):
        case = QualityCase(api, MONDAY, username="quality_assurance", path="/quality-complaints")
        case.round_of_countermeasures(onsite=False)
        case.complete("customer_dept", "check_effect", {"effect": "standards_disagree", "effect_remarks": "验收标准不同"})
        assert case.record()["status"] == "clarifying" and case.open_task("clarify_standards")["lane"] == "customer_dept"
        done = case.complete("customer_dept", "clarify_standards",
                             {"clarification": "dispute", "clarification_remarks": "客户坚持外观零缺陷"})
    assert done["status"] == "completed"
    record = case.record("customer_dept")
    assert record["closure_type"] == "dispute" and record["status"] == "closed"
    assert record["clarification_remarks"] == "客户坚持外观零缺陷" and record["effect"] == "standards_disagree"
    disputed = api.as_("service_manager").get("/quality-complaints", query_string={"closure_type": "dispute",
                                                                                   "per_page": 500}).get_json()
    assert case.number in [r["number"] for r in disputed["items"]]


def test_a_temporary_countermeasure_a_working_day_late_is_recorded_and_escalated_until_done(api, app):
    with moved_clock(api, FRIDAY) as clock:
        case = QualityCase(api, FRIDAY)
        case.complete("quality_assurance", "assess_complaint", {"onsite_needed": False, "response": "周一处理"})
        task = case.open_task("temporary_measure")
        assert task["due_at"] == "2026-11-23T10:00:00+08:00"  # Friday + 1 working day: Monday
        assert api.as_("quality_assurance").post(f"/tasks/{task['id']}/claim").status_code == 200
        clock.to(datetime(2026, 11, 23, 9, 59, tzinfo=SHANGHAI))
        fire_timers(app)
        assert case.open_names() == ["temporary_measure"] and overdue_of(api, case.id) == []
        clock.to(datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI))  # a working day late
        fire_timers(app)
        assert case.open_names() == ["escalate_temporary", "temporary_measure"]  # the work stays with QA
        escalation = case.open_task("escalate_temporary")
        assert escalation["lane"] == "general_manager"
        [miss] = overdue_of(api, case.id)
        assert miss["person"] == "quality_assurance" and miss["task"] == "temporary_measure"
        assert miss["process_key"] == "quality_complaint" and miss["business_key"] == case.number
        assert miss["deadline_at"] == "2026-11-23T10:00:00+08:00"
        assert case.record()["misses"] == 1
        fire_timers(app)  # fired once
        assert len(overdue_of(api, case.id)) == 1
        # the work done: the escalation closes itself, the next step opens
        case.complete("quality_assurance", "temporary_measure", {"temporary_measure": "全检并隔离"})
        assert case.open_names() == ["permanent_measure"]
        assert case.record()["status"] == "permanent"


def test_an_escalation_answered_before_the_work_leaves_the_work_open(api, app):
    with moved_clock(api, MONDAY) as clock:
        case = QualityCase(api, MONDAY)
        clock.to(MONDAY + timedelta(hours=1))
        case.complete("quality_assurance", "assess_complaint", {"onsite_needed": True, "response": "安排人员"})
        clock.to(MONDAY + timedelta(hours=8, minutes=1))  # not on site within 8 hours
        fire_timers(app)
        assert case.open_names() == ["escalate_onsite", "visit_site"]
        [miss] = overdue_of(api, case.id)
        assert miss["person"] is None and miss["role"] == "quality_assurance" and miss["task"] == "visit_site"
        case.complete("general_manager", "escalate_onsite", {"escalation_instruction": "今天必须到现场"})
        assert case.open_names() == ["visit_site"]
        case.complete("quality_assurance", "visit_site", {"onsite_findings": "已到现场"})
        assert case.open_names() == ["temporary_measure"]


def test_no_response_within_8_hours_is_recorded_against_quality_assurance_and_escalated(api, app):
    with moved_clock(api, MONDAY) as clock:
        case = QualityCase(api, MONDAY)
        clock.to(MONDAY + timedelta(hours=7, minutes=59))
        fire_timers(app)
        assert case.open_names() == ["assess_complaint"]
        clock.to(MONDAY + timedelta(hours=8, minutes=1))
        fire_timers(app)
        assert case.open_names() == ["assess_complaint", "escalate_response"]
        assert case.open_task("escalate_response")["lane"] == "general_manager"
        [miss] = overdue_of(api, case.id)
        assert miss["person"] is None and miss["role"] == "quality_assurance" and miss["task"] == "assess_complaint"
        case.complete("quality_assurance", "assess_complaint", {"onsite_needed": False, "response": "远程跟进"})
        assert case.open_names() == ["temporary_measure"]  # the escalation closed with the response


PROBE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="qc_from_complaint_probe" name="probe" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="customer_dept">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>complaint</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>to_8d</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="complaint" scriptFormat="python"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>complaint_number = "TS-202611-0042"
received_at = "2026-11-23T08:30:00+08:00"
customer_name = "华东精密机械有限公司"
contact_phone = "021-5555 0188"
vehicle = "XR-200 外壳"
description = "外壳批量缩痕"
customer_request = "8D报告"
category = "product_quality"</bpmn:script></bpmn:scriptTask>
    <bpmn:serviceTask id="to_8d"><bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="quality_complaints.start" resultVariable="quality_complaint_number" />
      </bpmn:extensionElements><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="complaint" />
    <bpmn:sequenceFlow id="f2" sourceRef="complaint" targetRef="to_8d" />
    <bpmn:sequenceFlow id="f3" sourceRef="to_8d" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


def test_a_complaint_diagram_starts_the_8d_procedure_through_its_handler_linked_to_the_complaint(api, app):
    with app.app_context():
        deployments.deploy({"qc_from_complaint_probe.bpmn": PROBE})
        db.session.commit()
    with moved_clock(api, MONDAY):
        response = api.as_("customer_dept").post("/processes/qc_from_complaint_probe/instances", json={"data": {}})
        assert response.status_code == 201 and response.get_json()["status"] == "completed", response.get_json()
        started = api.as_("admin").get(f"/instances/{response.get_json()['id']}").get_json()
        number = started["data"]["quality_complaint_number"]
        assert number.startswith("QC-202611-")
        record = api.as_("quality_assurance").get(f"/quality-complaints/{number}").get_json()
        assert record["complaint_number"] == "TS-202611-0042" and record["product"] == "XR-200 外壳"
        assert record["received_at"] == "2026-11-23T08:30:00+08:00" and record["status"] == "response"
        linked = api.as_("customer_dept").get("/quality-complaints",
                                              query_string={"complaint_number": "TS-202611-0042"}).get_json()
        assert [r["number"] for r in linked["items"]] == [number]
        case = Instance(api, record["instance_id"])
        assert case.open_names() == ["assess_complaint"]


def test_who_may_take_in_and_read_quality_complaints(api):
    received = datetime.now(SHANGHAI) - timedelta(hours=1)
    data = {**START, "received_at": received.isoformat()}
    assert api.as_("quality_assurance").post("/quality-complaints", json={"data": data}).status_code == 201
    assert api.as_("customer_dept").post("/quality-complaints", json={"data": data}).status_code == 201
    assert api.as_("workshop_supervisor").post("/quality-complaints", json={"data": data}).status_code == 403
    bad = api.as_("quality_assurance").post("/quality-complaints", json={"data": {
        **data, "contact_phone": "call me", "complaint_number": "12", "received_at": (received + timedelta(days=2)).isoformat()}})
    assert bad.status_code == 422
    assert {"contact_phone", "complaint_number", "received_at"} <= set(bad.get_json()["error"]["fields"])
    for reader in ("quality_assurance", "customer_dept", "service_manager", "general_manager", "group_supervisor"):
        assert api.as_(reader).get("/quality-complaints").status_code == 200, reader
    for other in ("workshop_supervisor", "branch_engineer", "dealer_agent"):
        assert api.as_(other).get("/quality-complaints").status_code == 403, other
    assert api.as_("quality_assurance").get("/quality-complaints/QC-209901-0001").status_code == 404
    assert api.as_("quality_assurance").get("/quality-complaints", query_string={"status": "lost"}).status_code == 422


def test_quality_assurance_registers_one_on_the_page_and_the_register_and_case_pages_show_it(api, pages):
    qa = pages("quality_assurance")
    form = qa.get("/quality-complaints/new")
    assert form.status_code == 200 and 'id="f-complaint_number"' in form.get_data(as_text=True)
    received = datetime.now(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    typed = {**START, "received_at": received, "customer_name": "<b>华北重工</b>"}
    refused = qa.post("/quality-complaints/new", {**typed, "contact_phone": "call me"})
    assert refused.status_code == 422 and "<b>华北重工</b>" not in refused.get_data(as_text=True)
    done = qa.post("/quality-complaints/new", typed)
    assert done.status_code == 302 and "/quality-complaints/QC-" in done.headers["Location"]
    number = done.headers["Location"].rsplit("/", 1)[1]
    listed = qa.get("/quality-complaints", query_string={"q": number}).get_data(as_text=True)
    assert number in listed and "&lt;b&gt;华北重工&lt;/b&gt;" in listed and "<b>华北重工" not in listed
    assert "质量投诉" in listed and "待响应" in listed
    record = qa.get(f"/quality-complaints/{number}").get_data(as_text=True)
    assert "D1 成立小组" in record and "8D" in record and "&lt;b&gt;" in record
    english = qa.get(f"/quality-complaints/{number}", headers={"Accept-Language": "en"})
    assert english.status_code == 200
    assert pages("workshop_supervisor").get("/quality-complaints").status_code == 403
    assert pages("service_manager").get("/quality-complaints/new").status_code == 403
    assert pages("group_supervisor").get(f"/quality-complaints/{number}").status_code == 200


def _eight_d_of(api, complaint: Case) -> Instance:
    number = complaint.instance()["data"]["quality_complaint_number"]
    record = api.as_("quality_assurance").get(f"/quality-complaints/{number}").get_json()
    assert record["complaint_number"] == complaint.number
    return Instance(api, record["instance_id"])


def test_the_8d_tells_its_complaint_when_it_closes_and_the_customer_is_not_called_twice(api, app, pages):
    """domain.md "Quality complaints (8D)": the customer department checks the effect with the customer
    in the 8D; the complaint it came from takes that check as its callback (no second call) when the 8D
    closes, and goes on to the general manager's signature."""
    with moved_clock(api, MONDAY) as clock:
        complaint = Case(api, received_at=MONDAY.isoformat(), description="外壳批量缩痕", vehicle="XR-200 外壳")
        complaint.classify(category="product_quality", responsible_person="quality_assurance")
        eight_d = _eight_d_of(api, complaint)
        complaint.complete("service_manager", "confirm_handling", {"confirmation": "approve"})
        assert complaint.open_names() == []  # waiting for the 8D, not calling the customer
        clock.to(datetime(2026, 11, 26, 9, 30, tzinfo=SHANGHAI))  # three working days on: no callback clock runs
        fire_timers(app)
        assert complaint.open_names() == [] and complaint.instance()["status"] == "waiting"
        QualityCase.round_of_countermeasures(eight_d, onsite=False)
        clock.to(datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI))
        eight_d.complete("customer_dept", "check_effect", {"effect": "satisfied", "effect_remarks": "缩痕已消除"})
        assert eight_d.instance()["status"] == "completed"
        assert complaint.open_names() == ["sign_close"]  # told at the 8D's closing, in the same step
        record = complaint.complaint("general_manager")
        assert record["status"] == "awaiting_close" and record["callback_satisfied"] is True
        assert eight_d.business_key in record["callback_result"] and "缩痕已消除" in record["callback_result"]
        complaint.complete("general_manager", "sign_close", {"signature": "sign"})
        assert complaint.complaint()["status"] == "closed"
    # each names the other: the complaint its 8D (API and page), the 8D its complaint, linked for their readers
    number = eight_d.business_key
    assert complaint.complaint("service_manager")["quality_complaint_number"] == number
    page = pages("service_manager").get(f"/complaints/{complaint.number}").get_data(as_text=True)
    assert f'<a href="/quality-complaints/{number}">{number}</a>' in page
    eight_d_page = pages("service_manager").get(f"/quality-complaints/{number}").get_data(as_text=True)
    assert f'<a href="/complaints/{complaint.number}">{complaint.number}</a>' in eight_d_page
    assert Case(api).complaint()["quality_complaint_number"] is None  # a complaint without an 8D


def test_an_8d_closed_in_dispute_before_the_confirmation_hands_the_complaint_to_the_managers_decision(api, app):
    """The 8D may close before the manager confirms the complaint's round: the complaint reads its result
    when it gets there (nothing was waiting for the message); a dispute is a dissatisfied customer."""
    with moved_clock(api, MONDAY) as clock:
        complaint = Case(api, received_at=MONDAY.isoformat(), description="外壳批量缩痕", vehicle="XR-200 外壳")
        complaint.classify(category="product_quality", responsible_person="quality_assurance")
        eight_d = _eight_d_of(api, complaint)
        QualityCase.round_of_countermeasures(eight_d, onsite=False)
        clock.to(MONDAY + timedelta(hours=5))
        eight_d.complete("customer_dept", "check_effect", {"effect": "standards_disagree", "effect_remarks": "客户按内控标准"})
        eight_d.complete("customer_dept", "clarify_standards",
                         {"clarification": "dispute", "clarification_remarks": "双方标准不一致"})
        assert eight_d.instance()["status"] == "completed"
        assert complaint.open_names() == ["confirm_handling"]
        complaint.complete("service_manager", "confirm_handling", {"confirmation": "approve"})
        assert complaint.open_names() == ["decide_dissatisfied"]
        record = complaint.complaint("service_manager")
        assert record["callback_satisfied"] is False and "双方标准不一致" in record["callback_result"]
