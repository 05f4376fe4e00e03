"""Return applications (返修机返厂申请) on their way through procedure 2, driven through the API as
the demo users: everything the tests of the return procedure share."""
from datetime import date, datetime, timedelta

from cases import SHANGHAI, Instance


def days_ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


REQUEST = {"branch": "华东分公司", "model": "XR-200", "quantity": 2, "serial_numbers": ["SN-A1", "SN-A2"],
           "fault_description": "开机无显示", "purchase_date": days_ago(100), "warranty_card": True,
           "dealer_seal": True, "customer_name": "李工", "contact_phone": "021-5555 0101"}


# Who raises an application, who confirms it and who reviews it, by route (version 2).
RAISED_BY = {"operating": "branch_engineer", "managed": "branch_engineer_b", "dealer": "dealer_agent"}
CONFIRM = {"operating": ("field_service_supervisor", "supervisor_confirm"),
           "managed": ("branch_engineer_b", "local_confirm"), "dealer": ("branch_engineer_b", "local_confirm")}
REVIEW = {"operating": ("branch_manager", "review_request"), "managed": ("provincial_manager", "provincial_review"),
          "dealer": ("provincial_manager", "provincial_review")}


class ReturnCase(Instance):
    """One return application (返修机返厂申请), raised on `route` (the raiser's unit says which:
    华东 operates, 西南 is managed, the dealer is under 西南) and, unless `confirmed=False`, confirmed."""

    def __init__(self, api, route="operating", confirmed=True, **request):
        response = api.as_(RAISED_BY[route]).post("/processes/return_authorization/instances",
                                                  json={"data": {**REQUEST, **request}})
        assert response.status_code == 201, response.get_json()
        super().__init__(api, response.get_json()["id"])
        self.route = route
        self.request_id = self.instance()["data"]["request_id"]  # returns.submit's result
        if confirmed:
            self.confirm()

    def confirm(self, decision="confirm", expect=200, **more) -> dict:
        username, task = CONFIRM[self.route]
        return self.complete(username, task, {"confirm_decision": decision, **more}, expect=expect)

    def record(self, username="logistics_clerk") -> dict:
        key = self.business_key or str(self.request_id)
        response = self.api.as_(username).get(f"/return-authorizations/{key}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    @property
    def number(self) -> str:
        return self.business_key

    def approve(self) -> "ReturnCase":
        self.complete(*REVIEW[self.route], {"review_decision": "approve"})
        self.complete("department_head", "approve_request", {"approval_decision": "approve"})
        return self

    def ship(self, serials=None, model=None, number=None, expect=201, **extra) -> dict:
        """The goods arrive at headquarters and logistics registers them at the door."""
        serials = REQUEST["serial_numbers"] if serials is None else serials
        data = {"rma_number": self.number if number is None else number, "branch": "华东分公司",
                "received_at": datetime.now(SHANGHAI).isoformat(), "received_quantity": len(serials),
                "received_model": model or REQUEST["model"], "received_serials": serials, **extra}
        response = self.api.as_("logistics_clerk").post("/shipments", json={"data": data})
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def check_warranty(self, **findings) -> dict:
        return self.complete("logistics_clerk", "check_warranty", findings)

    def repair_round(self, passed=True) -> dict:
        self.complete("repair_technician", "repair_units", {"repair_work": "更换主板", "parts_used": "主板 x1"})
        self.complete("repair_technician", "aging_test", {"aging_hours": 24, "aging_passed": True})
        return self.complete("repair_technician", "quality_check",
                             {"qc_passed": passed, "qc_notes": "" if passed else "显示偶发闪烁"})

    def ship_back(self) -> dict:
        return self.complete("logistics_clerk", "ship_back", {"shipped_at": datetime.now(SHANGHAI).isoformat(),
                                                              "waybill_number": "SF1234567890"})


def register_total(api, username="logistics_clerk") -> int:
    return api.as_(username).get("/return-authorizations").get_json()["total"]


def out_of_warranty_case(api) -> ReturnCase:
    """Both units out of warranty (dropped, flooded) and quoted item by item: 380.5 and 520 元."""
    case = ReturnCase(api).approve()
    case.ship()
    case.check_warranty(damaged_units={"SN-A1": "drop", "SN-A2": "flood"})
    bad = {"SN-A1": {"repair": -1, "materials": 0, "added_parts": 0, "upgrade": 0}}
    case.complete("logistics_clerk", "quote_units", {"quote_items": bad, "quote_notes": "x"}, expect=422)
    case.complete("logistics_clerk", "quote_units", {"quote_items": {
        "SN-A1": {"repair": 200, "materials": 80.5, "added_parts": 100, "upgrade": 0},
        "SN-A2": {"repair": 300, "materials": 120, "added_parts": 0, "upgrade": 100}}, "quote_notes": "更换外壳及屏幕"})
    return case
