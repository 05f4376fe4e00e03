"""The working-day calendar an admin keeps: holidays and make-up working days of the years
chinese-calendar does not know yet (or a late change to one it knows)."""
from datetime import date

from sqlalchemy import extract, select

from ..clock import now
from .. import permissions
from ..errors import ValidationFailed
from ..extensions import db
from ..i18n import N_
from ..models import CalendarDay, User
from ..workdays import forget_entered_days, year_source


def year(year_number: int) -> dict:
    if not 2000 <= year_number <= 2100:
        raise ValidationFailed(N_("bad year"), {"year": [N_("must be between 2000 and 2100")]})
    days = db.session.scalars(select(CalendarDay).where(extract("year", CalendarDay.day) == year_number)
                              .order_by(CalendarDay.day))
    return {"year": year_number, "source": year_source(year_number),
            "days": [{"day": d.day.isoformat(), "is_working": d.is_working, "note": d.note} for d in days]}


def set_day(user: User, day_text: str, is_working, note: str = "") -> CalendarDay:
    permissions.require(user, "calendar.edit")
    problems = {}
    try:
        day = date.fromisoformat(day_text)
    except (TypeError, ValueError):
        problems["day"] = [N_("must be a date YYYY-MM-DD")]
    if not isinstance(is_working, bool):
        problems["is_working"] = [N_("must be true (a make-up working day) or false (a holiday)")]
    if not isinstance(note, str) or len(note) > 100:
        problems["note"] = [N_("text of at most 100 characters")]
    if problems:
        raise ValidationFailed(N_("bad calendar day"), problems)
    entry = db.session.get(CalendarDay, day) or CalendarDay(day=day)
    entry.is_working, entry.note, entry.updated_by_id, entry.updated_at = is_working, note, user.id, now()
    db.session.add(entry)
    db.session.flush()
    forget_entered_days()
    return entry


def remove_day(user: User, day_text: str) -> None:
    permissions.require(user, "calendar.edit")
    try:
        entry = db.session.get(CalendarDay, date.fromisoformat(day_text))
    except ValueError:
        raise ValidationFailed(N_("bad calendar day"), {"day": [N_("must be a date YYYY-MM-DD")]}) from None
    if entry is not None:
        db.session.delete(entry)
        db.session.flush()
        forget_entered_days()


def warnings(lang: str) -> list[str]:
    """Years the deadlines may reach (this one and the next) that are counted Monday to Friday."""
    this_year = now().year
    missing = [y for y in (this_year, this_year + 1) if year_source(y) == "weekdays"]
    if lang == "en":
        return [f"No holidays entered for {y}: deadlines in {y} count Monday to Friday." for y in missing]
    return [f"{y} 年的节假日尚未录入：{y} 年的期限按周一至周五计算。" for y in missing]
