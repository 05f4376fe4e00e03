"""Customer visits (客户拜访), driven through HTTP as the demo users with the service clock moved."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from procedures import fire_timers, moved_clock

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_scratch(api, app):
    with moved_clock(api, datetime(2027, 3, 20, 10, 0, tzinfo=SHANGHAI)):
        r = api.as_("customer_dept").post("/processes/customer_visit/instances", json={"data": {
            "customer_name": "华东机械", "contact_person": "李经理", "contact_phone": "13800138000",
            "visit_class": "distant", "start_date": "2027-04-01"}})
        print(r.get_json())
        iid = r.get_json()["id"]
        print(api.as_("admin").get(f"/instances/{iid}").get_json())
    fire_timers(app, api, datetime(2027, 4, 1, 8, 1, tzinfo=SHANGHAI))
    print(api.as_("admin").get(f"/instances/{iid}").get_json())
    assert 0
