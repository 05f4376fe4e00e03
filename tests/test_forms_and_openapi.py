"""The forms a client reads (JSON Schema in zh-CN or English) and the OpenAPI document."""
from procedures import Case


def test_a_task_carries_its_form_as_json_schema_in_the_requested_language(api):
    case = Case(api)
    task = case.open_task("classify_complaint")
    manager = api.as_("service_manager")
    zh = manager.get(f"/tasks/{task['id']}").get_json()
    en = manager.get(f"/tasks/{task['id']}", query_string={"lang": "en"}).get_json()
    schema = zh["form"]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["category"]["enum"][:2] == ["repair_quality", "service_attitude"]
    assert schema["properties"]["category"]["x-enum-titles"]["repair_quality"] == "维修质量"
    assert en["form"]["properties"]["category"]["x-enum-titles"]["repair_quality"] == "Repair quality"
    assert schema["properties"]["category"]["title"] == "投诉类别"
    assert en["form"]["properties"]["category"]["title"] == "Category"
    assert set(schema["required"]) == {"category", "severity"}
    assert schema["properties"]["deadline_days"]["minimum"] == 1
    assert zh["title"] == "分类与指派" and en["title"] == "Classify and assign"
    assert zh["data"] == {"manager_note": "", "responsible_person": ""}  # the form's own defaults, nothing of the case
    assert {"name": "customer_name", "label": "客户姓名", "value": "王先生", "text": "王先生"} in zh["case"]["fields"]
    by_header = manager.get(f"/tasks/{task['id']}", headers={"Accept-Language": "en-US,en;q=0.9"}).get_json()
    assert by_header["title"] == "Classify and assign"


def test_the_start_form_is_published_with_the_procedure(api):
    body = api.as_("customer_dept").get("/processes/complaint").get_json()
    form = body["start_form"]
    assert body["key"] == "complaint" and body["version"] >= 1
    assert form["properties"]["received_at"]["format"] == "date-time"
    assert form["properties"]["channel"]["enum"] == ["phone", "email", "online_chat", "in_store", "callback", "visit"]
    assert {"received_at", "channel", "customer_name", "contact_phone", "vehicle", "description"} <= set(form["required"])


def test_data_filled_from_the_schema_is_accepted(api):
    """A client that fills the published schema correctly gets its data accepted."""
    form = api.as_("customer_dept").get("/processes/complaint").get_json()["start_form"]
    data = {}
    for name, prop in form["properties"].items():
        if name not in form["required"]:
            continue
        if "enum" in prop:
            data[name] = prop["enum"][0]
        elif prop.get("format") == "date-time":
            data[name] = "2026-11-23T08:00:00+08:00"
        elif name == "contact_phone":
            data[name] = "021-12345678"
        else:
            data[name] = "x" * max(1, prop.get("minLength", 1))
    response = api.as_("customer_dept").post("/processes/complaint/instances", json={"data": data})
    assert response.status_code == 201, response.get_json()


def test_the_openapi_document_describes_the_api(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    for path in ("/auth/token", "/tasks", "/tasks/{task_id}/complete", "/processes/{key}/instances",
                 "/instances/{instance_id}", "/complaints", "/complaints/{number}"):
        assert path in doc["paths"], path
    assert "complaint_intake" in doc["components"]["schemas"]
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert doc["paths"]["/auth/token"]["post"]["security"] == []
    assert doc["paths"]["/tasks"]["get"]["security"] == [{"bearer": []}]
    day = doc["paths"]["/calendar/days/{day}"]["delete"]["parameters"][0]
    assert day["name"] == "day" and day["schema"]["pattern"].startswith("^\\d{4}-")
    instance_id = doc["paths"]["/instances/{instance_id}"]["get"]["parameters"][0]["schema"]
    assert (instance_id["type"], instance_id["minimum"], instance_id["maximum"]) == ("integer", 1, 2**31 - 1)
    per_page = next(p for p in doc["paths"]["/complaints"]["get"]["parameters"] if p["name"] == "per_page")
    assert per_page["in"] == "query" and per_page["schema"]["maximum"] == 500
    error = doc["paths"]["/tasks/{task_id}/claim"]["post"]["responses"]["409"]["$ref"]
    assert doc["components"]["responses"][error.rsplit("/", 1)[1]]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"}


def test_the_loaner_register_is_in_the_openapi_document_with_its_schemas(client):
    """The loaner register (备用机台账) is not in shared/api.md: the generated document is where a
    client reads its endpoints, their filters, bodies and answers."""
    doc = client.get("/api/v1/openapi.json").get_json()
    paths, schemas = doc["paths"], doc["components"]["schemas"]

    def answer(operation, status="200"):
        return operation["responses"][status]["content"]["application/json"]["schema"]

    listed = paths["/loaners"]["get"]
    assert {"status", "overdue", "unit", "after", "per_page"} <= {p["name"] for p in listed["parameters"]}
    assert answer(listed)["properties"]["items"]["items"] == {"$ref": "#/components/schemas/Loaner"}
    lend = paths["/loaners"]["post"]
    assert lend["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Lending"}
    assert answer(lend, "201") == {"$ref": "#/components/schemas/Loaner"}
    assert answer(paths["/loaners/{loaner_id}"]["get"]) == {"$ref": "#/components/schemas/Loaner"}
    back = paths["/loaners/{loaner_id}/return"]["post"]
    assert back["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Giving"}
    assert {"loaner_serial", "loaner_unit_serial", "customer"} <= set(schemas["Lending"]["required"])
    assert {"id", "loaner_serial", "loaner_unit_serial", "customer", "overdue", "lent_at"} <= \
        set(schemas["Loaner"]["required"])
    assert {"unit", "rma_number", "due_at", "returned_at", "agreed_return_date"} <= set(schemas["Loaner"]["properties"])


def test_every_api_route_and_method_is_in_the_openapi_document(app, client):
    """The document is generated from app.url_map, so it cannot drift: every rule, every method,
    every path parameter, and each operation declares what it answers."""
    doc = client.get("/api/v1/openapi.json").get_json()
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")]
    assert len(rules) >= 30
    documented = {(path, method) for path, item in doc["paths"].items() for method in item}
    expected = set()
    for rule in rules:
        path = rule.rule.removeprefix("/api/v1")
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", f"{{{name}}}").replace(f"<{name}>", f"{{{name}}}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            expected.add((path, method.lower()))
            operation = doc["paths"].get(path, {}).get(method.lower())
            assert operation is not None, (path, method)
            assert {p["name"] for p in operation["parameters"] if p["in"] == "path"} == set(rule.arguments), path
            assert operation["summary"] and any(code < "300" for code in operation["responses"]), (path, method)
    assert documented == expected


def test_lists_are_paged_and_bad_paging_is_named(api):
    clerk = api.as_("customer_dept")
    Case(api)
    Case(api)
    page = clerk.get("/complaints", query_string={"per_page": 1, "page": 1}).get_json()
    assert len(page["items"]) == 1 and page["total"] >= 2
    bad = clerk.get("/complaints", query_string={"per_page": 501, "page": 0})
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"page", "per_page"}


def test_the_ledger_filters(api):
    case = Case(api, customer_name="筛选测试客户", channel="email", received_at="2026-11-20T09:30:00+08:00")
    case.classify(category="sales", severity="general")
    clerk = api.as_("customer_dept")
    found = clerk.get("/complaints", query_string={"q": "筛选测试", "channel": "email", "category": "sales",
                                                   "status": "assigned", "month": "2026-11",
                                                   "responsible": "business_supervisor"}).get_json()
    assert [c["number"] for c in found["items"]] == [case.number]
    assert clerk.get("/complaints", query_string={"q": "筛选测试", "month": "2026-10"}).get_json()["total"] == 0
    assert clerk.get("/complaints", query_string={"month": "2026-13"}).status_code == 422
    # a department sees only what is assigned to it
    assert api.as_("parts_manager").get(f"/complaints/{case.number}").status_code == 404
    assert api.as_("business_supervisor").get(f"/complaints/{case.number}").status_code == 200
    assert api.as_("branch_engineer").get("/complaints").status_code == 403
