"""Web hosts and timer runners as processes of their own on one database, started the way
deploy/ runs them (gunicorn with deploy/gunicorn.conf.py, its own port and control socket as in
aftersales-web@.service; `flask timers --loop` as in aftersales-timers@.service), and clients that
drive whole complaints through them over HTTP as the demo users. bench/hosts.py measures with it,
tests/test_several_hosts.py checks with it."""
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
        # A keep-alive connection the server closed while idle: open it again once. (Were the
        # request taken before the close, a repeated completion answers 409 and counts as an error.)
        for attempt in (1, 2):
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
    confirm → callback → sign. With `release_in`, handled with a return repair instead: after the
    callback the vehicle's release is recorded so that the return repair's callback timer
    (`add_days(released_at, 3)`) falls due `release_in` from now, and the drive ends there: the
    case waits for that timer, then for the return repair's callback result (a callback case of its
    own, read on the next working day) before the signature, which is not driven here. Answers
    {id, number, status, due, left_to_runner} (left_to_runner: the timer was still waiting when
    the release's request answered, so a timer runner has to fire it)."""
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
    left = False
    if release_in is not None:
        if due is None:
            raise Refused(0, f"case {started['id']}: ended without the vehicle's release")
        waiting = client.call("GET", f"/instances/{started['id']}", "service_manager")["next_timer_at"]
        left = waiting is not None and _utc(waiting) < due + timedelta(minutes=1)  # not yet the next working day's
    return {"id": started["id"], "number": started["business_key"], "status": status, "due": due,
            "left_to_runner": left}


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
    """instance id -> (status, its complaint's status, updated_at, callbacks started for it, when the
    first of them was)."""
    import sqlalchemy as sa
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT i.id, i.status, c.status, i.updated_at, "
                "(SELECT count(*) FROM callbacks b WHERE b.source = 'complaint' AND b.source_ref = c.number), "
                "(SELECT min(b.created_at) FROM callbacks b WHERE b.source = 'complaint' AND b.source_ref = c.number) "
                "FROM process_instances i JOIN complaints c ON c.instance_id = i.id "
                "WHERE i.id IN :ids").bindparams(sa.bindparam("ids", expanding=True)), {"ids": ids or [0]})
            return {r[0]: {"status": r[1], "complaint": r[2], "updated_at": r[3], "callbacks": r[4],
                           "callback_at": r[5]} for r in rows}
    finally:
        engine.dispose()


def _utc(moment) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def timer_check(url: str, hosts: list[Host], tokens: dict, runners: list[Runner], cases: int,
                wait_seconds: float = 90.0, lead: timedelta = RELEASE_LEAD) -> dict:
    """`cases` complaints (split over the hosts) whose return repair's callback timer falls due
    `lead` after their release is recorded, while every runner looks; waits until all have moved on
    past it (the timer fired: the return repair's callback started, in the same transaction; the
    case then waits for that callback's result, beyond this check) or `wait_seconds`, then counts."""
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
    while time.monotonic() < deadline and any(s["callbacks"] == 0 for s in states.values()):
        time.sleep(0.5)
        states = final_states(url, ids)
    late = [(_utc(states[c["id"]]["callback_at"]) - c["due"]).total_seconds()
            for c in driven if states[c["id"]]["callbacks"]]
    return {"cases": cases, "driven": len(driven), "errors": errors,
            "left_waiting": sum(c["left_to_runner"] for c in driven),  # the rest fired in their request
            "moved_on": sum(s["callbacks"] > 0 and s["status"] == "waiting" for s in states.values()),
            "once": sum(s["callbacks"] == 1 for s in states.values()),
            "twice": sum(s["callbacks"] > 1 for s in states.values()),
            "by_runner": [runner.fired() - before for runner, before in zip(runners, fired_before)],
            "late": late}
