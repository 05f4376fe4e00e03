"""One way to page every list: keyset pagination on a stable sort (the sort's columns, then the
row's id), with an opaque cursor (`?after=`) naming the last row seen, so a page is an index
range scan however deep, and rows added between pages neither repeat nor go missing. The old
`page` number (shared/api.md) still works as an offset. Counts stop at a bound: beyond it a list
says "more than N" instead of scanning everything."""
import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, and_, false, func, or_, select, union
from sqlalchemy.orm import InstrumentedAttribute

from ..errors import ValidationFailed
from ..i18n import N_
from ..extensions import db
from ..models.types import UTCDateTime

COUNT_BOUND = 1_000  # a page of 50 needs no more; counting stops there, not at the list's end


@dataclass(frozen=True)
class Sort:
    """An order of rows: (column, descending) pairs, the last one unique (the id). A nullable
    column's empty values come last in either direction (a task without a due time)."""
    name: str  # named in the cursor: a cursor read with another order is refused
    keys: tuple[tuple[InstrumentedAttribute, bool], ...]

    def order_by(self) -> list:
        clauses = []
        for column, descending in self.keys:
            clause = column.desc() if descending else column.asc()
            clauses.append(clause.nulls_last() if _nullable(column) else clause)
        return clauses

    def after(self, values: list):
        """Rows strictly after the row with these sort values."""
        beyond, same = [], []
        for (column, descending), value in zip(self.keys, values):
            if value is None:  # nothing sorts after an empty value but more empty ones
                step, equal = None, column.is_(None)
            else:
                step = column < value if descending else column > value
                if _nullable(column):
                    step = or_(step, column.is_(None))
                equal = column == value
            if step is not None:
                beyond.append(and_(*same, step))
            same.append(equal)
        if not beyond:
            return false()
        first, descending = self.keys[0]
        if values[0] is None or _nullable(first):
            return or_(*beyond)
        # the same rows, with a range on the first key an index can start from (the OR alone
        # is read as a filter: a deep page would walk every row before it)
        return and_(first <= values[0] if descending else first >= values[0], or_(*beyond))

    def after_ranges(self, values: list) -> list:
        """after() as conditions of which a row meets one, each an index range: with an empty-able
        first key, the rows with a value (from the cursor's on) and then the empty ones apart."""
        first, descending = self.keys[0]
        if values[0] is None or not _nullable(first):
            return [self.after(values)]
        return [and_(first <= values[0] if descending else first >= values[0], self.after(values)), first.is_(None)]

    def cursor(self, row) -> str:
        values = [self.name, *(_plain(getattr(row, column.key)) for column, _ in self.keys)]
        return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")

    def read_cursor(self, cursor: str) -> list:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            values = json.loads(raw)
            if not isinstance(values, list) or len(values) != len(self.keys) + 1 or values[0] != self.name:
                raise ValueError
            return [_typed(column, value) for (column, _), value in zip(self.keys, values[1:])]
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise ValidationFailed(N_("bad cursor"), {"after": [N_(
                "is not a cursor of this list and order (take it from next_after)")]}) from None


def _nullable(column) -> bool:
    return bool(getattr(column.expression, "nullable", False))


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _typed(column, value):
    if value is None:
        return None
    kind = datetime if isinstance(column.expression.type, (UTCDateTime, DateTime)) else \
        column.expression.type.python_type
    if kind is datetime:
        if not isinstance(value, str):
            raise ValueError
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError
        return moment
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError
    return value


@dataclass
class Page:
    items: list
    total: int  # exact when total_exact, else a lower bound ("more than")
    total_exact: bool
    next_after: str | None  # the cursor of the next page, None on the last

    def as_json(self, items: list) -> dict:
        return {"items": items, "total": self.total, "total_exact": self.total_exact, "next_after": self.next_after}


def bounded_count(query, bound: int = COUNT_BOUND) -> tuple[int, bool]:
    """How many rows the query has, counting no further than `bound`."""
    key = query.column_descriptions[0]["entity"].id  # the id alone: no row's columns, no eager joins
    counted = db.session.scalar(select(func.count()).select_from(
        query.with_only_columns(key).order_by(None).limit(bound + 1).subquery()))
    return (counted, True) if counted <= bound else (bound, False)


def _union(query, conditions, sort, limit):
    """The ids of the first `limit` rows meeting each condition in `sort`'s order, each read on
    its own, merged without repeats."""
    key = query.column_descriptions[0]["entity"].id
    branches = []
    for condition in conditions:
        branch = select(key).where(*(c for c in (query.whereclause, condition) if c is not None))
        inner = branch.order_by(*sort.order_by()).limit(limit).subquery()
        branches.append(select(inner.c[0]))
    return union(*branches)


def paginate(query, sort: Sort, *, after: str | None = None, page: int = 1, per_page: int = 50,
             count_bound: int = COUNT_BOUND, parts=None) -> Page:
    """A page of `query` in `sort`'s order. `parts`, when given, are conditions a row meets one of
    (the lanes of an inbox, the two ways a complaint is someone's): each is read as its own index
    range in the sort's order and the ranges merged, where one OR (or IN) would make the database
    read every matching row and sort them. A cursor's position is split the same way when it is
    not one range (Sort.after_ranges)."""
    total, exact = bounded_count(query.where(or_(*parts)) if parts else query, count_bound)  # in no order
    ranges = sort.after_ranges(sort.read_cursor(after)) if after else [None]
    skip = 0 if after else (page - 1) * per_page
    conditions = [[c for c in (part, at) if c is not None] for part in parts or [None] for at in ranges]
    ordered = query.order_by(*sort.order_by())
    if len(conditions) > 1:
        ordered = ordered.where(sort.keys[-1][0].in_(
            _union(query, [and_(*c) for c in conditions], sort, skip + per_page + 1)))
    elif conditions[0]:
        ordered = ordered.where(*conditions[0])
    rows = list(db.session.scalars(ordered.offset(skip).limit(per_page + 1)).unique())
    more = len(rows) > per_page
    rows = rows[:per_page]
    return Page(rows, total, exact, sort.cursor(rows[-1]) if more else None)


def bounded(query, sort: Sort, limit: int) -> tuple[list, bool]:
    """At most `limit` rows in order (an export), and whether there were more."""
    rows = list(db.session.scalars(query.order_by(*sort.order_by()).limit(limit + 1)).unique())
    return rows[:limit], len(rows) > limit
