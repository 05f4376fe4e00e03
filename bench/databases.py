"""Fresh databases for a benchmark: a new SQLite file, or a new database on the PostgreSQL server
named by BENCH_POSTGRES_URL (default: the local one, as scripts/test starts it), dropped after."""
import os
import tempfile
import uuid
from contextlib import contextmanager

import sqlalchemy as sa

SERVER = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/postgres"


def postgres_server() -> str:
    return os.environ.get("BENCH_POSTGRES_URL") or SERVER


@contextmanager
def fresh(kind: str, name: str = "bench"):
    """Yields the URL of an empty database of `kind` ("sqlite" or "postgresql")."""
    if kind == "sqlite":
        yield f"sqlite:///{tempfile.mkdtemp(prefix='aftersales-bench-')}/{name}.sqlite"
        return
    server = sa.engine.make_url(postgres_server())
    database = f"aftersales_{name}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{database}"'))
        yield server.set(database=database).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def prepared_app(url: str, deploy: bool = True):
    """The app on `url`, migrated, with the demo users and (unless told not to) the procedures of
    processes/ deployed: what every benchmark starts from."""
    from flask_migrate import upgrade

    from app import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        runner = app.test_cli_runner()
        for command in ((["deploy"],) if deploy else ()) + (["seed-demo"],):
            result = runner.invoke(args=command)
            if result.exit_code != 0:
                raise SystemExit(f"flask {' '.join(command)} failed: {result.output}")
    return app
