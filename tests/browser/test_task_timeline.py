"""A task page after a send-back, in a real browser: the re-handling form opens empty and the
case's timeline shows round 1's answers under their Chinese labels, what matters first."""
from test_pages import Api, api, submit  # noqa: F401  (`api`: the browser suite's fixture)

ROUND_1 = {"result": "已更换正时皮带", "root_cause": "装配时皮带张紧不足", "improvement": "增加装配复检",
           "return_repair": False, "hard_fault": True}


def test_rehandling_after_a_send_back_opens_empty_with_round_one_in_the_timeline(page, login, api):
    started = api.take_in(customer_name="郑先生")
    api.complete("service_manager", api.open_task(started["id"], "classify_complaint")["id"],
                 {"category": "repair_quality", "severity": "general", "manager_note": "今天内联系客户"})
    api.complete("workshop_supervisor", api.open_task(started["id"], "handle_workshop")["id"], ROUND_1)
    api.complete("technical_supervisor", api.open_task(started["id"], "plan_repair")["id"],
                 {"repair_plan": "更换ECU并重新标定"})
    api.complete("workshop_supervisor", api.open_task(started["id"], "report_repair")["id"],  # the plan carried out
                 {k: v for k, v in ROUND_1.items() if k != "hard_fault"})
    api.complete("service_manager", api.open_task(started["id"], "confirm_handling")["id"],
                 {"confirmation": "send_back", "confirmation_reason": "原因分析不充分"})
    task = api.open_task(started["id"], "handle_workshop")

    login(page, "workshop_supervisor")
    response = page.goto(f"/tasks/{task['id']}")
    assert response.status == 200, page.locator("main").inner_text()
    form = page.locator("form.task-form")
    for name in ("result", "root_cause", "improvement"):
        assert form.locator(f"#f-{name}").input_value() == "", name
    assert form.locator("#f-hard_fault").input_value() == "false"  # the form's default, not round 1's 是
    assert form.locator("#f-return_repair").input_value() == "false"

    timeline = page.locator("section.timeline")
    assert timeline.locator("h2").inner_text() == "办理经过"
    first = timeline.locator("li.entry").first  # the latest decisions that matter: the send-back first
    assert "matters" in first.get_attribute("class")
    assert first.get_attribute("data-task") == "confirm_handling"
    text = first.inner_text()
    assert "确认处理结果" in text and "service_manager" in text
    assert "确认结果" in text and "退回部门" in text and "退回原因" in text and "原因分析不充分" in text
    plan = timeline.locator("li.entry[data-task=plan_repair]").inner_text()
    assert "维修方案" in plan and "更换ECU并重新标定" in plan
    instruction = timeline.locator("li.entry[data-task=classify_complaint]").inner_text()
    assert "经理批示" in instruction and "今天内联系客户" in instruction and "维修质量" in instruction
    round_1 = timeline.locator("li.entry[data-task=handle_workshop]").inner_text()
    for label, value in (("处理结果", "已更换正时皮带"), ("原因分析", "装配时皮带张紧不足"), ("疑难故障（转技术主管）", "是")):
        assert label in round_1 and value in round_1, (label, round_1)
    assert "郑先生" in page.locator("section.case").inner_text()

    # Handled again through the page without a hard fault: back to the manager, not the technical supervisor.
    form.locator("#f-result").fill("重新检查并更换张紧器")
    form.locator("#f-root_cause").fill("张紧器批次缺陷")
    form.locator("#f-improvement").fill("更换供应商批次")
    assert submit(page, form).status == 200
    assert [t["name"] for t in api.get("admin", f"/instances/{started['id']}")["open_tasks"]] == ["confirm_handling"]
    history = api.get("admin", f"/instances/{started['id']}")["history"]
    assert history[-1]["task"] == "handle_workshop" and history[-1]["data"]["hard_fault"] is False
