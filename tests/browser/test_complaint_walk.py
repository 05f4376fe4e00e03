"""A major complaint walked through the pages, as the demo users do it, in a real browser: taken in,
classified, followed up, decided by the general manager, handled (a hard fault: planned, then
carried out and reported), sent back, handled again,
approved, an unsatisfied callback, handled a third time, approved, a satisfied callback, closed.

Every task page opens with an empty form (the form's declared defaults, as the API's task view
gives them, never an earlier round's answers); the department's re-handling pages show the general
manager's decision, the manager's instruction and the send-back reason in the case timeline; at
the end the case history holds exactly what each page submitted; no page logs a console error."""
from datetime import datetime
from zoneinfo import ZoneInfo

from test_pages import INTAKE, NUMBER, Api, api, submit  # noqa: F401  (`api`: the browser suite's fixture)

GOOD_HANDLING = {"result": "已免费更换正时皮带并道歉", "root_cause": "装配时皮带张紧不足",
                 "improvement": "增加装配复检环节", "return_repair": False}
CLASSIFY = {"category": "repair_quality", "severity": "major", "manager_note": "先安抚客户，查清原因",
            "responsible_person": "workshop_supervisor"}
FOLLOW_UP = {"customer_contacted_at": "2026-11-20T10:00", "follow_up_notes": "客户要求赔偿",
             "within_authority": False}
DECISION = {"gm_decision": "同意补偿一次保养"}
SEND_BACK = {"confirmation": "send_back", "confirmation_reason": "原因分析不充分"}
APPROVE = {"confirmation": "approve"}
UNSATISFIED = {"problem_solved": False, "callback_satisfied": False, "callback_remarks": "仍有异响"}
SATISFIED = {"problem_solved": True, "callback_satisfied": True}
RE_HANDLE = {"dissatisfied_action": "rehandle"}
# A form's defaults: empty texts, "no", nothing chosen; never an earlier answer.
EMPTY = ("", False, None, [], {})


class Staff:
    """One browser context per demo user, signed in once; console errors of every page collected."""

    def __init__(self, new_page, login):
        self.new_page, self.login, self.pages, self.errors = new_page, login, {}, []

    def __call__(self, username: str):
        if username not in self.pages:
            page = self.new_page()
            page.on("console", lambda m, who=username: self.errors.append(f"{who}: {m.text} @ {m.location}")
                    if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico") else None)
            page.on("pageerror", lambda error, who=username: self.errors.append(f"{who}: {error}"))
            self.login(page, username)
            self.pages[username] = page
        return self.pages[username]


def dom_value(prop: dict, required: bool, value) -> str:
    """What the form's control shows for `value` (as _form.html renders it)."""
    types = prop.get("type") if isinstance(prop.get("type"), list) else [prop.get("type")]
    if value is None:
        return "false" if "boolean" in types and not prop.get("enum") and not required else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if prop.get("format") == "date-time":
        return value[:16]
    return str(value)


DECLARED = {"reached": True}  # a form's declared defaults (the callback: the customer reached)


def open_task(staff, api, instance_id: int, number: str, username: str, name: str):
    """`username` opens task `name` from the inbox; checks the form opens at its declared defaults
    (what `GET /api/v1/tasks/{id}` gives as `data`). The page and the task form."""
    task = api.open_task(instance_id, name)
    page = staff(username)
    page.goto("/")
    row = page.locator("table.tasks tbody tr").filter(has_text=number)
    with page.expect_navigation() as navigation:
        row.locator(f'a[href$="/tasks/{task["id"]}"]').first.click()
    assert navigation.value.status == 200, page.locator("main").inner_text()
    assert number in page.locator("main h1").inner_text()

    view = api.get(username, f"/tasks/{task['id']}")
    schema = view["form"]
    assert all(value in EMPTY or DECLARED.get(field) == value
               for field, value in view["data"].items()), (name, view["data"])  # nothing of a last round
    form = page.locator("form.task-form")
    shown = {}
    for field, prop in schema["properties"].items():
        expected = dom_value(prop, field in schema.get("required", []), view["data"].get(field))
        shown[field] = (form.locator(f"#f-{field}").input_value(), expected)
    assert shown, name
    assert all(got == expected for got, expected in shown.values()), (name, shown)
    return page, form


def fill(form, values: dict) -> None:
    for field, value in values.items():
        control = form.locator(f"#f-{field}")
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(str(value).lower() if isinstance(value, bool) else value)
        else:
            control.fill(value)


def complete(page, form, values: dict) -> None:
    fill(form, values)
    response = submit(page, form)
    assert response.status == 200, page.locator("main").inner_text()
    assert "任务已提交" in page.locator("p.flash").inner_text()


def entry(page, task: str) -> str:
    """The text of the timeline's (latest) entry of `task`."""
    return page.locator(f"section.timeline li.entry.matters[data-task={task}]").first.inner_text()


def test_a_major_complaint_walked_through_the_pages(new_page, login, api):
    staff = Staff(new_page, login)

    # customer relations take it in (登记投诉)
    page = staff("customer_dept")
    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("link", name="登记投诉").click()
    form = page.locator("form.task-form")
    assert all(form.locator(f"#f-{name}").input_value() == "" for name in INTAKE if name != "received_at")
    # received now: the procedure's clocks run from receipt (an old date would be overdue at once)
    now = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M")
    complete_intake = {**INTAKE, "received_at": now, "customer_request": "免费复查"}
    fill(form, complete_intake)
    assert submit(page, form).status == 200, page.locator("main").inner_text()
    flash = page.locator("p.flash").inner_text()
    assert "投诉已登记" in flash, flash
    number = NUMBER.search(flash).group(0)
    listed = api.get("admin", f"/complaints/{number}")
    instance_id = listed["instance_id"]

    def task(username, name):
        return open_task(staff, api, instance_id, number, username, name)

    page, form = task("service_manager", "classify_complaint")
    complete(page, form, CLASSIFY)
    page, form = task("service_manager", "follow_up_major")
    complete(page, form, FOLLOW_UP)
    page, form = task("general_manager", "decide_major")
    assert "先安抚客户，查清原因" in entry(page, "classify_complaint")
    complete(page, form, DECISION)

    # Round 1, with a hard fault: the technical supervisor plans the repair.
    page, form = task("workshop_supervisor", "handle_workshop")
    assert "同意补偿一次保养" in entry(page, "decide_major")
    assert "先安抚客户，查清原因" in entry(page, "classify_complaint")
    complete(page, form, {**GOOD_HANDLING, "hard_fault": True})
    page, form = task("technical_supervisor", "plan_repair")
    complete(page, form, {"repair_plan": "更换ECU并重新标定"})
    page, form = task("workshop_supervisor", "report_repair")  # the plan carried out, the result reported
    complete(page, form, GOOD_HANDLING)
    page, form = task("service_manager", "confirm_handling")
    complete(page, form, SEND_BACK)

    # Round 2, sent back: the reason, the decision and the instruction are shown; no hard fault.
    page, form = task("workshop_supervisor", "handle_workshop")
    sent_back = entry(page, "confirm_handling")
    assert "退回部门" in sent_back and "原因分析不充分" in sent_back, sent_back
    assert "同意补偿一次保养" in entry(page, "decide_major")
    assert "先安抚客户，查清原因" in entry(page, "classify_complaint")
    complete(page, form, {**GOOD_HANDLING, "root_cause": "ECU软件版本过旧"})
    assert [t["name"] for t in api.get("admin", f"/instances/{instance_id}")["open_tasks"]] == ["confirm_handling"]
    page, form = task("service_manager", "confirm_handling")
    assert "ECU软件版本过旧" in entry(page, "handle_workshop")
    complete(page, form, APPROVE)
    page, form = task("customer_dept", "call_back_customer")
    complete(page, form, UNSATISFIED)
    page, form = task("service_manager", "decide_dissatisfied")  # another round, not closing in dispute
    assert "仍有异响" in entry(page, "call_back_customer")
    complete(page, form, RE_HANDLE)

    # Round 3, the customer unsatisfied: the callback, the decision and instruction still shown.
    page, form = task("workshop_supervisor", "handle_workshop")
    assert "仍有异响" in entry(page, "call_back_customer")
    assert "同意补偿一次保养" in entry(page, "decide_major")
    assert "先安抚客户，查清原因" in entry(page, "classify_complaint")
    complete(page, form, {**GOOD_HANDLING, "result": "更换发动机支架"})
    page, form = task("service_manager", "confirm_handling")
    complete(page, form, APPROVE)
    page, form = task("customer_dept", "call_back_customer")
    complete(page, form, SATISFIED)
    page, form = task("general_manager", "sign_close")
    assert "是" in entry(page, "call_back_customer")
    complete(page, form, {})

    case = api.get("admin", f"/instances/{instance_id}")
    assert case["status"] == "completed" and case["open_tasks"] == []
    handled = {**GOOD_HANDLING, "hard_fault": False}
    assert [(h["task"], h["data"]) for h in case["history"]][1:] == [
        ("classify_complaint", {**CLASSIFY, "other_department": None, "deadline_days": None}),
        ("follow_up_major", {**FOLLOW_UP, "customer_contacted_at": "2026-11-20T10:00:00+08:00"}),
        ("decide_major", DECISION),
        ("handle_workshop", {**GOOD_HANDLING, "hard_fault": True}),
        ("plan_repair", {"repair_plan": "更换ECU并重新标定", "return_repair": False}),
        ("report_repair", GOOD_HANDLING),
        ("confirm_handling", SEND_BACK),
        ("handle_workshop", {**handled, "root_cause": "ECU软件版本过旧"}),  # not to the technical supervisor
        ("confirm_handling", {**APPROVE, "confirmation_reason": ""}),
        ("call_back_customer", {**UNSATISFIED, "reached": True}),
        ("decide_dissatisfied", {**RE_HANDLE, "unresolved_reason": "", "round_complete": False}),
        ("handle_workshop", {**handled, "result": "更换发动机支架"}),
        ("confirm_handling", {**APPROVE, "confirmation_reason": ""}),
        ("call_back_customer", {**SATISFIED, "callback_remarks": "", "reached": True}),
        ("sign_close", {"signature": None, "signature_reason": "", "close_remarks": ""}),
    ]
    record = api.get("admin", f"/complaints/{number}")
    assert record["status"] == "closed" and record["handling_rounds"] == 3
    assert staff.errors == []
