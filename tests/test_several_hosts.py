"""Several hosts on one PostgreSQL: two gunicorn servers (one worker each, ports of their own)
and two timer runners, started as processes of their own the way deploy/ runs them, against
one fresh database. Complaints driven over HTTP through both servers all end closed, and a
timer that falls due while both runners look fires exactly once.

PostgreSQL only, and run once (it takes no `app`, so it is not repeated per database): several
hosts means one database served over the network to several machines, which SQLite — one file
on one host's disk — cannot be; and what is checked here, two runners each taking a due
instance the other does not (`FOR UPDATE SKIP LOCKED`), does not exist on SQLite, whose runners
take turns on its one writer lock. The processes and the clients are bench/cluster.py's;
bench/hosts.py measures the same setup under load; here only what must hold is asserted, never
a speed."""
import re
from datetime import timedelta

import pytest

from bench.cluster import Cluster, Load, final_states, sign_in, timer_check


@pytest.fixture(scope="module")
def cluster(own_app, tmp_path_factory):
    """Two web hosts (1 gunicorn worker each) and two timer runners on a fresh, migrated
    PostgreSQL database with the procedures deployed and the demo users seeded."""
    url = own_app("postgresql").config["SQLALCHEMY_DATABASE_URI"]
    with Cluster(url, "several-hosts-test", tmp_path_factory.mktemp("hosts")) as running:
        running.add(hosts=2, runners=2, workers=1, threads=2)
        running.tokens = sign_in(running.hosts[0].port)  # tokens live in the database: both hosts take them
        yield running


def test_lifecycles_split_over_two_hosts_all_end_closed(cluster):
    load = Load(cluster.hosts, cluster.tokens, per_host=2)
    load.run(lifecycles=2)  # two clients per host, two whole complaints each, every client its own cases

    assert load.errors == [] and len(load.cases) == 8
    states = final_states(cluster.url, [case["id"] for case in load.cases])
    assert sorted((s["status"], s["complaint"]) for s in states.values()) == [("completed", "closed")] * 8
    for host in cluster.hosts:  # each server took its half: four intakes in its access log
        assert len(re.findall(r'"POST /api/v1/processes/complaint/instances HTTP/1.1" 201', host.said())) == 4


def test_a_timer_due_while_both_runners_look_fires_exactly_once(cluster):
    # Four complaints handled with a return repair, the vehicle released three days ago less five
    # seconds: the return repair's callback timer falls due five seconds later, while both runners
    # wait for it. (The case then waits for that callback's result before the signature.)
    result = timer_check(cluster.url, cluster.hosts, cluster.tokens, cluster.runners, cases=4,
                         wait_seconds=20, lead=timedelta(seconds=5))

    assert result["errors"] == [] and result["driven"] == 4
    assert result["moved_on"] == 4  # none lost: every case moved on past its timer
    assert result["once"] == 4 and result["twice"] == 0  # one callback per complaint
    # The timers the requests left waiting (all of them, unless a request took over five seconds)
    # were fired by the runners, each by one: as many firings between the two as timers.
    assert result["left_waiting"] >= 1 and sum(result["by_runner"]) == result["left_waiting"]
    assert all(runner.popen.poll() is None for runner in cluster.runners)  # both were looking throughout
