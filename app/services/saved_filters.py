"""Saved filters: a person names the query string of a list page and applies it later.
Only filters and the order are kept (a cursor or page number would go stale)."""
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import select

from ..errors import NotFound, ValidationFailed
from ..i18n import N_
from ..extensions import db
from ..models import SavedFilter, User

# list name -> the parameters its query string may keep
LISTS = {"inbox": ("lane", "process_key", "claimed", "overdue", "sort"),
         "complaints": ("status", "category", "severity", "channel", "responsible", "month", "q", "sort")}
MAX_PER_LIST = 50


def _list_name(list_name: str) -> str:
    if list_name not in LISTS:
        raise NotFound(N_("no list %(name)s", name=list_name))
    return list_name


def of(user: User, list_name: str) -> list[SavedFilter]:
    return list(db.session.scalars(select(SavedFilter).where(
        SavedFilter.user_id == user.id, SavedFilter.list_name == _list_name(list_name)).order_by(SavedFilter.name)))


def clean_query(list_name: str, query: str) -> str:
    kept = [(k, v) for k, v in parse_qsl(query or "", keep_blank_values=False) if k in LISTS[list_name] and v]
    return urlencode(kept)


def save(user: User, list_name: str, name: str, query: str) -> SavedFilter:
    """Save (or replace) the filter of that name."""
    _list_name(list_name)
    name = (name or "").strip()
    if not 1 <= len(name) <= 64:
        raise ValidationFailed(N_("bad filter name"), {"name": [N_("must be 1 to 64 characters")]})
    kept = clean_query(list_name, query)
    if len(kept) > 1000:
        raise ValidationFailed(N_("filter too long"), {"query": [N_("must be at most 1000 characters")]})
    found = db.session.scalar(select(SavedFilter).where(
        SavedFilter.user_id == user.id, SavedFilter.list_name == list_name, SavedFilter.name == name))
    if found is None:
        if len(of(user, list_name)) >= MAX_PER_LIST:
            raise ValidationFailed(N_("too many filters"), {"name": [N_("at most %(count)s saved filters per list", count=MAX_PER_LIST)]})
        found = SavedFilter(user_id=user.id, list_name=list_name, name=name)
        db.session.add(found)
    found.query = kept
    db.session.flush()
    return found


def delete(user: User, filter_id: int) -> None:
    found = db.session.get(SavedFilter, filter_id)
    if found is None or found.user_id != user.id:
        raise NotFound(N_("no saved filter %(id)s", id=filter_id))  # another person's is not shown to exist
    db.session.delete(found)
    db.session.flush()


def as_dict(saved: SavedFilter) -> dict:
    return {"id": saved.id, "list": saved.list_name, "name": saved.name, "query": saved.query}
