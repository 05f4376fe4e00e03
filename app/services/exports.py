"""A list as a file: CSV (UTF-8 with a byte-order mark, so Excel reads Chinese) or XLSX.
User text never becomes a formula; a cut export says so in its first line."""
import csv
import io
from datetime import datetime

from ..clock import local

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if isinstance(value, datetime):
        return local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "是 yes" if value else "否 no"
    return "" if value is None else value


def _csv_text(value):
    value = _cell(value)
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def as_csv(headers: list[str], rows: list[list], note: str | None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    if note:
        writer.writerow([note])
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(title: str, headers: list[str], rows: list[list], note: str | None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    if note:
        sheet.append([note])
    sheet.append(headers)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, not a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def headers(fmt: str, name: str, cut: bool) -> dict:
    """What an answer carrying the file says about it (X-Export-Truncated: cut at the bound)."""
    return {"Content-Type": FORMATS[fmt], "Content-Disposition": f'attachment; filename="{name}.{fmt}"',
            "X-Export-Truncated": "true" if cut else "false"}


def render(fmt: str, title: str, headers: list[str], rows: list[list], note: str | None) -> bytes:
    return as_csv(headers, rows, note) if fmt == "csv" else as_xlsx(title, headers, rows, note)
