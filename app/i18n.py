"""The language of a request (zh-CN by default, English on request) and the page texts.
Form labels live in the form schemas; this catalogue holds the rest of the pages' words."""
from flask import current_app, g, request, session

LANGUAGES = ("zh-CN", "en")

ZH = {
    "After-sales service": "售后服务流程平台", "Sign in": "登录", "Sign out": "退出",
    "Username": "用户名", "Password": "密码", "Inbox": "待办任务", "Complaints": "投诉台账",
    "New complaint": "登记投诉", "Task": "任务", "Case": "案件", "Lane": "岗位", "Due": "期限",
    "Claimed by": "认领人", "Claim": "认领", "Release": "放弃认领", "Complete": "提交",
    "Overdue": "已超时", "Only overdue": "只看超时", "All": "全部", "No tasks.": "暂无待办任务。",
    "Number": "编号", "Received": "受理时间", "Channel": "渠道", "Customer": "客户", "Category": "类别",
    "Severity": "严重程度", "Responsible": "责任部门", "Deadline": "处理期限", "Status": "状态",
    "History": "处理记录", "Completed by": "处理人", "Completed at": "完成时间", "Data": "内容",
    "Open tasks": "当前任务", "Search": "搜索", "Filter": "筛选", "Yes": "是", "No": "否",
    "The form has errors.": "表单有误，请检查标出的字段。", "Task completed.": "任务已提交。",
    "Complaint registered": "投诉已登记", "Language": "语言", "Procedure": "流程",
    "Not found": "未找到", "Not allowed": "无权操作", "Conflict": "冲突", "Error": "错误",
    "Back to the inbox": "返回待办", "Result": "处理结果", "Root cause": "原因分析",
    "Improvement": "改进措施", "Callback": "回访结果", "Closed at": "结案时间", "Description": "投诉内容",
    "Contact": "联系电话", "Vehicle": "车辆/产品", "Customer request": "客户诉求", "Rounds": "处理轮次",
    "Wrong username or password.": "用户名或密码错误。", "Instance": "流程实例",
}


def current_language() -> str:
    if "lang" in g:
        return g.lang
    wanted = request.args.get("lang") if request else None
    if wanted in LANGUAGES:
        lang = wanted
    elif session.get("lang") in LANGUAGES:
        lang = session["lang"]
    else:
        lang = request.accept_languages.best_match(LANGUAGES, default=current_app.config["DEFAULT_LANGUAGE"]) \
            if request.headers.get("Accept-Language") else current_app.config["DEFAULT_LANGUAGE"]
        if lang not in LANGUAGES:
            lang = "zh-CN"
    g.lang = lang
    return lang


def gettext(text: str) -> str:
    return ZH.get(text, text) if current_language() == "zh-CN" else text
