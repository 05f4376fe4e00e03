"""Complaint numbers TS-YYYYMM-NNNN: restart each month, never duplicated or skipped,
also when many complaints are taken in at the same moment."""
import threading
from datetime import datetime, timezone

from procedures import INTAKE


def test_concurrent_intakes_get_consecutive_unique_numbers(api, app):
    clerk = api.as_("customer_dept")
    clerk.token("customer_dept")
    numbers, statuses, count = [], [], 12
    barrier = threading.Barrier(count)

    def intake():
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/v1/processes/complaint/instances", json={"data": INTAKE},
                               headers={"Authorization": f"Bearer {api.tokens['customer_dept']}"})
        statuses.append(response.status_code)
        if response.status_code == 201:
            numbers.append(response.get_json()["business_key"])

    threads = [threading.Thread(target=intake) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [201] * count
    assert len(set(numbers)) == count
    prefixes = {n.rsplit("-", 1)[0] for n in numbers}
    assert len(prefixes) == 1
    serials = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert serials == list(range(serials[0], serials[0] + count))
    ledger = clerk.get("/complaints", query_string={"per_page": 500}).get_json()["items"]
    assert set(numbers) <= {c["number"] for c in ledger}


def test_the_serial_restarts_each_month_and_a_rollback_gives_the_number_back(app):
    from app.extensions import db
    from app.handlers.numbering import next_number
    with app.app_context():
        march = datetime(2099, 3, 15, 4, tzinfo=timezone.utc)
        assert next_number("TS", march) == "TS-209903-0001"
        assert next_number("TS", march) == "TS-209903-0002"
        db.session.commit()
        assert next_number("TS", march) == "TS-209903-0003"
        db.session.rollback()  # the intake failed: its number is not used up
        assert next_number("TS", march) == "TS-209903-0003"
        # 31 March 20:00 UTC is already 1 April in Shanghai: a new month, a new series
        assert next_number("TS", datetime(2099, 3, 31, 20, tzinfo=timezone.utc)) == "TS-209904-0001"
        db.session.rollback()
