"""`q=` of every list: the rows of a `Searchable` table whose search text holds each term of
the query, read through the full-text index (app/models/search.py says why the tokens are
Chinese bigrams and latin suffixes). Terms are separated by spaces and all must match.

A term is found as a substring of a searched field: Chinese by the phrase of its bigrams
(发动机异响 → "发动 动机 机异 异响"), letters and digits by a prefix of a suffix (1380013 →
1380013*). A query whose terms are all one character long is refused with a message naming
`q`: it would match most rows and no index reads it cheaply."""
from sqlalchemy import column, func, literal_column, select, table

from ..errors import ValidationFailed
from ..extensions import db
from ..i18n import N_
from ..models.search import bigrams, runs

SHORTEST = 2
COMMON = 2_000  # SQLite: more matches than this, and a page reads its list's order (see matching)


def _terms(q: str) -> list[tuple[str, str]]:
    """(kind, text) of each part of the query worth searching: a Chinese run of two characters or
    more, or a latin run of two or more (a plate's province counts). Single characters beside a
    longer part of the same term are dropped (王 in "王 13800"); a query of nothing else is refused."""
    parts = [(kind, run) for kind, run in runs(q) if len(run) >= SHORTEST]
    if not parts:
        raise ValidationFailed(N_("the search is too short"), {"q": [N_(
            "enter at least %(count)d characters (Chinese, letters or digits)", count=SHORTEST)]})
    return parts


def _fts5_query(parts) -> str:
    return " AND ".join(f'"{" ".join(bigrams(run))}"' if kind == "zh" else f'"{run}"*' for kind, run in parts)


def _tsquery(parts) -> str:
    # tokens hold only Chinese characters, a-z and 0-9 (runs() cut them so): nothing to quote
    return " & ".join("(" + " <-> ".join(bigrams(run)) + ")" if kind == "zh" else f"{run}:*" for kind, run in parts)


def matching(model, q: str):
    """A condition: the rows of `model` (a Searchable) matching every term of `q`."""
    parts = _terms(q)
    if db.session.get_bind().dialect.name == "postgresql":
        vector = literal_column(f"{model.__tablename__}.search_vector")  # generated (app/models/search.py)
        return vector.op("@@")(func.to_tsquery(literal_column("'simple'::regconfig"), _tsquery(parts)))
    index = table(f"{model.__tablename__}_search", column("rowid"))
    found = select(index.c.rowid).where(literal_column(index.name).op("MATCH")(_fts5_query(parts)))
    if db.session.scalar(select(func.count()).select_from(found.limit(COMMON + 1).subquery())) > COMMON:
        # SQLite would fetch every match by id and sort them all: a common term (异响) reads the
        # list in its order instead, checking each row against the matches (`id + 0` is not an
        # index SQLite can drive by). The count reads only the FTS5 index: a millisecond or two.
        return (model.id + 0).in_(found)
    return model.id.in_(found)
