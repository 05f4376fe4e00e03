"""A complaint sent back a thousand times (on SQLite; 200 on PostgreSQL, past where the bare
engine breaks): the engine state stays the size of one round,
every round stays in the task records and on the case view, and a department's deadline
still escalates in a late round. Also the return procedure's repair loop and a small loop
a process owner draws: their state does not grow with rounds.

The rounds are driven at the service layer (inbox.complete and a commit per task, as a
request does) since two thousand HTTP requests would take minutes; the case is opened,
looked at and closed over HTTP."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from app.extensions import db
from app.models import OpenTask, OverdueRecord, ProcessInstance, TaskRecord, User
from return_authorization import ReturnCase
from procedures import GOOD_HANDLING, Case, moved_clock
from versions import deploy, relabel, set_form, shipped, shipped_complaint_afterwards, with_bpmn  # noqa: F401

# The long run on SQLite; PostgreSQL goes well past round 123, where SpiffWorkflow alone fails
# (RecursionError) and its state has grown 4 KiB a round (bench/history.py), to round 200.
ROUNDS = {"sqlite": 1000, "postgresql": 200}
SH = timezone(timedelta(hours=8))
SEND_BACK = {"confirmation": "send_back", "confirmation_reason": "原因分析不充分"}
# A Monday in months no other test uses: a third miss of the parts manager in one month (written
# by another test on the same worker) would open the general manager's review in this case too.
START = datetime(2021, 3, 1, 9, tzinfo=SH)


class Driver:
    """Completes a case's open tasks through the service layer, one transaction each."""

    def __init__(self, app, instance_id: int):
        self.app, self.instance_id = app, instance_id

    def open_task(self, name: str) -> str:
        ids = db.session.scalars(select(OpenTask.id).where(OpenTask.instance_id == self.instance_id,
                                                           OpenTask.task_name == name)).all()
        assert len(ids) == 1, (name, self.open_names())
        return ids[0]

    def open_names(self) -> list[str]:
        return sorted(db.session.scalars(select(OpenTask.task_name).where(OpenTask.instance_id == self.instance_id)))

    def complete(self, username: str, name: str, data: dict) -> None:
        from app.services import inbox
        user = db.session.scalar(select(User).where(User.username == username))
        inbox.complete(user, self.open_task(name), data)
        db.session.commit()

    def state_size(self) -> int:
        return len(db.session.scalar(select(ProcessInstance.state).where(ProcessInstance.id == self.instance_id)))


def test_a_complaint_sent_back_a_thousand_times_keeps_a_bounded_state_and_every_round(api, app):
    rounds = ROUNDS["sqlite" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else "postgresql"]
    with moved_clock(api, START) as clock:
        case = Case(api)
        case.classify(category="parts", severity="general", deadline_days=5)
        sizes = {}
        with app.app_context():
            drive = Driver(app, case.id)
            for round_ in range(1, rounds + 1):
                # The department misses its deadline early and again late in the case: the boundary
                # timer of the last but one round still fires (each escalation closes when its round's work is done).
                if round_ in (5, rounds - 1):
                    clock.to(clock.moment + timedelta(days=30 if round_ == 5 else 60))
                    fired = app.test_cli_runner().invoke(args=["timers"])
                    assert fired.exit_code == 0, fired.output
                    assert drive.open_names().count("escalate_handle_parts") == 1
                drive.complete("parts_manager", "handle_parts", GOOD_HANDLING)
                drive.complete("service_manager", "confirm_handling", SEND_BACK)
                sizes[round_] = drive.state_size()
            assert drive.open_names() == ["handle_parts"]  # the late escalation closed with its work
            handled = db.session.scalar(select(func.count()).select_from(TaskRecord).where(
                TaskRecord.instance_id == case.id, TaskRecord.task_name == "handle_parts"))
            sent_back = db.session.scalar(select(func.count()).select_from(TaskRecord).where(
                TaskRecord.instance_id == case.id, TaskRecord.task_name == "confirm_handling"))
            overdue = db.session.scalar(select(func.count()).select_from(OverdueRecord).where(
                OverdueRecord.business_key == case.number))
        # The state two rounds before the last is round 10's give or take ids and dates written in
        # more digits, after the last give or take the late escalation: no growth with rounds.
        assert sizes[rounds - 2] - sizes[10] < 256, (sizes[10], sizes[rounds - 2])
        assert sizes[rounds] - sizes[10] < 8 * 1024, (sizes[10], sizes[rounds])
        assert (handled, sent_back, overdue) == (rounds, rounds, 2)

        # The last round approved, and the case closes as usual.
        case.complete("parts_manager", "handle_parts", GOOD_HANDLING)
        case.complete("service_manager", "confirm_handling", {"confirmation": "approve"})
        case.complete("customer_dept", "call_back_customer", {"problem_solved": True, "callback_satisfied": True})
        case.complete("general_manager", "sign_close", {})
        seen = case.instance()
        assert seen["status"] == "completed"
        history = [entry["task"] for entry in seen["history"]]
        assert history.count("handle_parts") == rounds + 1 and history.count("confirm_handling") == rounds + 1
        trail = api.as_("admin").get(f"/instances/{case.id}/diagram").get_json()
    assert {"register_complaint", "classify_complaint", "dispatch_department", "handle_parts",
            "confirm_handling", "is_confirmed", "clock_parts_record", "sign_close"} <= set(trail["completed"])


QC_ROUNDS = 25


def test_the_return_procedures_repair_loop_does_not_grow_the_state(api, app):
    """Repair → aging → QC failed, again and again, inside the repair subprocess (with its
    boundary timer): the stored state stays the size of one round."""
    case = ReturnCase(api, quantity=1, serial_numbers=["SN-Q1"]).approve()
    case.ship(serials=["SN-Q1"])
    case.check_warranty()
    sizes = []
    for _ in range(QC_ROUNDS):
        case.repair_round(passed=False)
        assert case.open_names() == ["repair_units"]
        with app.app_context():
            sizes.append(Driver(app, case.id).state_size())
    assert max(sizes[3:]) - min(sizes[3:]) < 256, sizes
    case.repair_round()
    assert case.open_names() == ["ship_back"]
    history = [h["task"] for h in case.instance()["history"]]
    assert history.count("quality_check") == QC_ROUNDS + 1
    diagram = api.as_("admin").get(f"/instances/{case.id}/diagram").get_json()
    assert {"review_request", "repair_work", "repair_units", "aging_test", "quality_check",
            "check_passed"} <= set(diagram["completed"])


def test_a_case_sent_back_moves_to_a_new_version_judged_on_every_round(api, shipped_complaint_afterwards):
    """Elements done only in pruned rounds still count as done when a case moves: a version
    changing one is refused; one relabelling them takes the case, which goes on."""
    case = Case(api)
    case.classify(category="parts", severity="general")
    for _ in range(3):
        case.complete("parts_manager", "handle_parts", GOOD_HANDLING)
        case.complete("service_manager", "confirm_handling", SEND_BACK)
    changed = deploy(api, with_bpmn(shipped(), lambda xml: set_form(xml, "confirm_handling", "complaint.follow_up")))
    refused = api.as_("admin").post(f"/instances/{case.id}/migrate", json={"to_version": changed["version"]})
    assert refused.status_code == 409
    assert list(refused.get_json()["error"]["fields"]) == ["confirm_handling"]
    relabelled = deploy(api, with_bpmn(shipped(), lambda xml: relabel(xml, "confirm_handling", "经理确认")))
    moved = api.as_("admin").post(f"/instances/{case.id}/migrate", json={"to_version": relabelled["version"]})
    assert moved.status_code == 200, moved.get_json()
    assert "confirm_handling" in moved.get_json()["relabelled"]
    case.complete("parts_manager", "handle_parts", GOOD_HANDLING)
    case.complete("service_manager", "confirm_handling", {"confirmation": "approve"})
    assert case.open_names() == ["call_back_customer"]
