"""Record numbers PREFIX-YYYYMM-NNNN whose serial restarts each month."""
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..clock import local
from ..extensions import db
from ..models import RecordCounter


def next_number(prefix: str, moment: datetime) -> str:
    period = local(moment).strftime("%Y%m")
    return f"{prefix}-{period}-{next_serial(prefix, period):04d}"


def next_serial(prefix: str, period: str) -> int:
    """One atomic upsert: concurrent writers queue on the counter row, and a rollback
    gives the number back, so serials are neither duplicated nor skipped."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (insert(RecordCounter).values(prefix=prefix, period=period, last_value=1)
                 .on_conflict_do_update(index_elements=["prefix", "period"],
                                        set_={"last_value": RecordCounter.last_value + 1})
                 .returning(RecordCounter.last_value))
    return db.session.execute(statement).scalar_one()


def current_serial(prefix: str, period: str) -> int:
    return db.session.scalar(select(RecordCounter.last_value).where(
        RecordCounter.prefix == prefix, RecordCounter.period == period)) or 0
