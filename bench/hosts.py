"""Several hosts on one PostgreSQL: whole complaint lifecycles over HTTP against gunicorn
servers and timer runners started as deploy/ starts them (processes of their own), first one
host + one runner, then two hosts on two ports + two runners on the same database.

    .venv/bin/python bench/hosts.py [--quick] [--seconds 20] [--clients 4] [--timer-cases 20]

Prints lifecycles/s for one host and for two (whether they add up: on one small machine the
hosts share its cores, so they cannot), the errors (none expected: each client drives its own
cases, so no two clients race one task), the web workers' memory before and after, and a timer
check: complaints closed with a return repair whose vehicle left the workshop three days ago
less a few seconds, so that the callback timer (`add_days(released_at, 3)`) falls due while both
runners look; each must fire exactly once (one callback per complaint) and every case must end
completed. With `--sqlite` it also measures one host on SQLite (the embedded default, one host
only). The database is fresh (BENCH_POSTGRES_URL names the server, bench/databases.py) and
prepared with the app's own commands: `flask db upgrade`, `flask deploy`, `flask seed-demo`.

tests/test_several_hosts.py drives the same cluster (Cluster, Client, drive) in the suite."""
import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import databases  # noqa: E402
from bench.table import row  # noqa: E402

PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
RELEASE_LEAD = timedelta(seconds=6)  # a timer case's callback falls due this long after its release is recorded

INTAKE = {"channel": "phone", "customer_name": "王先生", "contact_phone": "13800138000",
          "vehicle": "沪A·12345", "description": "保养后发动机异响", "customer_request": "免费复查"}
CATEGORIES = ("repair_quality", "service_attitude", "parts", "warranty_claim")  # four departments' lanes
HANDLING = {"result": "已免费更换正时皮带并道歉", "root_cause": "装配时皮带张紧不足", "improvement": "增加装配复检环节"}
USERS = ("customer_dept", "service_manager", "workshop_supervisor", "business_supervisor", "parts_manager",
         "claims_supervisor", "general_manager")


# -- the processes: web hosts and timer runners ----------------------------------------------------

def prepare(url: str, secret: str) -> None:
    """Migrate, deploy processes/ and seed the demo users with the app's own commands."""
    for command in (["db", "upgrade"], ["deploy"], ["seed-demo"]):
        subprocess.run([PYTHON, "-m", "flask", "--app", "app", *command], cwd=ROOT, env=_env(url, secret),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _env(url: str, secret: str, **extra) -> dict:
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secret, "ENVIRONMENT": "development",
            "LOG_FORMAT": "text", "PYTHONPATH": str(ROOT), **extra}


class _Process:
    """A child process writing into a log file of its own, read to learn what it said."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.log = log
        self._out = log.open("wb")
        self.popen = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self._out, stderr=subprocess.STDOUT)

    def said(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, pattern: str, count: int = 1, seconds: float = 60.0) -> list:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = re.findall(pattern, self.said())
            if len(found) >= count:
                return found
            if self.popen.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"{self.log.name}: no {pattern!r} within {seconds:g} s:\n{self.said()[-3000:]}")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._out.close()


class Host(_Process):
    """A web host: gunicorn with deploy/gunicorn.conf.py."""

    def __init__(self, url: str, secret: str, log: Path, workers: int, threads: int):
        # As deploy/systemd/aftersales-web@.service: its own port (here any free one) and control socket.
        super().__init__([GUNICORN, "--config", "deploy/gunicorn.conf.py", "--bind", "127.0.0.1:0",
                          "--control-socket", str(log.with_suffix(".ctl")), "app.wsgi:app"],
                         _env(url, secret, WEB_CONCURRENCY=str(workers), THREADS=str(threads)), log)
        self.count, self.port, self.workers = workers, None, []

    def ready(self) -> "Host":
        """Waits until it listens (its port) and has booted its workers (their pids)."""
        self.port = int(self.wait_for(r"Listening at: http://127\.0\.0\.1:(\d+)")[0])
        self.workers = [int(pid) for pid in self.wait_for(r"Booting worker with pid: (\d+)", self.count)]
        return self

    def rss_mib(self) -> list[float]:
        """Each web worker's resident memory."""
        sizes = []
        for pid in self.workers:
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)
        return sizes


class Runner(_Process):
    """A timer runner as deploy/systemd/aftersales-timers@.service runs it."""

    def __init__(self, url: str, secret: str, log: Path, interval: float):
        super().__init__([PYTHON, "-m", "flask", "--app", "app", "timers", "--loop", "--interval", str(interval)],
                         _env(url, secret), log)

    def fired(self) -> int:
        """Instances this runner moved on so far (it says so after each pass that fired any)."""
        return sum(int(n) for n in re.findall(r"timers: (\d+) instance\(s\) moved on", self.said()))


class Cluster:
    """Web hosts and timer runners on one database, stopped together."""

    def __init__(self, url: str, secret: str, logs: Path):
        self.url, self.secret, self.logs = url, secret, logs
        self.hosts: list[Host] = []
        self.runners: list[Runner] = []

    def add(self, hosts: int = 1, runners: int = 1, workers: int = 2, threads: int = 4) -> None:
        """Starts more web hosts and timer runners side by side; returns once the hosts listen."""
        started = [Host(self.url, self.secret, self.logs / f"web-{uuid.uuid4().hex[:6]}.log", workers, threads)
                   for _ in range(hosts)]
        self.hosts += started
        self.runners += [Runner(self.url, self.secret, self.logs / f"timers-{uuid.uuid4().hex[:6]}.log", 30.0)
                         for _ in range(runners)]
        for host in started:
            host.ready()

    def stop(self) -> None:
        for process in self.hosts + self.runners:
            process.stop()
        self.hosts, self.runners = [], []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# -- the clients: one keep-alive connection each, the demo users' tokens -----------------------------

class Refused(Exception):
    def __init__(self, status: int, body):
        super().__init__(f"{status}: {body}")
        self.status = status


class Client:
    """The JSON API of one host as the demo users, over one connection (one client thread)."""

    def __init__(self, port: int, tokens: dict):
        self.port, self.tokens = port, tokens
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method: str, path: str, user: str | None, body=None, expect=(200, 201)):
        headers = {"Content-Type": "application/json"}
        if user:
            headers["Authorization"] = "Bearer " + self.tokens[user]
        payload = json.dumps(body).encode() if body is not None else None
        for attempt in (1, 2):  # a keep-alive connection the server closed meanwhile: open it again once
            try:
                self.connection.request(method, "/api/v1" + path, body=payload, headers=headers)
                response = self.connection.getresponse()
                answer = json.loads(response.read() or b"null")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                if attempt == 2:
                    raise
        if response.status not in expect:
            raise Refused(response.status, answer)
        return answer

    def close(self):
        self.connection.close()


def sign_in(port: int) -> dict:
    """A bearer token per demo user (tokens live in the database: every host accepts them)."""
    client = Client(port, {})
    try:
        return {user: client.call("POST", "/auth/token", None, {"username": user, "password": "demo"})["token"]
                for user in USERS}
    finally:
        client.close()


def drive(client: Client, n: int, release_in: timedelta | None = None) -> dict:
    """One complaint from intake to the general manager's signature: start → classify → handle →
    confirm → callback → sign. With `release_in`, handled with a return repair and the vehicle's
    release recorded so that the callback timer falls due `release_in` from now (the case then
    waits for the timer runner). Answers {id, number, status, due}."""
    received = datetime.now(timezone.utc).isoformat()
    started = client.call("POST", "/processes/complaint/instances", "customer_dept",
                          {"data": {**INTAKE, "received_at": received}})
    tasks = client.call("GET", f"/instances/{started['id']}", "service_manager")["open_tasks"]
    due, status = None, "running"
    while tasks:
        if len(tasks) != 1:
            raise Refused(0, f"case {started['id']}: expected one open task, got {[t['name'] for t in tasks]}")
        task = tasks[0]
        name = task["name"]
        if name == "classify_complaint":
            data = {"category": CATEGORIES[n % len(CATEGORIES)], "severity": "general"}
        elif name.startswith("handle_"):
            data = {**HANDLING, "return_repair": release_in is not None}
        elif name == "confirm_handling":
            data = {"confirmation": "approve"}
        elif name == "call_back_customer":
            data = {"problem_solved": True, "callback_satisfied": True}
        elif name == "sign_close":
            data = {}
        elif name == "record_vehicle_release" and release_in is not None:
            due = datetime.now(timezone.utc) + release_in
            data = {"released_at": (due - timedelta(days=3)).isoformat()}
        else:
            raise Refused(0, f"case {started['id']}: unexpected task {name}")
        answer = client.call("POST", f"/tasks/{task['id']}/complete", task["lane"], {"data": data})
        tasks, status = answer["open_tasks"], answer["status"]
    return {"id": started["id"], "number": started["business_key"], "status": status, "due": due}


class Load:
    """Client threads, `per_host` on each host, each driving its own complaints one after another
    until `seconds` have passed (a started lifecycle is finished); errors are counted, not raised."""

    def __init__(self, hosts: list[Host], tokens: dict, per_host: int):
        self.hosts, self.tokens, self.per_host = hosts, tokens, per_host
        self.cases, self.errors, self.conflicts, self.samples = [], [], 0, []
        self._lock, self._counter = threading.Lock(), 0

    def run(self, seconds: float = 0.0, lifecycles: int = 0) -> float:
        """Runs for `seconds`, or `lifecycles` per client; returns the elapsed wall time."""
        stop = time.monotonic() + seconds
        threads = [threading.Thread(target=self._client, args=(host, stop, lifecycles))
                   for host in self.hosts for _ in range(self.per_host)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.monotonic() - began

    def _client(self, host: Host, stop: float, lifecycles: int) -> None:
        client, done = Client(host.port, self.tokens), 0
        try:
            while (done < lifecycles) if lifecycles else (time.monotonic() < stop):
                with self._lock:
                    self._counter += 1
                    n = self._counter
                began = time.monotonic()
                try:
                    case = drive(client, n)
                except Exception as err:  # counted and shown; the load goes on
                    with self._lock:
                        self.errors.append(repr(err)[:300])
                        self.conflicts += isinstance(err, Refused) and err.status == 409
                    client.close()
                    client = Client(host.port, self.tokens)
                else:
                    with self._lock:
                        self.cases.append(case)
                        self.samples.append(time.monotonic() - began)
                done += 1
        finally:
            client.close()


# -- what the database says happened --------------------------------------------------------------

def final_states(url: str, ids: list[int]) -> dict:
    """instance id -> (status, its complaint's status, callbacks started for it, updated_at)."""
    import sqlalchemy as sa
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT i.id, i.status, c.status, i.updated_at, "
                "(SELECT count(*) FROM callbacks b WHERE b.source = 'complaint' AND b.source_ref = c.number) "
                "FROM process_instances i JOIN complaints c ON c.instance_id = i.id "
                "WHERE i.id IN :ids").bindparams(sa.bindparam("ids", expanding=True)), {"ids": ids or [0]})
            return {r[0]: {"status": r[1], "complaint": r[2], "updated_at": r[3], "callbacks": r[4]} for r in rows}
    finally:
        engine.dispose()


def _utc(moment) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def timer_check(url: str, hosts: list[Host], tokens: dict, runners: list[Runner], cases: int,
                wait_seconds: float = 90.0, lead: timedelta = RELEASE_LEAD) -> dict:
    """`cases` complaints (split over the hosts) whose callback timer falls due `lead` after their
    release is recorded, while every runner looks; waits until all have moved on (or
    `wait_seconds`), then counts."""
    fired_before = [runner.fired() for runner in runners]
    driven, errors = [], []

    def one_host(host: Host, numbers: range) -> None:
        client = Client(host.port, tokens)
        try:
            for n in numbers:
                try:
                    driven.append(drive(client, n, release_in=lead))
                except Exception as err:
                    errors.append(repr(err)[:300])
        finally:
            client.close()

    threads = [threading.Thread(target=one_host, args=(host, range(i, cases, len(hosts))))
               for i, host in enumerate(hosts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [case["id"] for case in driven]
    deadline = time.monotonic() + lead.total_seconds() + wait_seconds
    states = final_states(url, ids)
    while time.monotonic() < deadline and any(s["status"] != "completed" for s in states.values()):
        time.sleep(0.5)
        states = final_states(url, ids)
    late = [(_utc(states[c["id"]]["updated_at"]) - c["due"]).total_seconds()
            for c in driven if states[c["id"]]["status"] == "completed"]
    return {"cases": cases, "driven": len(driven), "errors": errors,
            "left_waiting": sum(c["status"] == "waiting" for c in driven),  # the rest fired in their request
            "completed": sum(s["status"] == "completed" for s in states.values()),
            "once": sum(s["callbacks"] == 1 for s in states.values()),
            "twice": sum(s["callbacks"] > 1 for s in states.values()),
            "by_runner": [runner.fired() - before for runner, before in zip(runners, fired_before)],
            "late": late}


# -- the bench -------------------------------------------------------------------------------------

def phase(cluster: Cluster, tokens: dict, args, label: str) -> dict:
    """Warm every worker up, then the measured load; memory before and after."""
    load = Load(cluster.hosts, tokens, args.clients)
    load.run(lifecycles=args.warmup)
    rss_before = [size for host in cluster.hosts for size in host.rss_mib()]
    measured = Load(cluster.hosts, tokens, args.clients)
    elapsed = measured.run(seconds=args.seconds)
    rss_after = [size for host in cluster.hosts for size in host.rss_mib()]
    states = final_states(cluster.url, [case["id"] for case in measured.cases])
    lost = sum(1 for s in states.values() if (s["status"], s["complaint"]) != ("completed", "closed"))
    lost += len(measured.cases) - len(states)
    rate = len(measured.cases) / elapsed
    print(f"{label}: {len(measured.cases)} lifecycles in {elapsed:.1f} s = {rate:.1f}/s; "
          f"median lifecycle {statistics.median(measured.samples or [0]):.2f} s; errors {len(measured.errors)} "
          f"(409: {measured.conflicts}); not closed {lost}; worker RSS {max(rss_before):.0f} → {max(rss_after):.0f} MiB",
          flush=True)
    for error in measured.errors[:5]:
        print("  error:", error, flush=True)
    return {"rate": rate, "lifecycles": len(measured.cases) + len(load.cases), "errors": len(measured.errors),
            "conflicts": measured.conflicts, "lost": lost, "rss_before": rss_before, "rss_after": rss_after}


def bench_postgresql(args, logs: Path, cores: int) -> None:
    secret = uuid.uuid4().hex
    with databases.fresh("postgresql", "hosts") as url:
        prepare(url, secret)
        with Cluster(url, secret, logs) as cluster:
            cluster.add(workers=args.workers, threads=args.threads)
            tokens = sign_in(cluster.hosts[0].port)
            one = phase(cluster, tokens, args, f"PostgreSQL, 1 host × {args.workers} workers + 1 runner, "
                                               f"{args.clients} clients")
            cluster.add(workers=args.workers, threads=args.threads)
            two = phase(cluster, tokens, args, f"PostgreSQL, 2 hosts × {args.workers} workers + 2 runners, "
                                               f"{2 * args.clients} clients")
            timers = timer_check(url, cluster.hosts, tokens, cluster.runners, args.timer_cases)
    late = timers["late"] or [float("nan")]
    print(f"timer check: {timers}", flush=True)
    what = "whole complaint lifecycles/s over HTTP, gunicorn"
    row(f"{what}, 1 host ({args.workers} workers) + 1 runner", "PostgreSQL",
        f"{one['rate']:.1f}/s ({args.clients} clients, {cores} cores seen)", "≥ 30")
    row(f"{what}, 2 hosts + 2 runners on one database", "PostgreSQL",
        f"{two['rate']:.1f}/s = {two['rate'] / one['rate']:.2f}× one host "
        f"({2 * args.clients} clients; both hosts on the same {cores} cores)",
        "adds up (2× with a machine per host)")
    errors = one["errors"] + two["errors"] + len(timers["errors"])
    row("errors / lost cases (several hosts)", "PostgreSQL",
        f"{errors} errors (409: {one['conflicts'] + two['conflicts']}), {one['lost'] + two['lost']} not closed", "0")
    row("worker memory (RSS, largest web worker)", "PostgreSQL",
        f"{max(one['rss_before']):.0f} → {max(two['rss_after'][:args.workers]):.0f} MiB "
        f"over {one['lifecycles'] + two['lifecycles'] // 2} lifecycles on that host", "flat (~106 MiB; keep)")
    row("a timer due while two runners look fires once", "PostgreSQL",
        f"{timers['once']}/{timers['cases']} once, {timers['twice']} twice, "
        f"{timers['cases'] - timers['completed']} not fired (runners: "
        f"{' + '.join(map(str, timers['by_runner']))} of {timers['left_waiting']} left to them); late median {statistics.median(late):.2f} s, "
        f"max {max(late):.2f} s", "each exactly once, none lost")


def bench_sqlite(args, logs: Path, cores: int) -> None:
    secret = uuid.uuid4().hex
    with databases.fresh("sqlite", "hosts") as url:
        prepare(url, secret)
        with Cluster(url, secret, logs) as cluster:
            cluster.add(workers=args.workers, threads=args.threads)
            tokens = sign_in(cluster.hosts[0].port)
            one = phase(cluster, tokens, args, f"SQLite, 1 host × {args.workers} workers + 1 runner, "
                                               f"{args.clients} clients")
    row(f"whole complaint lifecycles/s over HTTP, gunicorn, 1 host ({args.workers} workers) + 1 runner",
        "SQLite", f"{one['rate']:.1f}/s ({args.clients} clients, {cores} cores seen; "
                  f"{one['errors']} errors, {one['lost']} not closed; one host only)", "—")
    row("worker memory (RSS, largest web worker)", "SQLite",
        f"{max(one['rss_before']):.0f} → {max(one['rss_after']):.0f} MiB over {one['lifecycles']} lifecycles",
        "flat (keep)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: a few seconds per phase")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured load per phase")
    parser.add_argument("--clients", type=int, default=4, help="client threads per host")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per host")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--warmup", type=int, default=3, help="lifecycles per client before measuring")
    parser.add_argument("--timer-cases", type=int, default=20)
    parser.add_argument("--sqlite", action="store_true", help="also one host on SQLite")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.warmup, args.timer_cases = min(args.seconds, 4.0), 1, min(args.timer_cases, 6)
    cores = os.cpu_count() or 1
    print(f"bench/hosts.py: {cores} cores seen (shared with whatever else runs: figures are noisy)", flush=True)
    logs = Path(tempfile.mkdtemp(prefix="aftersales-hosts-"))
    print(f"logs of the hosts and runners: {logs}", flush=True)
    bench_postgresql(args, logs, cores)
    if args.sqlite:
        bench_sqlite(args, logs, cores)


if __name__ == "__main__":
    main()
