"""The delivery register (交车登记): the repair orders handed back to customers, entered one by
one or imported from the dealer system's CSV export. The complaint rate's denominator and the
source of 准时交车率, 准时竣工率 and 估价准确率 (app/services/kpis.py).

An import is all or nothing: every bad cell is reported by line and column (the column as the
file names it) and nothing is written unless every row is good. A repair order already in the
register is updated, not added twice. The export may be UTF-8 (with or without BOM) or GBK, its
header in Chinese or English; times without an offset are the service time zone's."""
import csv
import io
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from .. import permissions
from ..clock import local, now, service_zone
from ..errors import ValidationFailed
from ..extensions import db
from ..i18n import N_, lazy_gettext
from ..models import User
from ..models.kpis import Delivery
from . import paging
from .complaints import month_range

MAX_IMPORT_BYTES = 5 * 2**20
MAX_IMPORT_ROWS = 20_000

# field: (label, whether required, kind, the header names an export may use besides the field's own)
FIELDS = {
    "repair_order": (lazy_gettext("Repair order"), True, "text", ("工单号", "维修工单号", "工单编号", "委托书号", "ro")),
    "plate": (lazy_gettext("Plate"), False, "text", ("车牌号", "车牌", "车牌号码", "license plate")),
    "customer_name": (lazy_gettext("Customer"), False, "text", ("客户", "客户名称", "客户姓名", "customer")),
    "department": (lazy_gettext("Department / unit"), False, "text", ("部门", "单位", "网点", "unit")),
    "service_advisor": (lazy_gettext("Service advisor"), False, "text", ("服务顾问", "接待员", "advisor")),
    "promised_delivery_at": (lazy_gettext("Promised delivery time"), False, "time",
                             ("约定交车时间", "预计交车时间", "承诺交车时间", "promised delivery")),
    "delivered_at": (lazy_gettext("Delivered at"), True, "time",
                     ("交车时间", "实际交车时间", "delivered", "delivery time")),
    "promised_completion_at": (lazy_gettext("Promised completion time"), False, "time",
                               ("约定竣工时间", "预计竣工时间", "承诺竣工时间", "promised completion")),
    "completed_at": (lazy_gettext("Completed at"), False, "time",
                     ("竣工时间", "实际竣工时间", "completed", "completion time")),
    "estimate_amount": (lazy_gettext("Estimate"), False, "amount", ("估价", "估价金额", "预估金额", "estimate")),
    "final_amount": (lazy_gettext("Final bill"), False, "amount",
                     ("结算金额", "实际结算金额", "结算", "final bill", "final amount")),
}
LENGTHS = {"repair_order": 40, "plate": 32, "customer_name": 100, "department": 64, "service_advisor": 64}
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")


def _header_key(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", name.strip().lower()).strip()


HEADERS = {_header_key(alias): field for field, (*_, aliases) in FIELDS.items() for alias in (field, *aliases)}


def _time(raw):
    if isinstance(raw, datetime):
        moment = raw
    else:
        text = str(raw).strip()
        moment = None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            for fmt in TIME_FORMATS:
                try:
                    moment = datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
        if moment is None:
            raise ValueError(N_("not a date and time (YYYY-MM-DD HH:MM)"))
    if not 2000 <= moment.year <= 2999:
        raise ValueError(N_("must be a year from 2000 to 2999"))
    return moment.replace(tzinfo=service_zone()) if moment.tzinfo is None else moment


def _amount(raw) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError(N_("not an amount"))
    try:
        value = Decimal(str(raw).strip().replace(",", "").replace("¥", "").replace("￥", ""))
    except InvalidOperation:
        raise ValueError(N_("not an amount")) from None
    if not value.is_finite() or not 0 <= value < Decimal("10000000000"):
        raise ValueError(N_("must be an amount from 0 to 9,999,999,999.99"))
    return value.quantize(Decimal("0.01"))


def clean(values: dict) -> tuple[dict, dict]:
    """One repair order's values (strings from a file or JSON values) -> (fields, problems by field);
    a field not among the values is left out (a file without the column updates nothing of it)."""
    cleaned, problems = {}, {}
    for field, (_, required, kind, _) in FIELDS.items():
        if field not in values and not required:
            continue  # not given: an update keeps what the register has
        raw = values.get(field)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if required:
                problems[field] = N_("required")
            cleaned[field] = "" if field in ("plate", "customer_name") else None
            continue
        try:
            if kind == "time":
                cleaned[field] = _time(raw)
            elif kind == "amount":
                cleaned[field] = _amount(raw)
            else:
                if not isinstance(raw, str):
                    raise ValueError(N_("must be text"))
                text = raw.strip()
                if "\x00" in text:  # PostgreSQL keeps no NUL in a text
                    raise ValueError(N_("contains a NUL character"))
                if len(text) > LENGTHS[field]:
                    raise ValueError(N_("at most %(count)s characters", count=LENGTHS[field]))
                cleaned[field] = text
        except ValueError as err:
            problems[field] = err.args[0]
    return cleaned, problems


def _save(user: User, cleaned: dict, source: str, row: Delivery | None) -> tuple[Delivery, bool]:
    """Writes the values into `row`, the repair order's row if the register has it, or a new one."""
    created = row is None
    if created:
        row = Delivery(repair_order=cleaned["repair_order"], unit_id=user.unit_id)  # the KPIs per unit count it there
        db.session.add(row)
    for field, value in cleaned.items():
        setattr(row, field, value)
    row.source, row.entered_by_id, row.entered_at = source, user.id, now()
    return row, created


def enter(user: User, values: dict) -> tuple[Delivery, bool]:
    """One repair order entered by hand (or through the API); the same repair order again updates it."""
    permissions.require(user, "deliveries.enter")
    cleaned, problems = clean(values)
    if problems:
        raise ValidationFailed(N_("the delivery was not saved"), {f: [reason] for f, reason in problems.items()})
    row, created = _save(user, cleaned, "entered", db.session.scalar(
        select(Delivery).where(Delivery.repair_order == cleaned["repair_order"])))
    db.session.flush()
    return row, created


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 reads every GBK file
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed(N_("the file was not imported"), {"file": [N_("is neither UTF-8 nor GBK text")]})


def import_csv(user: User, data: bytes) -> dict:
    """The CSV export of the dealer system, all rows or none: {"created", "updated", "rows"}."""
    permissions.require(user, "deliveries.enter")
    if not data or not data.strip():
        raise ValidationFailed(N_("the file was not imported"), {"file": [N_("required: a CSV file")]})
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationFailed(N_("the file was not imported"),
                               {"file": [N_("is larger than %(size)s MiB", size=MAX_IMPORT_BYTES // 2**20)]})
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    header = next(reader, [])
    columns, problems = {}, []
    for index, name in enumerate(header):
        field = HEADERS.get(_header_key(name))
        if field and field not in columns.values():
            columns[index] = field
    named = {field: header[index].strip() for index, field in columns.items()}
    missing = [str(FIELDS[f][0]) for f, (_, required, *_) in FIELDS.items() if required and f not in named]
    if missing:
        raise ValidationFailed(N_("the file was not imported"), {"file": [
            N_("line 1: no column «%(column)s»", column=label) for label in missing]})
    rows, seen = [], {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_IMPORT_ROWS:
            raise ValidationFailed(N_("the file was not imported"),
                                   {"file": [N_("has more than %(count)s rows", count=MAX_IMPORT_ROWS)]})
        values = {field: cells[index] if index < len(cells) else "" for index, field in columns.items()}
        cleaned, found = clean(values)
        for field, reason in found.items():
            problems.append(N_("line %(line)s, column «%(column)s»: %(reason)s", line=line,
                               column=named.get(field) or FIELDS[field][0], reason=reason))
        order = cleaned.get("repair_order")
        if order and order in seen:
            problems.append(N_("line %(line)s, column «%(column)s»: repeats line %(first)s", line=line,
                               column=named["repair_order"], first=seen[order]))
        elif order:
            seen[order] = line
        rows.append(cleaned)
    if problems:
        raise ValidationFailed(N_("the file was not imported: %(count)s problems", count=len(problems)),
                               {"file": problems[:200]})
    if not rows:
        raise ValidationFailed(N_("the file was not imported"), {"file": [N_("has no rows")]})
    existing = {row.repair_order: row for row in db.session.scalars(
        select(Delivery).where(Delivery.repair_order.in_(list(seen))))}
    created = 0
    for cleaned in rows:
        created += _save(user, cleaned, "import", existing.get(cleaned["repair_order"]))[1]
    db.session.flush()
    return {"created": created, "updated": len(rows) - created, "rows": len(rows)}


NEWEST_FIRST = paging.Sort("-delivered", ((Delivery.delivered_at, True), (Delivery.id, True)))


def listing(user: User, month: str | None = None, *, after: str | None = None, page: int = 1,
            per_page: int = 50) -> paging.Page:
    """The register, newest delivery first, optionally one month's."""
    permissions.require(user, "deliveries.read")
    query = select(Delivery)
    if month:
        start, end = month_range(month)
        query = query.where(Delivery.delivered_at >= start, Delivery.delivered_at < end)
    return paging.paginate(query, NEWEST_FIRST, after=after, page=page, per_page=per_page)


def count(month: str) -> int:
    start, end = month_range(month)
    return db.session.scalar(select(func.count()).where(Delivery.delivered_at >= start, Delivery.delivered_at < end))


def to_dict(row: Delivery) -> dict:
    def time(value):
        return local(value).isoformat() if value else None

    def amount(value):
        return float(value) if value is not None else None
    return {"id": row.id, "repair_order": row.repair_order, "plate": row.plate, "customer_name": row.customer_name,
            "department": row.department, "service_advisor": row.service_advisor,
            "promised_delivery_at": time(row.promised_delivery_at), "delivered_at": time(row.delivered_at),
            "promised_completion_at": time(row.promised_completion_at), "completed_at": time(row.completed_at),
            "estimate_amount": amount(row.estimate_amount), "final_amount": amount(row.final_amount),
            "source": row.source, "entered_by": row.entered_by.username if row.entered_by else None,
            "entered_at": time(row.entered_at)}
