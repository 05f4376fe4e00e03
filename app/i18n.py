"""The language of a request (zh-CN by default, English on request) and its texts, through
Flask-Babel's gettext catalogues: English is the source language, the Chinese words live in
app/translations/zh_Hans_CN/LC_MESSAGES/messages.po (README, "Translations": extract, update, compile,
and `flask i18n check`, which lists every text still without its Chinese)."""
from pathlib import Path

from flask import current_app, g, has_request_context, request, session
from flask_babel import Babel, force_locale, get_locale, lazy_gettext, lazy_pgettext, ngettext, pgettext
from flask_babel import gettext as _babel_gettext

__all__ = ["LANGUAGES", "ZH", "N_", "Message", "current_language", "gettext", "lazy_gettext", "ngettext",
           "pgettext", "lazy_pgettext", "translate", "status_label", "status_pair", "in_both", "init_app"]

LANGUAGES = ("zh-CN", "en")
TRANSLATIONS = Path(__file__).parent / "translations"

# Texts a branch added before its words reached the catalogue: read while the catalogue has no
# msgstr for them. `flask i18n check` lists them; the lead moves them into messages.po.
ZH: dict[str, str] = {}
ZH.update({'After-sales service': '售后服务流程平台', 'Sign in': '登录', 'Sign out': '退出', 'Username': '用户名', 'Password': '密码', 'Inbox': '待办任务', 'Complaints': '投诉台账', 'New complaint': '登记投诉', 'Task': '任务', 'Case': '案件', 'Lane': '岗位', 'Due': '期限', 'Claimed by': '认领人', 'Claim': '认领', 'Release': '放弃认领', 'Complete': '提交', 'Overdue': '已超时', 'Only overdue': '只看超时', 'All': '全部', 'No tasks.': '暂无待办任务。', 'Number': '编号', 'Received': '受理时间', 'Channel': '渠道', 'Customer': '客户', 'Category': '类别', 'Severity': '严重程度', 'Responsible': '责任部门', 'Deadline': '处理期限', 'Status': '状态', 'History': '处理记录', 'Completed by': '处理人', 'Completed at': '完成时间', 'Data': '内容', 'Open tasks': '当前任务', 'Search': '搜索', 'Filter': '筛选', 'Yes': '是', 'No': '否', 'The form has errors.': '表单有误，请检查标出的字段。', 'Task completed.': '任务已提交。', 'Complaint registered': '投诉已登记', 'Language': '语言', 'Procedure': '流程', 'Not found': '未找到', 'Not allowed': '无权操作', 'Conflict': '冲突', 'Error': '错误', 'Back to the inbox': '返回待办', 'Result': '处理结果', 'Root cause': '原因分析', 'Improvement': '改进措施', 'Callback': '回访结果', 'Closed at': '结案时间', 'Description': '投诉内容', 'Contact': '联系电话', 'Vehicle': '车辆/产品', 'Customer request': '客户诉求', 'Rounds': '处理轮次', 'Wrong username or password.': '用户名或密码错误。', 'Instance': '流程实例', 'Working-day calendar': '工作日历', 'Source': '来源', 'admin': '管理员录入', 'library': '国务院公布的安排', 'weekdays': '周一至周五（未录入）', 'Day': '日期', 'Kind': '类型', 'Note': '说明', 'Holiday': '节假日', 'Make-up working day': '调休上班日', 'Remove': '删除', 'Save': '保存', 'Saved.': '已保存。', 'Calendar': '工作日历', 'Started': '发起', 'Deliveries in the month': '本月交车台数', 'Not saved': '未保存', 'Overdue records': '超时记录', 'Return authorizations': '返修登记', 'Receive a shipment': '收货登记', 'RMA number': '返修授权号', 'Submitted': '申请时间', 'Branch': '分公司', 'Model': '型号', 'Quantity': '数量', 'Repair due': '维修期限', 'Repaired on time': '按时修复', 'Repaired': '修复时间', 'Shipped back': '发回', 'Refused shipments': '拒收记录', 'Arrived': '到货时间', 'Reason': '原因', 'Recorded by': '登记人', 'sent back': '退回次数', 'Rejection reason': '驳回原因', 'Receipt mismatch': '到货差异', 'Awaiting answer until': '待答复，截止', 'Repair report': '维修报告', 'Units': '机器明细', 'Serial': '序列号', 'Warranty': '保修判定', 'Callbacks': '回访记录', 'Callback record': '回访记录', 'Callbacks due on': '待回访，到期日', 'Due on': '到期日', 'Whole log': '全部记录', 'Picked up': '提车/收货时间', 'Attempts': '回访次数', 'Complaint': '投诉', 'Taken in under': '已收货，返修授权号', 'Refused and recorded: no approved return authorization.': '已拒收并登记：没有已批准的返修申请。', 'Goods are taken in only under the number of an approved return authorization; anything else is refused and recorded.': '只有持已批准返修授权号的货物才能收货；其余一律拒收并登记。', 'Procedures': '流程管理', 'Version': '版本', 'Deployed at': '发布时间', 'Deployed by': '发布人', 'Running instances': '运行中的实例', 'command line': '命令行', 'Propose a version': '提交新版本', 'BPMN and DMN files of one procedure': '同一流程的 BPMN 和 DMN 文件', 'At most': '最多', 'Check and save as draft': '检查并保存为草稿', 'Drafts': '草稿', 'Files': '文件', 'Valid': '有效', 'Proposed by': '提交人', 'Proposed at': '提交时间', 'Deployed as version': '已发布为版本', 'Draft': '草稿', 'File': '文件', 'Element': '元素', 'Problem': '问题', 'The upload is too large.': '上传的文件太大。', 'The files cannot be read as BPMN or DMN: nothing was saved.': '文件无法作为 BPMN 或 DMN 读取：未保存任何内容。', 'Draft saved.': '草稿已保存。', 'Draft saved with problems.': '草稿已保存，但有问题需要修正。', 'Refused: nothing was deployed.': '已拒绝：未发布任何内容。', 'No problems: this draft can be deployed.': '没有问题：此草稿可以发布。', 'Problems to fix before this draft can be deployed:': '发布前需要修正的问题：', 'Deploy as the next version': '发布为下一个版本', 'Unchanged: already version': '内容未变：已是版本', 'Moved to another version': '迁移到其他版本', 'Edit diagram': '编辑流程图', 'Save as draft': '保存为草稿', 'Monthly report': '月度报告', 'Month': '月份', 'Show': '显示', 'KPI': '考核指标', 'Numerator': '分子', 'Denominator': '分母', 'Value': '值', 'This month is not over: the figures are provisional.': '本月尚未结束，数据为临时数据。', 'The request could not be read.': '无法读取请求。', 'Sign in first.': '请先登录。', 'This method is not allowed here.': '此处不允许该请求方法。', 'This content type is not accepted here.': '此处不接受该内容类型。', 'Too many attempts: try again later.': '尝试次数过多，请稍后再试。', 'An unexpected error occurred; nothing was changed.': '发生意外错误，未做任何更改。', 'Reference: %(id)s': '参考编号 %(id)s', 'The form expired or was not sent from this site: reload it.': '表单已过期或并非从本站提交，请刷新后重试。', 'The body must be a JSON object (Content-Type: application/json).': '请求体必须是 JSON 对象（Content-Type: application/json）。', 'must be a JSON object': '必须是 JSON 对象', 'The request is too large: at most %(size)s.': '请求过大：最多 %(size)s。', 'Text must not contain NUL characters.': '文本中不能含有 NUL 字符。', 'contains a NUL character': '含有 NUL 字符', 'Too many failed sign-ins: try again later.': '登录失败次数过多，请稍后再试。', 'wrong username or password': '用户名或密码错误', 'too many failed sign-ins: try again later': '登录失败次数过多，请稍后再试', 'What was decided so far': '办理经过', 'Instances in error': '异常实例', 'Suspended instances': '已暂停的实例', 'Retry': '重试', 'Cancel': '取消', 'Resume': '恢复', 'Since': '时间', 'Message': '错误信息', 'Pending action': '待重做的操作', 'Retried: the instance runs on.': '已重试：流程继续运行。', 'Cancelled.': '已取消。', 'Resumed.': '已恢复。', 'The retry failed again:': '重试再次失败：', 'The procedure stopped at element {element} ({reason}): the answers are kept and an admin was told.': '流程在元素 {element} 处出错（{reason}）：已提交的内容已保留，并已通知管理员。', 'start': '发起', 'complete': '提交任务', 'timers': '定时触发', 'No instances.': '没有实例。', 'Business key': '业务编号', 'Deploy a fixed version, move the instance to it, then retry.': '请先发布修正后的版本，把实例迁移过去，再重试。', 'Complaint record': '投诉记录', 'Print the complaint handling form': '打印投诉处理单', 'Diagram of the case': '案件流程图', 'The diagram cannot be shown.': '无法显示流程图。', 'Done': '已完成', 'Current': '当前', 'Whole diagram': '整个流程图', 'Current task': '当前任务', 'Stopped here': '出错位置', 'Comments': '评论', 'No comments yet.': '暂无评论。', 'New comment': '新评论', 'Add comment': '发表评论', 'Comment added.': '评论已发表。', 'Write a comment.': '请填写评论。', 'a comment is required': '评论不能为空', 'The comment is too long.': '评论过长。', 'at most %(n)s characters': '最多 %(n)s 个字符', 'Attachments': '附件', 'No attachments yet.': '暂无附件。', 'Attach a file (PNG, JPEG or PDF)': '上传附件（PNG、JPEG 或 PDF）', 'Upload': '上传', 'File attached.': '附件已上传。', 'Choose a file.': '请选择文件。', 'a file is required': '文件不能为空', 'The file is too large.': '文件过大。', 'at most %(size)s MiB': '最大 %(size)s MiB', 'Only PNG, JPEG or PDF files can be attached.': '只能上传 PNG、JPEG 或 PDF 文件。', 'must be a PNG or JPEG image or a PDF file': '必须是 PNG 或 JPEG 图片或 PDF 文件', 'Complaint handling form': '投诉处理单', 'No.': '编号', 'Back to the complaint': '返回投诉记录', 'Print this page from the browser (A4).': '请用浏览器打印本页（A4）。', 'Handling steps': '处理过程', 'Service manager (signature)': '服务经理（签字）', 'General manager (signature)': '总经理（签字）', 'Date': '日期', 'New task': '新任务', 'New tasks have arrived.': '有新任务到达。', 'Reload': '刷新', 'My settings': '我的设置', 'Notices of new tasks': '新任务通知', 'When a task arrives in one of your lanes you can get a message with a link to it.': '您的岗位有新任务到达时，可以收到一条带任务链接的消息。', 'Notify me by': '通知方式', 'No notices': '不通知', 'E-mail': '电子邮件', 'WeCom group robot': '企业微信群机器人', 'E-mail address or WeCom webhook URL': '电子邮件地址或企业微信机器人 Webhook 地址', 'must be one of: none, email, wecom': '必须是 none、email 或 wecom 之一', 'is required for e-mail or WeCom notices': '选择电子邮件或企业微信通知时必填', 'must be at most 500 characters': '最多 500 个字符', 'must be an e-mail address': '必须是电子邮件地址', 'must be a WeCom robot webhook URL (https://{host}/cgi-bin/webhook/send?key=...)': '必须是企业微信机器人 Webhook 地址（https://{host}/cgi-bin/webhook/send?key=...）'})  # TEMPORARY


class Message(str):
    """An English text with named variables, `%(name)s`, that is translated where it is shown:
    as a str it reads in English (logs, tests); `translate()` gives it in the reader's language.
    Services raise errors with these (N_ below marks them for pybabel extract)."""

    def __new__(cls, msgid: str, **params):
        text = super().__new__(cls, msgid % params if params else msgid)
        text.msgid, text.params = msgid, params
        return text


def N_(msgid: str, **params) -> Message:  # noqa: N802  (the conventional name of the marker)
    return Message(msgid, **params)


def current_language() -> str:
    if "lang" in g:
        return g.lang
    wanted = request.args.get("lang") if has_request_context() else None
    if wanted in LANGUAGES:
        lang = wanted
    elif has_request_context() and session.get("lang") in LANGUAGES:
        lang = session["lang"]
    elif has_request_context() and request.headers.get("Accept-Language"):
        lang = request.accept_languages.best_match(LANGUAGES, default=current_app.config["DEFAULT_LANGUAGE"])
    else:
        lang = current_app.config["DEFAULT_LANGUAGE"]
    if lang not in LANGUAGES:
        lang = "zh-CN"
    g.lang = lang
    return lang


def _locale_of(lang: str) -> str:
    return lang.replace("-", "_")  # Babel reads zh_CN as zh_Hans_CN, the catalogue's directory


def init_app(app) -> None:
    Babel(app, default_locale="zh_CN", default_translation_directories=str(TRANSLATIONS),
          locale_selector=lambda: _locale_of(current_language()))


def gettext(text: str, **variables) -> str:
    """The text in the request's language (the catalogue's words, else the ZH dict's), `%(name)s`
    variables filled in."""
    words = _babel_gettext(text)
    if words == text and text in ZH and getattr(get_locale(), "language", None) == "zh":
        words = ZH[text]
    return words % variables if variables else words


def translate(text) -> str:
    """A text met while answering (an error's message, a field's reason) in the reader's language:
    a Message by its msgid and variables, a lazy string as it reads now, a plain text as its msgid."""
    if isinstance(text, Message):
        return gettext(text.msgid, **{name: translate(value) if isinstance(value, Message) else value
                                      for name, value in text.params.items()})
    if isinstance(text, str):
        return gettext(text)
    return str(text)


def in_both(text) -> tuple[str, str]:
    """(English, Chinese) of a lazy text, for the documents printed in both languages."""
    pair = []
    for locale in ("en", "zh_Hans_CN"):
        with force_locale(locale):
            pair.append(str(text))
    return pair[0], pair[1]


# The statuses of complaints and procedure instances (a register's own statuses: app/web/labels.py).
STATUSES = {
    "registered": lazy_pgettext("status", "Registered"), "assigned": lazy_pgettext("status", "Assigned"),
    "escalated": lazy_pgettext("status", "Escalated to the general manager"),
    "awaiting_confirmation": lazy_pgettext("status", "Awaiting confirmation"),
    "sent_back": lazy_pgettext("status", "Sent back"), "awaiting_callback": lazy_pgettext("status", "Awaiting callback"),
    "rehandling": lazy_pgettext("status", "Handled again"), "awaiting_close": lazy_pgettext("status", "Awaiting close"),
    "closed": lazy_pgettext("status", "Closed"), "running": lazy_pgettext("status", "Running"),
    "waiting": lazy_pgettext("status", "Waiting for a timer"), "completed": lazy_pgettext("status", "Completed"),
    "cancelled": lazy_pgettext("status", "Cancelled"), "error": lazy_pgettext("status", "Error"),
    "suspended": lazy_pgettext("status", "Suspended"),
}


def status_label(key: str | None) -> str:
    return str(STATUSES[key]) if key in STATUSES else key or ""


def status_pair(key: str | None) -> tuple[str, str]:
    return in_both(STATUSES[key]) if key in STATUSES else (key or "", key or "")
