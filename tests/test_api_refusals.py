"""The refusals of the API: wrong role, stale task, bad form, bad credentials. Each
leaves the case exactly as it was."""
import threading

from procedures import GOOD_HANDLING, INTAKE, Case


def test_wrong_credentials_are_refused_and_repeated_failures_hold_the_account_back(api, app):
    assert api.post("/auth/token", json={"username": "nobody", "password": "x"}).status_code == 401
    with app.app_context():
        from app.services.accounts import create_user
        from app.extensions import db
        import uuid
        name = "locktest_" + uuid.uuid4().hex[:8]
        create_user(name, "right-password", ["customer_dept"])
        db.session.commit()
    for _ in range(5):
        response = api.post("/auth/token", json={"username": name, "password": "wrong"})
        assert response.status_code == 401
    locked = api.post("/auth/token", json={"username": name, "password": "right-password"})
    assert locked.status_code == 429 and locked.get_json()["error"]["code"] == "too_many_requests"


def test_every_call_needs_a_token(api):
    response = api.get("/tasks")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert api.get("/tasks", headers={"Authorization": "Bearer not-a-token"}).status_code == 401


def test_a_malformed_body_is_a_400(api):
    response = api.as_("customer_dept").request("POST", "/processes/complaint/instances", data="{not json",
                                                 headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"


def test_a_bad_intake_names_every_field_and_registers_nothing(api):
    before = api.as_("customer_dept").get("/complaints").get_json()["total"]
    response = api.as_("customer_dept").post("/processes/complaint/instances", json={"data": {
        **INTAKE, "channel": "fax", "contact_phone": "call me", "customer_name": ""}})
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"channel", "contact_phone", "customer_name"}
    assert api.as_("customer_dept").get("/complaints").get_json()["total"] == before


def test_only_customer_relations_takes_complaints_in(api):
    response = api.as_("workshop_supervisor").post("/processes/complaint/instances", json={"data": INTAKE})
    assert response.status_code == 403


def test_a_clerk_can_neither_see_nor_complete_a_managers_task(api):
    case = Case(api)
    task = case.open_task("classify_complaint")
    clerk = api.as_("customer_dept")
    assert clerk.get(f"/tasks/{task['id']}").status_code == 403
    response = clerk.post(f"/tasks/{task['id']}/complete", json={"data": {"category": "parts", "severity": "general"}})
    assert response.status_code == 403
    assert case.open_names() == ["classify_complaint"]
    assert clerk.get(f"/instances/{case.id}").status_code == 200  # started it: may follow it
    assert api.as_("parts_manager").get(f"/instances/{case.id}").status_code == 403


def test_a_bad_form_is_422_and_changes_nothing(api):
    case = Case(api)
    task = case.open_task("classify_complaint")
    response = api.as_("service_manager").post(f"/tasks/{task['id']}/complete", json={"data": {
        "category": "other", "severity": "huge", "deadline_days": 0}})
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert {"severity", "deadline_days"} <= set(fields)
    assert case.open_names() == ["classify_complaint"]
    assert case.complaint()["status"] == "registered"


def test_unknown_ids_are_404(api):
    manager = api.as_("service_manager")
    assert manager.get("/tasks/00000000-0000-0000-0000-000000000000").status_code == 404
    assert manager.get("/complaints/TS-200001-0001").status_code == 404
    assert api.as_("admin").get("/instances/999999999").status_code == 404
    assert manager.get("/processes/no_such_procedure").status_code == 404


def test_a_task_claimed_by_another_is_409(api, app):
    case = Case(api)
    task = case.open_task("classify_complaint")
    assert api.as_("service_manager").post(f"/tasks/{task['id']}/claim").status_code == 200
    other = api.as_("demo_all")
    assert other.post(f"/tasks/{task['id']}/claim").status_code == 409
    response = other.post(f"/tasks/{task['id']}/complete", json={"data": {"category": "parts", "severity": "general"}})
    assert response.status_code == 409
    listed = other.get("/tasks", query_string={"process_key": "complaint"}).get_json()["items"]
    assert task["id"] not in [t["id"] for t in listed]
    assert api.as_("service_manager").post(f"/tasks/{task['id']}/unclaim").status_code == 200
    assert other.post(f"/tasks/{task['id']}/claim").status_code == 200


def test_a_completed_task_is_stale_409(api):
    case = Case(api)
    task = case.open_task("classify_complaint")
    data = {"data": {"category": "parts", "severity": "general"}}
    assert api.as_("service_manager").post(f"/tasks/{task['id']}/complete", json=data).status_code == 200
    again = api.as_("service_manager").post(f"/tasks/{task['id']}/complete", json=data)
    assert again.status_code == 409
    assert case.open_names() == ["handle_parts"]


def test_two_people_completing_one_task_at_once_one_wins_and_the_case_is_intact(api, app):
    case = Case(api)
    case.classify(category="parts", severity="general")
    task = case.open_task("handle_parts")
    for user in ("parts_manager", "demo_all"):
        api.as_(user).token(user)  # sign in before the race
    results = []
    barrier = threading.Barrier(2)

    def attempt(user):
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": GOOD_HANDLING},
                               headers={"Authorization": f"Bearer {api.tokens[user]}"})
        results.append(response.status_code)

    threads = [threading.Thread(target=attempt, args=(u,)) for u in ("parts_manager", "demo_all")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409]
    assert case.open_names() == ["confirm_handling"]
    assert case.complaint()["handling_rounds"] == 1
    assert [h["task"] for h in case.instance()["history"]].count("handle_parts") == 1


def test_pages_tell_the_browser_to_run_only_our_own_code(client):
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
