"""Record numbers PREFIX-YYYYMM-NNNN whose serial restarts each month."""
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..clock import local
from ..extensions import db
from ..models import RecordCounter


def next_number(prefix: str, moment: datetime) -> str:
    """One atomic upsert: concurrent writers queue on the counter row, and a rollback
    gives the number back, so numbers are neither duplicated nor skipped."""
    period = local(moment).strftime("%Y%m")
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (insert(RecordCounter).values(prefix=prefix, period=period, last_value=1)
                 .on_conflict_do_update(index_elements=["prefix", "period"],
                                        set_={"last_value": RecordCounter.last_value + 1})
                 .returning(RecordCounter.last_value))
    serial = db.session.execute(statement).scalar_one()
    return f"{prefix}-{period}-{serial:04d}"


def current_serial(prefix: str, period: str) -> int:
    return db.session.scalar(select(RecordCounter.last_value).where(
        RecordCounter.prefix == prefix, RecordCounter.period == period)) or 0
