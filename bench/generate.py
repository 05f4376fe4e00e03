"""Builds a dealer group's lists quickly: a sample of real cases run through the engine over
the API (a few hundred, at every stage of the complaint procedure), then the rest as copies of
their rows with other names, phones, plates, descriptions, dates and statuses: 1M complaints
in the ledger and 100k open tasks in the inbox by default.

    .venv/bin/python bench/generate.py --database-url postgresql://.../bench_lists
        [--complaints 1000000] [--open-tasks 100000] [--sample 200]

The database is migrated first (an empty one is fine). On PostgreSQL the copies go in by COPY
with the tables' secondary indexes dropped and built again after (far faster than keeping them
up to date row by row), then VACUUM ANALYZE; on SQLite by executemany in big batches (the FTS5
triggers fill the search index). It prints how long each part took."""
import argparse
import random
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志文斌鹏辉宇浩凯"
FAULTS = ("发动机异响", "刹车异响", "底盘异响", "空调不制冷", "变速箱顿挫", "发动机漏油", "仪表盘报警灯常亮",
          "维修后问题仍然存在", "服务态度差", "配件等待时间长", "喷漆有色差", "轮胎鼓包", "电瓶亏电无法启动",
          "方向盘抖动", "座椅加热失灵", "车窗升降卡顿", "保养费用与报价不符", "洗车划伤车漆")
WHEN = ("保养后", "维修后", "提车三天", "高速行驶时", "冷车启动时", "雨天", "", "")
MODELS = ("帕萨特", "朗逸", "途观", "凯美瑞", "雅阁", "思域", "宝来", "迈腾", "卡罗拉", "轩逸")
PROVINCES = "京沪粤苏浙鲁川渝湘鄂豫冀"
RESULTS = ("已免费更换正时皮带并道歉", "已重新调整刹车片", "已更换空调压缩机", "已补漆并赠送保养", "已向客户致歉并培训员工",
           "配件已到货并完成安装", "已退还多收费用", None)
STAGES = (("registered", 3), ("assigned", 2), ("awaiting_confirmation", 2), ("awaiting_callback", 2), ("closed", 6))
HANDLING = {"result": "已免费更换正时皮带并道歉", "root_cause": "装配时皮带张紧不足", "improvement": "增加装配复检环节",
            "return_repair": False}


def name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def phone(rng) -> str:
    return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))


def plate(rng) -> str:
    return rng.choice(PROVINCES) + rng.choice("ABCDEFGHJK") + "".join(rng.choice("0123456789ABCDEFGHJK")
                                                                      for _ in range(5))


def intake(rng, received: datetime) -> dict:
    return {"received_at": received.isoformat(), "channel": rng.choice(("phone", "email", "online_chat", "in_store")),
            "customer_name": name(rng), "contact_phone": phone(rng), "vehicle": f"{rng.choice(MODELS)} {plate(rng)}",
            "description": rng.choice(WHEN) + rng.choice(FAULTS), "customer_request": "请尽快处理"}


def run_sample(app, count: int, rng) -> None:
    """`count` complaints through the engine, spread over the procedure's stages."""
    client = app.test_client()
    tokens = {}

    def as_(user):
        if user not in tokens:
            tokens[user] = {"Authorization": "Bearer " + client.post("/api/v1/auth/token", json={
                "username": user, "password": "demo"}).get_json()["token"]}
        return tokens[user]

    def complete(instance_id, user, task_name, data):
        tasks = client.get(f"/api/v1/instances/{instance_id}", headers=as_("admin")).get_json()["open_tasks"]
        task = next(t for t in tasks if t["name"] == task_name)
        response = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": data}, headers=as_(user))
        assert response.status_code == 200, response.get_json()

    stages = [stage for stage, weight in STAGES for _ in range(weight)]
    steps = (("service_manager", "classify_complaint", {"category": "repair_quality", "severity": "general"}),
             ("workshop_supervisor", "handle_workshop", HANDLING),
             ("service_manager", "confirm_handling", {"confirmation": "approve"}),
             ("customer_dept", "call_back_customer", {"problem_solved": True, "callback_satisfied": True}),
             ("general_manager", "sign_close", {}))
    depth = {"registered": 0, "assigned": 1, "awaiting_confirmation": 2, "awaiting_callback": 3, "closed": 5}
    now = datetime.now(timezone.utc)
    for i in range(count):
        received = now - timedelta(days=rng.randrange(1, 30), minutes=rng.randrange(1440))
        response = client.post("/api/v1/processes/complaint/instances", json={"data": intake(rng, received)},
                               headers=as_("customer_dept"))
        assert response.status_code == 201, response.get_json()
        for user, task_name, data in steps[:depth[stages[i % len(stages)]]]:
            complete(response.get_json()["id"], user, task_name, data)


def _shifted(row: dict, delta: timedelta, keys) -> None:
    for key in keys:
        if row.get(key) is not None:
            row[key] = row[key] + delta


# How the copies spread over the demo organisation units: most of them the group's, the rest the
# branches' and the dealer's (the lists of a branch read through the indexes per unit).
UNIT_SHARES = (("group", 80), ("east", 10), ("southwest", 7), ("chengdu_dealer", 3))


def unit_picker(rng, unit_ids: dict[str, int]):
    codes = [code for code, share in UNIT_SHARES for _ in range(share) if code in unit_ids]
    return lambda: unit_ids[rng.choice(codes)] if codes else None


def complaint_copies(templates: list[dict], count: int, rng, document_tokens, unit=lambda: None):
    """Copies of the sample's complaint rows, each another customer, vehicle, fault, date and unit."""
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    span = int((datetime.now(timezone.utc) - start).total_seconds())
    for i in range(count):
        row = dict(rng.choice(templates))
        received = start + timedelta(seconds=rng.randrange(span))
        _shifted(row, received - row["received_at"], ("deadline_at", "handled_at", "closed_at", "updated_at"))
        row.update(id=None, number=f"TB{i:09d}", instance_id=None, received_at=received,
                   customer_name=name(rng), contact_phone=phone(rng), vehicle=f"{rng.choice(MODELS)} {plate(rng)}",
                   description=rng.choice(WHEN) + rng.choice(FAULTS),
                   channel=rng.choice(("phone", "email", "online_chat", "in_store")), unit_id=unit())
        if row["result"] is not None:
            row["result"] = rng.choice(RESULTS)
        row["search_text"] = document_tokens(row["number"], row["customer_name"], row["contact_phone"],
                                             row["vehicle"], row["description"], row["result"])
        yield row


def task_copies(templates: list[dict], count: int, rng, unit=lambda: None):
    now = datetime.now(timezone.utc)
    for _ in range(count):
        row = dict(rng.choice(templates))
        created = now - timedelta(minutes=rng.randrange(60 * 24 * 60))
        due = created + timedelta(hours=rng.randrange(4, 240)) if row["due_at"] is not None else None
        row.update(id=str(uuid.uuid4()), created_at=created, due_at=due, claimed_by_id=None, claimed_at=None,
                   unit_id=unit())
        yield row


def _postgres_load(connection, table, columns: list[str], rows) -> None:
    """COPY with the table's secondary indexes dropped, then built again."""
    raw = connection.connection.driver_connection
    indexes = connection.exec_driver_sql(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %(t)s "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint)", {"t": table}).all()
    for index, _ in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{index}"')
    connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")  # the GIN index builds in memory
    names = ", ".join(columns)
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])
    for _, definition in indexes:
        connection.exec_driver_sql(definition)


def _sqlite_load(connection, table, columns: list[str], rows, batch: int = 20_000) -> None:
    chunk = []
    for row in rows:
        chunk.append({c: row[c] for c in columns})
        if len(chunk) == batch:
            connection.execute(table.insert(), chunk)
            chunk = []
    if chunk:
        connection.execute(table.insert(), chunk)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--complaints", type=int, default=1_000_000)
    parser.add_argument("--open-tasks", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    from sqlalchemy import select
    from bench.databases import prepared_app
    from app.extensions import db
    from app.models import Complaint, OpenTask, OrgUnit
    from app.models.search import document_tokens
    began = time.perf_counter()
    app = prepared_app(args.database_url)
    run_sample(app, args.sample, rng)
    sampled = time.perf_counter()
    print(f"sample: {args.sample} complaints through the engine in {sampled - began:.0f} s")

    with app.app_context():
        complaints = [{c.key: getattr(row, c.key) for c in Complaint.__table__.columns}
                      for row in db.session.scalars(select(Complaint))]
        tasks = [{c.key: getattr(row, c.key) for c in OpenTask.__table__.columns}
                 for row in db.session.scalars(select(OpenTask))]
        unit = unit_picker(rng, {code: unit_id for code, unit_id in db.session.execute(select(OrgUnit.code, OrgUnit.id))})
        db.session.rollback()
        postgres = db.engine.dialect.name == "postgresql"
        complaint_columns = [c.key for c in Complaint.__table__.columns if c.key != "id"]
        task_columns = [c.key for c in OpenTask.__table__.columns]
        for table, columns, rows, what in (
                ("complaints", complaint_columns,
                 complaint_copies(complaints, args.complaints - len(complaints), rng, document_tokens, unit),
                 "complaints"),
                ("open_tasks", task_columns, task_copies(tasks, args.open_tasks - len(tasks), rng, unit), "open tasks")):
            start = time.perf_counter()
            with db.engine.begin() as connection:
                if postgres:
                    _postgres_load(connection, table, columns, rows)
                else:
                    _sqlite_load(connection, db.metadata.tables[table], columns, rows)
            print(f"{what}: copies written and indexed in {time.perf_counter() - start:.0f} s")
        start = time.perf_counter()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE" if postgres else "ANALYZE")
        print(f"vacuum/analyze in {time.perf_counter() - start:.0f} s")
        counted = {t: db.session.execute(db.text(f"SELECT count(*) FROM {t}")).scalar()
                   for t in ("complaints", "open_tasks")}
    print(f"total {time.perf_counter() - began:.0f} s: {counted['complaints']} complaints, "
          f"{counted['open_tasks']} open tasks")


if __name__ == "__main__":
    main()
