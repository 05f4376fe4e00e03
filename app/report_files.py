"""The monthly report (app/services/reports.py builds its figures) rendered three ways: HTML
(a Jinja template), XLSX (openpyxl) and PDF (reportlab, with its built-in CID font STSong-Light,
so Chinese needs no font file). Labels are bilingual (zh-CN / English) in every format. Which
format a request wants is chosen at the edge (`negotiate`, called by the page and the API)."""
import io

from flask import has_request_context, render_template, url_for

from .errors import ValidationFailed
from .i18n import N_
from .roles import ROLES

FORMATS = {
    "html": "text/html",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}

def negotiate(requested: str | None, accept) -> str:
    """`?format=` wins; otherwise the best of the Accept header; HTML when neither says."""
    if requested:
        if requested not in FORMATS:
            raise ValidationFailed(N_("unknown report format"), {"format": [N_("must be html, xlsx or pdf")]})
        return requested
    best = accept.best_match(list(FORMATS.values()), default="text/html") if accept else "text/html"
    return next((key for key, mimetype in FORMATS.items() if mimetype == best), "html")


# label rows shared by the three formats: (key, English, 中文)
COMPLAINT_ROWS = (("received", "Complaints received", "受理投诉"), ("handled", "Handled", "已处理"),
                  ("closed", "Closed", "已结案"))
CALLBACK_ROWS = (("due", "Callbacks due", "应回访"), ("effective", "Effective (reached)", "有效回访"),
                 ("satisfied", "Satisfied", "满意"), ("ineffective", "Ineffective (无效回访)", "无效回访"),
                 ("open", "Due this month, still open", "本月到期未完成"),
                 ("complaints_opened", "Complaints opened from callbacks", "回访转投诉"))
RETURN_ROWS = (("submitted", "Applications submitted", "提交申请"), ("approved", "Approved", "已批准"),
               ("rejected", "Rejected", "已驳回"), ("received", "Goods received", "已收货"),
               ("units_repaired", "Units repaired", "已修复台数"), ("shipped", "Shipped back", "已寄回"),
               ("refused_shipments", "Shipments refused at the door", "拒收"))
GROUPS = (("by_category", "Category", "投诉类别"), ("by_severity", "Severity", "严重程度"),
          ("by_channel", "Channel", "投诉渠道"))
KPI_GROUPS = (("by_department", "KPIs per department", "分部门指标", "部门 Department"),
              ("by_person", "KPIs per person", "分人员指标", "人员 Person"))
COMPLAINT_LIST_HEADERS = ["编号 number", "受理 received", "类别 category", "严重程度 severity", "责任部门 department",
                          "责任人 person", "状态 status", "结案类型 closure", "处理结果 result", "结案 closed"]
TITLE = ("Monthly after-sales report", "售后服务月度报告")
DRAFT = "草稿 Draft — 未签发，数据为实时数据，仍可能变化。 Not signed: live figures, they may still change."
PENALTY_HEADERS = ["人员 person", "已确认 confirmed", "待确认 proposed", "金额（元）fines", "扣分 points", "标记 flags"]
FUND_LABEL = "快乐基金余额（元）Reward fund balance (yuan)"


def penalty_row(row: dict) -> list:
    """A person's penalties of the month as the three formats print them."""
    flags = [text for flag, text in (("pay_flag", "扣当月工资50% 50% of pay"),
                                     ("dismissal_flag", "辞退审查 dismissal review")) if row[flag]]
    return [f"{row['display_name']} ({row['person']})", row["confirmed"], row["proposed"], row["confirmed_yuan"],
            row["confirmed_points"], "; ".join(flags)]


def complaint_row(c: dict) -> list:
    return [c["number"], c["received_at"], c["category"][1], c["severity"][1], c["department"][1], c["person"],
            f"{c['status'][1]} {c['status'][0]}", c["closure"][1], c["result"], c["closed_at"]]


def procedure_lines(report: dict) -> list[str]:
    """Where the report's procedure stands, as lines of text (XLSX and PDF): draft or signed, the
    analysis, who submitted it and who signed it when."""
    proc = report.get("procedure")
    lines = [DRAFT] if report.get("draft") else []
    if not proc or proc["state"] == "none":
        return lines
    if not report.get("draft"):
        lines.append(f"已签发 Signed ({proc['business_key']})")
    if proc["submitted"]:
        who = proc["submitted"]["person"]
        lines += [f"客户部分析 Analysis: {proc['analysis']}", f"改进建议 Improvement proposals: {proc['improvements']}",
                  f"提交 Submitted: {who['display_name']} ({who['username']}) {proc['submitted']['at']}"]
    else:
        lines.append(f"客户部分析尚未提交 Analysis not submitted yet (due {proc['due_at']})")
    for sig in proc["signatures"]:
        lines.append(f"签字 Signed — {sig['role_label'][1]} {sig['role_label'][0]}: {sig['person']['display_name']} "
                     f"({sig['person']['username']}) {sig['at']}")
    if not proc["signatures"]:
        lines.append("尚未签字 Not signed yet")
    return lines


def notice(report: dict) -> str:
    if report["provisional"]:
        return (f"本月尚未结束，数据为临时数据，将于 {report['ready_by']} 前定稿。"
                f" Provisional: the month is not over; final by {report['ready_by']}.")
    return f"报告截止日期 {report['ready_by']}。 Ready by {report['ready_by']}."


def percent(value) -> str:
    return "—" if value is None else f"{value:.2f}%"


def render(report: dict, fmt: str) -> tuple[bytes | str, str, str]:
    """The report in `fmt` (a key of FORMATS): its content, media type and file name."""
    filename = f"monthly-report-{report['month']}.{fmt}"
    if fmt == "xlsx":
        return as_xlsx(report), FORMATS[fmt], filename
    if fmt == "pdf":
        return as_pdf(report), FORMATS[fmt], filename
    return as_html(report), FORMATS["html"], filename


def as_html(report: dict) -> str:
    # a report frozen outside a request (no URL to build) links the stylesheet where the app serves it
    stylesheet = url_for("static", filename="app.css") if has_request_context() else "/static/app.css"
    return render_template("report_monthly.html", stylesheet=stylesheet, **body_context(report))


def body_context(report: dict) -> dict:
    """What templates/_report_body.html reads: the report page's, and a task page's that shows the report."""
    return dict(report=report, notice=notice(report), percent=percent, kpi_groups=KPI_GROUPS, title=TITLE,
                complaint_rows=COMPLAINT_ROWS, callback_rows=CALLBACK_ROWS, return_rows=RETURN_ROWS, groups=GROUPS,
                roles=ROLES, penalty_headers=PENALTY_HEADERS, penalty_row=penalty_row, fund_label=FUND_LABEL)


def _text(cell, value):
    """A cell of user text stays text: openpyxl would take '=…' for a formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def as_xlsx(report: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "KPIs 考核指标"
    sheet.append([f"{TITLE[1]} {TITLE[0]}", report["month"]])
    sheet.append([notice(report)])
    for line in procedure_lines(report):
        _text(sheet.cell(row=sheet.max_row + 1, column=1), line)
    sheet.append([])
    sheet.append(["key", "指标", "KPI", "分子 numerator", "分母 denominator", "value %"])
    for k in report["kpis"]:
        sheet.append([k["key"], k["zh"], k["en"], k["numerator"], k["denominator"], k["value"]])
    for row in (1, 4):
        for cell in sheet[row]:
            cell.font = Font(bold=True)

    sheet = book.create_sheet("Complaints 投诉")
    for key, en, zh in COMPLAINT_ROWS:
        sheet.append([zh, en, report["complaints"][key]])
    for group, en, zh in GROUPS:
        sheet.append([])
        sheet.append([zh, en, "count"])
        for row in report["complaints"][group]:
            sheet.append([row["zh"], row["en"], row["count"]])
    sheet.append([])
    sheet.append(["重大投诉 Major complaints"])
    sheet.append(["number", "received", "customer", "description", "status"])
    for major in report["majors"]:
        sheet.append([major["number"], major["received_at"]])
        row = sheet.max_row
        for column, value in ((3, major["customer"]), (4, major["description"]), (5, major["status"][1])):
            _text(sheet.cell(row=row, column=column), value)

    if "complaint_list" in report:
        sheet = book.create_sheet("Complaint list 投诉明细")
        sheet.append(COMPLAINT_LIST_HEADERS)
        for c in report["complaint_list"]:
            row = sheet.max_row + 1
            for column, value in enumerate(complaint_row(c), start=1):
                _text(sheet.cell(row=row, column=column), value)
        sheet = book.create_sheet("Groups 分部门分人员")
        for key, en, zh, column in KPI_GROUPS:
            sheet.append([f"{zh} {en}"])
            sheet.append([column, "key", "指标 KPI", "分子 numerator", "分母 denominator", "value %"])
            for group in report[key]:
                for k in group["kpis"]:
                    sheet.append([group["zh"], k["key"], f"{k['zh']} {k['en']}", k["numerator"], k["denominator"],
                                  k["value"]])
            sheet.append([])

    sheet = book.create_sheet("Overdue 超时记录")
    sheet.append(["人员 person", "次数 misses", "三次及以上 flagged"])
    for row in report["overdue"]:
        sheet.append([row["person"], row["count"], row["flagged"]])

    sheet = book.create_sheet("Penalties 处罚")
    sheet.append(PENALTY_HEADERS)
    for row in report["penalties"]["people"]:
        sheet.append(penalty_row(row))
    sheet.append([])
    sheet.append([FUND_LABEL, report["penalties"]["fund"]["balance"]])

    sheet = book.create_sheet("Callbacks 回访")
    for key, en, zh in CALLBACK_ROWS:
        sheet.append([zh, en, report["callbacks"][key]])

    sheet = book.create_sheet("Returns 返修")
    for key, en, zh in RETURN_ROWS:
        sheet.append([zh, en, report["returns"][key]])

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_pdf(report: dict) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    from xml.sax.saxutils import escape

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13)
    heading = ParagraphStyle("heading", parent=body, fontSize=12, leading=18, spaceBefore=6)
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=22)

    def table(rows, widths=None):
        cells = [[Paragraph(escape(str(v)), body) for v in row] for row in rows]
        styled = Table(cells, colWidths=widths, repeatRows=1)
        styled.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                                    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                                    ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return styled

    story = [Paragraph(escape(f"{TITLE[1]} {TITLE[0]} {report['month']}"), title),
             Paragraph(escape(notice(report)), body),
             Paragraph(escape(f"生成时间 Generated {report['generated_at']}"), body),
             *[Paragraph(escape(line), body) for line in procedure_lines(report)],
             Paragraph("考核指标 KPIs", heading),
             table([["指标 KPI", "分子", "分母", "值 value"]] + [
                 [f"{k['zh']} {k['en']}", k["numerator"], "—" if k["denominator"] is None else k["denominator"],
                  percent(k["value"])] for k in report["kpis"]], [95 * mm, 25 * mm, 25 * mm, 30 * mm]),
             Paragraph("投诉 Complaints", heading),
             table([["", "数量 count"]] + [[f"{zh} {en}", report["complaints"][key]]
                                           for key, en, zh in COMPLAINT_ROWS])]
    for group, en, zh in GROUPS:
        story += [Spacer(1, 3 * mm), table([[f"{zh} {en}", "数量 count"]] + [
            [f"{row['zh']} {row['en']}", row["count"]] for row in report["complaints"][group]])]
    if report["majors"]:
        story += [Paragraph("重大投诉 Major complaints", heading),
                  table([["编号 number", "受理 received", "客户 customer", "内容 description", "状态 status"]] + [
                      [m["number"], m["received_at"], m["customer"], m["description"], m["status"][1]]
                      for m in report["majors"]], [32 * mm, 28 * mm, 28 * mm, 62 * mm, 25 * mm])]
    if report.get("complaint_list"):
        story += [Paragraph("本月投诉及结果 Every complaint of the month and its result", heading),
                  table([["编号", "受理", "类别", "责任部门", "责任人", "状态", "结案类型", "处理结果"]] + [
                      [row[0], row[1], row[2], row[4], row[5], row[6], row[7], row[8]]
                      for row in map(complaint_row, report["complaint_list"])])]
    for key, en, zh, column in KPI_GROUPS:
        rows = [[group["zh"], f"{k['zh']}", k["numerator"], k["denominator"], percent(k["value"])]
                for group in report.get(key, []) for k in group["kpis"]]
        if rows:
            story += [Paragraph(escape(f"{zh} {en}"), heading),
                      table([[column, "指标 KPI", "分子", "分母", "值 value"]] + rows)]
    story += [Paragraph("超时记录 Overdue records by person", heading),
              table([["人员 person", "次数 misses"]] + [
                  [row["person"] + (" (≥3)" if row["flagged"] else ""), row["count"]] for row in report["overdue"]]
                    if report["overdue"] else [["无 none"]]),
              Paragraph("处罚 Penalties", heading),
              table([PENALTY_HEADERS] + [penalty_row(row) for row in report["penalties"]["people"]]
                    if report["penalties"]["people"] else [["无 none"]]),
              Paragraph(escape(f"{FUND_LABEL}: {report['penalties']['fund']['balance']}"), body),
              Paragraph("回访 Callbacks", heading),
              table([["", "数量 count"]] + [[f"{zh} {en}", report["callbacks"][key]] for key, en, zh in CALLBACK_ROWS]),
              Paragraph("返修 Returns", heading),
              table([["", "数量 count"]] + [[f"{zh} {en}", report["returns"][key]] for key, en, zh in RETURN_ROWS])]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=f"Monthly report {report['month']}", author="After-sales service",
                      leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm).build(story)
    return out.getvalue()


# ----------------------------------------------------------------------------- the weekly callback report
WEEK_FIGURES = (("callbacks", "Callbacks due", "应回访"), ("effective", "Effective", "有效回访"),
                ("satisfied", "Satisfied", "满意"), ("ineffective", "Ineffective (unreachable)", "无效回访"),
                ("open", "Not called yet", "未回访"), ("satisfaction_rate", "Satisfaction rate %", "满意率 %"),
                ("effective_rate", "Effective callback rate %", "有效回访率 %"),
                ("overdue", "Overdue calls", "超时回访"), ("complaints", "Complaints opened", "转投诉"))
ADVISOR_HEADERS = ["服务顾问 service advisor", "回访 callbacks", "有效 effective", "满意 satisfied",
                   "无效 ineffective", "未回访 not called", "满意率 % satisfaction", "有效回访率 % effective rate"]


def callback_week_xlsx(report: dict) -> bytes:
    """The weekly callback report (回访周报, app/services/callback_reports.week) as a workbook: the
    week's figures, one row per service advisor, and the dissatisfied customers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "回访周报 Weekly"
    sheet.append(["回访周报 Weekly callback report", report["week_start"], report["week_end"],
                  *([report["unit_name"]] if report.get("unit_name") else [])])
    sheet.append([])
    sheet.append(["指标", "figure", "value"])
    for key, en, zh in WEEK_FIGURES:
        sheet.append([zh, en, report["total"][key]])
    for row in (1, 3):
        for cell in sheet[row]:
            cell.font = Font(bold=True)

    sheet = book.create_sheet("服务顾问 Advisors")
    sheet.append(ADVISOR_HEADERS)
    for row in report["advisors"]:
        sheet.append([row["advisor"] or "（未记录）"])
        _text(sheet.cell(row=sheet.max_row, column=1), row["advisor"] or "（未记录）")
        for column, key in enumerate(("callbacks", "effective", "satisfied", "ineffective", "open",
                                      "satisfaction_rate", "effective_rate"), start=2):
            sheet.cell(row=sheet.max_row, column=column, value=row[key])

    if report.get("units"):
        sheet = book.create_sheet("组织机构 Units")
        sheet.append(["组织机构 unit", "代码 code", *ADVISOR_HEADERS[1:], "超时回访 overdue", "转投诉 complaints"])
        for row in report["units"]:
            line = sheet.max_row + 1
            _text(sheet.cell(row=line, column=1), row["unit_name"] or "—")
            _text(sheet.cell(row=line, column=2), row["unit"] or "")
            for column, key in enumerate(("callbacks", "effective", "satisfied", "ineffective", "open",
                                          "satisfaction_rate", "effective_rate", "overdue", "complaints"), start=3):
                sheet.cell(row=line, column=column, value=row[key])

    sheet = book.create_sheet("不满意 Dissatisfied")
    sheet.append(["回访号 callback", "客户 customer", "电话 phone", "车辆 vehicle", "服务顾问 advisor",
                  "备注 remarks", "投诉编号 complaint", "致歉短信 apology text"])
    for row in report["dissatisfied"]:
        sheet.append([row["id"]])
        line = sheet.max_row
        for column, key in enumerate(("customer_name", "contact_phone", "subject", "service_advisor", "remarks",
                                      "complaint_number", "apology_text"), start=2):
            _text(sheet.cell(row=line, column=column), row[key] or "")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
