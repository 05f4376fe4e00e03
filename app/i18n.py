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
    "Working-day calendar": "工作日历", "Source": "来源", "admin": "管理员录入", "library": "国务院公布的安排",
    "weekdays": "周一至周五（未录入）", "Day": "日期", "Kind": "类型", "Note": "说明", "Holiday": "节假日",
    "Make-up working day": "调休上班日", "Remove": "删除", "Save": "保存", "Saved.": "已保存。",
    "Calendar": "工作日历", "Started": "发起", "Deliveries in the month": "本月交车台数",
    "Not saved": "未保存", "Overdue records": "超时记录",
}


# Procedures 2 and 3: the return authorization register and the callback log.
ZH.update({
    "Return authorizations": "返修登记", "Receive a shipment": "收货登记", "RMA number": "返修授权号",
    "Submitted": "申请时间", "Branch": "分公司", "Model": "型号", "Quantity": "数量", "Repair due": "维修期限",
    "Repaired on time": "按时修复", "Repaired": "修复时间", "Shipped back": "发回", "Refused shipments": "拒收记录",
    "Arrived": "到货时间", "Reason": "原因", "Recorded by": "登记人", "sent back": "退回次数",
    "Rejection reason": "驳回原因", "Receipt mismatch": "到货差异", "Awaiting answer until": "待答复，截止",
    "Repair report": "维修报告", "Units": "机器明细", "Serial": "序列号", "Warranty": "保修判定",
    "Callbacks": "回访记录", "Callback record": "回访记录", "Callbacks due on": "待回访，到期日",
    "Due on": "到期日", "Whole log": "全部记录", "Picked up": "提车/收货时间", "Attempts": "回访次数",
    "Complaint": "投诉", "Taken in under": "已收货，返修授权号",
    "Refused and recorded: no approved return authorization.": "已拒收并登记：没有已批准的返修申请。",
    "Goods are taken in only under the number of an approved return authorization; anything else is refused "
    "and recorded.": "只有持已批准返修授权号的货物才能收货；其余一律拒收并登记。",
})


# Proposing and deploying procedure versions.
ZH.update({
    "Procedures": "流程管理", "Version": "版本", "Deployed at": "发布时间", "Deployed by": "发布人",
    "Running instances": "运行中的实例", "command line": "命令行", "Propose a version": "提交新版本",
    "BPMN and DMN files of one procedure": "同一流程的 BPMN 和 DMN 文件", "At most": "最多",
    "Check and save as draft": "检查并保存为草稿", "Drafts": "草稿", "Files": "文件", "Valid": "有效",
    "Proposed by": "提交人", "Proposed at": "提交时间", "Deployed as version": "已发布为版本", "Draft": "草稿",
    "File": "文件", "Element": "元素", "Problem": "问题", "The upload is too large.": "上传的文件太大。",
    "The files cannot be read as BPMN or DMN: nothing was saved.": "文件无法作为 BPMN 或 DMN 读取：未保存任何内容。",
    "Draft saved.": "草稿已保存。", "Draft saved with problems.": "草稿已保存，但有问题需要修正。",
    "Refused: nothing was deployed.": "已拒绝：未发布任何内容。",
    "No problems: this draft can be deployed.": "没有问题：此草稿可以发布。",
    "Problems to fix before this draft can be deployed:": "发布前需要修正的问题：",
    "Deploy as the next version": "发布为下一个版本", "Unchanged: already version": "内容未变：已是版本",
    "Moved to another version": "迁移到其他版本",
    "Edit diagram": "编辑流程图", "Save as draft": "保存为草稿",
})


ZH.update({"Monthly report": "月度报告", "Month": "月份", "Show": "显示", "KPI": "考核指标", "Numerator": "分子",  # KPIs
           "Denominator": "分母", "Value": "值", "This month is not over: the figures are provisional.": "本月尚未结束，数据为临时数据。"})


# Refusals every request can meet (app/web/errors.py, app/request_guards.py, sign-in throttling).
ZH.update({
    "The request could not be read.": "无法读取请求。", "Sign in first.": "请先登录。",
    "This method is not allowed here.": "此处不允许该请求方法。",
    "This content type is not accepted here.": "此处不接受该内容类型。",
    "Too many attempts: try again later.": "尝试次数过多，请稍后再试。",
    "An unexpected error occurred; nothing was changed.": "发生意外错误，未做任何更改。",
    "Reference: %(id)s": "参考编号 %(id)s",
    "The form expired or was not sent from this site: reload it.": "表单已过期或并非从本站提交，请刷新后重试。",
    "The body must be a JSON object (Content-Type: application/json).":
        "请求体必须是 JSON 对象（Content-Type: application/json）。",
    "must be a JSON object": "必须是 JSON 对象",
    "The request is too large: at most %(size)s.": "请求过大：最多 %(size)s。",
    "Text must not contain NUL characters.": "文本中不能含有 NUL 字符。", "contains a NUL character": "含有 NUL 字符",
    "Too many failed sign-ins: try again later.": "登录失败次数过多，请稍后再试。",
    "wrong username or password": "用户名或密码错误", "too many failed sign-ins: try again later": "登录失败次数过多，请稍后再试",
})


ZH.update({  # instances held in error or suspended
    "Instances in error": "异常实例", "Suspended instances": "已暂停的实例", "Retry": "重试", "Cancel": "取消",
    "Resume": "恢复", "Since": "时间", "Message": "错误信息", "Pending action": "待重做的操作",
    "Retried: the instance runs on.": "已重试：流程继续运行。", "Cancelled.": "已取消。", "Resumed.": "已恢复。",
    "The retry failed again:": "重试再次失败：",
    "The procedure stopped at element {element} ({reason}): the answers are kept and an admin was told.":
        "流程在元素 {element} 处出错（{reason}）：已提交的内容已保留，并已通知管理员。",
    "start": "发起", "complete": "提交任务", "timers": "定时触发",
    "No instances.": "没有实例。", "Business key": "业务编号",
    "Deploy a fixed version, move the instance to it, then retry.": "请先发布修正后的版本，把实例迁移过去，再重试。",
})

ZH.update({  # the list pages: counts, paging, sorting, saved filters, exports
    "more than {n}": "超过 {n}", "Pages": "分页", "First page": "第一页", "Next page": "下一页",
    "Saved filters": "已保存的筛选", "Save these filters as": "将当前筛选保存为", "Delete": "删除",
    "Lanes": "岗位", "Claimed": "认领", "Claimed by me": "我认领的", "Unclaimed": "未认领",
    "Sort": "排序", "Due, earliest first": "期限，最早在前", "Due, latest first": "期限，最晚在前",
    "Created, oldest first": "创建时间，最早在前", "Created, newest first": "创建时间，最新在前", "Created": "创建时间",
    "Received, newest first": "受理时间，最新在前", "Received, oldest first": "受理时间，最早在前",
    "Number, ascending": "编号，升序", "Number, descending": "编号，降序",
    "Deadline, earliest first": "处理期限，最早在前", "Deadline, latest first": "处理期限，最晚在前",
    "department or username": "部门或用户名",
    "Export these rows": "导出这些记录", "at most {n} rows": "最多 {n} 行", "No complaints match.": "没有符合条件的投诉。",
    "Only the first {limit} rows are exported: narrow the filters.": "仅导出前 {limit} 行：请缩小筛选范围。",
    "The filter was not saved: {reasons}": "筛选未保存：{reasons}", "Filter saved: {name}": "筛选已保存：{name}",
    "Filter deleted.": "筛选已删除。", "must be at most 1000 characters": "最多 1000 个字符",
    "bad sort": "排序参数无效", "bad filters": "筛选参数无效", "bad cursor": "分页游标无效", "bad format": "导出格式无效",
    "bad filter name": "筛选名称无效", "filter too long": "筛选条件过长", "too many filters": "已保存的筛选过多",
})

STATUSES = {
    "registered": ("Registered", "已登记"), "assigned": ("Assigned", "已指派"),
    "escalated": ("Escalated to the general manager", "已上报总经理"),
    "awaiting_confirmation": ("Awaiting confirmation", "待确认"), "sent_back": ("Sent back", "已退回"),
    "awaiting_callback": ("Awaiting callback", "待回访"), "rehandling": ("Handled again", "重新处理"),
    "awaiting_close": ("Awaiting close", "待结案"), "closed": ("Closed", "已结案"),
    "running": ("Running", "进行中"), "waiting": ("Waiting for a timer", "等待定时"),
    "completed": ("Completed", "已完成"), "cancelled": ("Cancelled", "已取消"), "error": ("Error", "出错"),
    "suspended": ("Suspended", "已暂停"),
}


def status_label(key: str | None) -> str:
    en, zh = STATUSES.get(key, (key or "", key or ""))
    return en if current_language() == "en" else zh


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
