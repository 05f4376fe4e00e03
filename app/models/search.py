"""Search text for Chinese and for phone and plate fragments: one token scheme, indexed by FTS5
on SQLite and by a GIN index on `to_tsvector('simple', search_text)` on PostgreSQL.

Why this scheme, not pg_trgm: Chinese has no spaces, and most terms people type are two
characters (异响, 漏油, a surname and given name), below what trigrams index; and SQLite has no
trigram index that both databases would share. So a row's searchable fields are cut into
tokens both full-text engines take as plain words:
- a run of Chinese characters becomes its character bigrams (发动机异响 → 发动 动机 机异 异响),
  a single character stays itself; a term of two or more characters is then found as the
  phrase of its bigrams, exactly where it occurs;
- a run of letters and digits (a phone, a plate, a VIN, an English word), with the Chinese
  characters touching it (a plate's province), becomes all its suffixes
  (京a12345 → 京a12345 a12345 12345 2345 345 45), so any fragment of it is found as a prefix
  query (1380013*, a123*, 京a1*) reading one narrow range of the index.
A term of one character is refused (app/services/search.py says so in the user's language):
it would match a large part of every list and no index reads it cheaply.

`search_text` is filled where rows are written: the ORM's before-insert/update events of every
`Searchable` model (never in a handler); the database then keeps its full-text index in line
(FTS5 triggers; a generated tsvector column under a GIN index)."""
import re
import unicodedata

from sqlalchemy import Text, event, inspect
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

_CHINESE = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CHINESE}]+|[0-9a-z]+")
_CHINESE_RUN = re.compile(rf"[{_CHINESE}]+")
LONGEST_RUN = 32  # letters and digits: a longer run (a URL, a serial) is indexed by its first 32


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def runs(text: str) -> list[tuple[str, str]]:
    """The text's runs as (kind, run): kind "zh" for Chinese, "latin" for letters and digits, a
    latin run carrying the Chinese characters touching it (京 of 京A12345, 号 of 12345号)."""
    matches = list(_RUNS.finditer(_normal(text)))
    found = []
    for i, match in enumerate(matches):
        run = match.group()
        if _CHINESE_RUN.match(run):
            found.append(("zh", run))
            continue
        before = matches[i - 1] if i > 0 and matches[i - 1].end() == match.start() else None
        after = matches[i + 1] if i + 1 < len(matches) and matches[i + 1].start() == match.end() else None
        found.append(("latin", (before.group()[-1] if before else "") + run[:LONGEST_RUN]
                      + (after.group()[0] if after else "")))
    return found


def bigrams(run: str) -> list[str]:
    return [run] if len(run) < 2 else [run[i:i + 2] for i in range(len(run) - 1)]


def document_tokens(*fields) -> str:
    """The search text of a row's fields: Chinese bigrams, and the suffixes of latin runs."""
    tokens = []
    for field in fields:
        for kind, run in runs(field or ""):
            if kind == "zh":
                tokens.extend(bigrams(run))
            else:
                tokens.extend(run[i:] for i in range(len(run) - 1))
    return " ".join(tokens)


class Searchable:
    """A table whose rows are searched: `__search_fields__` names the columns searched, and
    `search_text` holds their tokens, refreshed whenever the row is inserted or updated."""
    __search_fields__: tuple[str, ...] = ()
    search_text: Mapped[str | None] = mapped_column(Text, default="", deferred=True)  # written, never shown

    def refresh_search_text(self) -> None:
        self.search_text = document_tokens(*(getattr(self, name) for name in self.__search_fields__))


@event.listens_for(Searchable, "before_insert", propagate=True)
def _fill_search_text(mapper, connection, target) -> None:
    target.refresh_search_text()


@event.listens_for(Searchable, "before_update", propagate=True)
def _refresh_search_text(mapper, connection, target) -> None:
    """Only when a searched field changed: other updates leave the text and its index alone."""
    changed = inspect(target).attrs
    if any(changed[name].history.has_changes() for name in target.__search_fields__):
        target.refresh_search_text()


def index_statements(table: str, dialect: str) -> list[str]:
    """The DDL of `table`'s full-text index (the migration runs it, and create_all through the
    hook below). PostgreSQL: a stored tsvector of the search text (a generated column, so a
    match is checked without tokenizing the row again) under a GIN index; not mapped, since
    SQLite has no such column: app/services/search.py names it. SQLite: an FTS5 table
    ("external content": the index alone, the text read from `table`) kept in line by triggers."""
    if dialect == "postgresql":
        return [f"ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
                "(to_tsvector('simple'::regconfig, coalesce(search_text, ''))) STORED",
                f"CREATE INDEX ix_{table}_search ON {table} USING gin (search_vector)"]
    index = f"{table}_search"
    remove = f"INSERT INTO {index}({index}, rowid, search_text) VALUES ('delete', old.id, old.search_text);"
    add = f"INSERT INTO {index}(rowid, search_text) VALUES (new.id, new.search_text);"
    return [f"CREATE VIRTUAL TABLE {index} USING fts5(search_text, content='{table}', content_rowid='id')",
            f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN {add} END",
            f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN {remove} END",
            f"CREATE TRIGGER {index}_update AFTER UPDATE OF search_text ON {table} BEGIN {remove} {add} END"]


@event.listens_for(db.metadata, "after_create")
def _create_search_indexes(metadata, connection, **kw) -> None:
    for model in Searchable.__subclasses__():
        for statement in index_statements(model.__tablename__, connection.dialect.name):
            connection.exec_driver_sql(statement)
