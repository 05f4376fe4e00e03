"""The pages of procedures 2 and 3 (signed in with a session, forms with their CSRF token):
the serial numbers typed one per line, receiving at the door, the register and the refusals."""
import re
from datetime import datetime

from cases import SHANGHAI, sign_in
from return_authorization import REQUEST, ReturnCase, out_of_warranty_case


def csrf(client, path="/") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def form_post(client, path, fields: dict):
    return client.post(path, data={**fields, "csrf_token": csrf(client, path)})


def test_an_application_typed_on_the_page_takes_one_serial_per_line(api, client):
    sign_in(client, "branch_engineer")
    page = client.get("/start/return_authorization")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'textarea id="f-serial_numbers"' in html and 'type="date"' in html
    fields = {**REQUEST, "quantity": "3", "serial_numbers": "SN-P1\nSN-P2", "warranty_card": "true",
              "dealer_seal": "true"}
    refused = form_post(client, "/start/return_authorization", fields)
    assert refused.status_code == 422
    assert re.search(r'field invalid">\s*<label for="f-serial_numbers"', refused.get_data(as_text=True))
    done = form_post(client, "/start/return_authorization", {**fields, "serial_numbers": "SN-P1\nSN-P2\r\nSN-P3\n"})
    assert done.status_code == 302
    mine = api.as_("branch_engineer").get("/return-authorizations").get_json()["items"][0]
    assert mine["serial_numbers"] == ["SN-P1", "SN-P2", "SN-P3"] and mine["quantity"] == 3


def test_logistics_receives_at_the_door_and_the_register_shows_it(api, client):
    case = ReturnCase(api).approve()
    sign_in(client, "logistics_clerk")
    form = client.get("/returns/receive")
    assert form.status_code == 200 and 'textarea id="f-received_serials"' in form.get_data(as_text=True)
    arrival = {"rma_number": case.number, "branch": "华东分公司", "received_at": datetime.now(SHANGHAI).strftime(
        "%Y-%m-%dT%H:%M"), "received_quantity": "2", "received_model": "XR-200", "received_serials": "SN-A1\nSN-A2"}
    taken = form_post(client, "/returns/receive", arrival)
    assert taken.status_code == 302
    assert case.open_names() == ["check_warranty"]
    refused = form_post(client, "/returns/receive", {**arrival, "rma_number": "", "branch": "西南分公司"})
    assert refused.status_code == 302
    register = client.get("/returns").get_data(as_text=True)
    assert f'data-number="{case.number}"' in register and "已到货" in register
    assert "西南分公司" in register and "无返修授权号" in register  # the refusal, recorded
    detail = client.get(f"/returns/{case.number}").get_data(as_text=True)
    assert "SN-A1" in detail and "已到货" in detail
    invalid = form_post(client, "/returns/receive", {**arrival, "received_quantity": "3"})
    assert invalid.status_code == 422 and "f-received_serials" in invalid.get_data(as_text=True)


def test_pages_keep_their_readers(api, client):
    case = ReturnCase(api).approve()
    sign_in(client, "customer_dept")
    assert client.get("/returns").status_code == 403
    assert client.get(f"/returns/{case.number}").status_code == 403
    assert client.get("/returns/receive").status_code == 403
    assert client.get("/callbacks").status_code == 200
    client.post("/logout", data={"csrf_token": csrf(client)})
    sign_in(client, "repair_technician")
    assert client.get("/callbacks").status_code == 403
    assert client.get(f"/returns/{case.number}").status_code == 200


def quote_rows(html: str) -> dict:
    """The itemised quote's table on a return's page: serial -> its cells' text."""
    table = html.split('<table class="quote">', 1)[1].split("</table>", 1)[0]
    return {serial: [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for serial, row in re.findall(r'<tr data-serial="([^"]+)">(.*?)</tr>', table, re.S)}


def test_the_return_page_shows_each_units_itemised_quote_and_the_branch_managers_answer(api, client):
    case = out_of_warranty_case(api)
    sign_in(client, "branch_manager")
    page = client.get(f"/returns/{case.number}").get_data(as_text=True)
    assert "逐台报价" in page and "维修费" in page and "加装配件" in page
    rows = quote_rows(page)
    assert rows["SN-A1"][:6] == ["SN-A1", "200.00", "80.50", "100.00", "0.00", "380.50"]
    assert rows["SN-A2"][5] == "520.00" and rows["SN-A2"][6].startswith("待答复，截止")
    case.complete("branch_manager", "answer_quote", {"quote_answers": "SN-A1 接受\nSN-A2 拒绝",
                                                     "quote_answer_remarks": "SN-A2 不修"})
    rows = quote_rows(client.get(f"/returns/{case.number}").get_data(as_text=True))
    assert rows["SN-A1"][6].startswith("接受") and rows["SN-A2"][6].startswith("拒绝")
    client.post("/logout", data={"csrf_token": csrf(client)})
    sign_in(client, "branch_engineer_b")  # another branch: the page, quote and all, is not shown to exist
    assert client.get(f"/returns/{case.number}").status_code == 404


def test_a_return_without_a_quote_shows_no_quote_table(api, client):
    case = ReturnCase(api).approve()
    sign_in(client, "branch_manager")
    assert '<table class="quote">' not in client.get(f"/returns/{case.number}").get_data(as_text=True)


def test_every_status_a_return_can_hold_has_its_label_in_chinese_and_english(app):
    from flask_babel import force_locale
    from app.services.returns import STATUSES
    from app.web.labels import RETURN_STATUSES
    assert set(RETURN_STATUSES) == set(STATUSES)
    with app.test_request_context():
        with force_locale("zh_Hans_CN"):
            chinese = {key: str(RETURN_STATUSES[key]) for key in STATUSES}
        with force_locale("en"):
            english = {key: str(RETURN_STATUSES[key]) for key in STATUSES}
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in chinese.values()), chinese
    assert all(re.fullmatch(r"[A-Za-z ,]+", text) for text in english.values()), english
    assert len(set(chinese.values())) == len(STATUSES)
