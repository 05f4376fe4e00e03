"""Who may do what, in one place (modelled on spiff-arena's permissions file).

- ACTIONS: each action, named by what it does, with the roles that may do it at all and,
  where it depends on the object, the object rule(s) saying on which objects; the roles in
  `every` may do it on every object.
- RULES: the object rules by name, each a check on one object and, for lists, the same
  condition as a SQL filter.
- ENDPOINTS: every endpoint of the API (`api.*`) and the pages, mapped to the action the door
  checks before the view runs; PUBLIC endpoints need nobody signed in. An endpoint missing
  from both is refused (deny by default), and tests/test_permissions.py fails naming it.

The door (`check_endpoint`) checks roles only; services check the object rules where they
load the object, through `require(user, action, obj)` / `can(user, action, obj)`, and filter
lists through `scope(user, action, query)`. Templates ask `can('action')`.
"""
from dataclasses import dataclass
from typing import Callable

from flask import has_request_context
from sqlalchemy import or_, select

from .errors import Forbidden
from .extensions import db
from .i18n import N_, current_language, gettext
from .models import Complaint, OpenTask, OverdueRecord, Penalty, ProcessInstance, ReturnAuthorization, TaskRecord, User
from .roles import DEPARTMENT_ROLES, ROLES

# ----------------------------------------------------------------------------- role groups
STAFF = tuple(ROLES)  # everyone with a role
ADMIN = ("admin",)
MANAGERS = ("service_manager", "general_manager", "admin")
COMPLAINT_LEDGER = ("customer_dept", "service_manager", "general_manager", "admin")
# The departments a complaint is assigned to; the technical supervisor works the workshop's.
COMPLAINT_DEPARTMENTS = (*DEPARTMENT_ROLES, "technical_supervisor")
# Headquarters works every return request; branch staff see the ones they raised or reviewed.
RETURN_REGISTER = ("department_head", "logistics_clerk", "repair_technician", "general_manager", "admin")
BRANCH = ("branch_engineer", "branch_manager")
CALLBACK_LOG = ("customer_dept", "service_manager", "general_manager", "admin")
PROCESS_OWNERS = ("process_owner", "admin")
KPI_READERS = (*MANAGERS, "customer_dept")
DELIVERY_CLERKS = ("customer_dept", "service_manager", "admin")  # who keeps the delivery register
# Who gives tasks to people: on the cases of a procedure whose records they read in full
# (the service manager: complaints and callbacks; the head of customer service: returns; admins: all).
TASK_MANAGERS = ("service_manager", "department_head", "admin")
# The penalty register: the service manager decides; these read every entry, staff their own.
PENALTY_READERS = ("service_manager", "general_manager", "customer_dept", "admin")


@dataclass(frozen=True)
class Action:
    roles: tuple[str, ...]     # who may do it at all: the door checks these
    en: str                    # what it is, for the refusal message
    zh: str
    rules: tuple[str, ...] = ()  # object rules: one of them must hold for the object...
    every: tuple[str, ...] = ()  # ...unless the user holds one of these roles (every object)


ACTIONS: dict[str, Action] = {
    # procedures and their instances
    "processes.read": Action(STAFF, "read the deployed procedures", "查看已发布的流程"),
    "instances.start": Action(STAFF, "start this procedure", "发起此流程", rules=("start_lane",), every=ADMIN),
    "instances.read": Action(STAFF, "read this case", "查看此案件", rules=("reads_records", "worked_on"),
                             every=ADMIN),
    "instances.cancel": Action(ADMIN, "cancel a case", "取消案件"),
    "instances.migrate": Action(ADMIN, "move a case to another version", "迁移案件到其他版本"),
    "instances.list": Action(ADMIN, "list cases by status", "按状态查看案件"),
    "instances.retry": Action(ADMIN, "retry a case held in error", "重试出错的案件"),
    "instances.suspend": Action(ADMIN, "suspend or resume a case", "暂停或恢复案件"),
    "procedures.read_drafts": Action(PROCESS_OWNERS, "read procedure drafts", "查看流程草稿"),
    "procedures.propose": Action(PROCESS_OWNERS, "propose a procedure version", "提交流程新版本"),
    "procedures.deploy": Action(ADMIN, "deploy a procedure version", "发布流程版本"),
    "procedures.try": Action(PROCESS_OWNERS, "dry-run a procedure draft", "试运行流程草稿"),
    # the inbox
    "tasks.list": Action(STAFF, "read the inbox", "查看待办任务"),
    "tasks.read": Action(STAFF, "read this task", "查看此任务", rules=("own_lane", "held_by_user", "managed_case")),
    "tasks.claim": Action(STAFF, "claim or release this task", "认领或放弃此任务", rules=("own_lane",)),
    "tasks.complete": Action(STAFF, "complete this task or save a draft of it", "提交此任务或保存草稿",
                             rules=("own_lane", "held_by_user")),
    "tasks.reassign": Action(TASK_MANAGERS, "give this task to someone", "指派此任务", rules=("managed_case",)),
    "settings.own": Action(STAFF, "keep your own settings", "维护个人设置"),
    # the records
    "complaints.read_ledger": Action((*COMPLAINT_LEDGER, *COMPLAINT_DEPARTMENTS), "read the complaint ledger",
                                     "查看投诉台账", rules=("responsible_department",), every=COMPLAINT_LEDGER),
    "returns.read_register": Action((*RETURN_REGISTER, *BRANCH), "read the return register", "查看返修登记",
                                    rules=("raised_or_reviewed",), every=RETURN_REGISTER),
    "returns.receive": Action(("logistics_clerk", "admin"), "receive shipments", "收货登记"),
    "returns.read_refusals": Action(("logistics_clerk", "department_head", "general_manager", "admin"),
                                    "read refused shipments", "查看拒收记录"),
    "callbacks.read_log": Action(CALLBACK_LOG, "read the callback log", "查看回访记录"),
    "overdue.read": Action(STAFF, "read overdue records", "查看超时记录", rules=("own_record",), every=MANAGERS),
    "penalties.read": Action(STAFF, "read the penalty register", "查看处罚台账", rules=("own_penalty",),
                             every=PENALTY_READERS),
    "penalties.decide": Action(("service_manager",), "confirm or waive a penalty", "确认或免除处罚"),
    "penalties.find": Action(("service_manager", "customer_dept"), "record a finding for a penalty",
                             "登记违规（提出处罚）"),
    "penalties.fund": Action(("service_manager", "admin"), "record spending from the reward fund", "登记快乐基金支出"),
    # deadlines, KPIs and reports
    "calendar.read": Action(STAFF, "read the working-day calendar", "查看工作日历"),
    "calendar.edit": Action(ADMIN, "keep the working-day calendar", "维护工作日历"),
    # the customer department compiles the KPIs and the monthly report: it reads them (domain.md)
    "kpis.read": Action(KPI_READERS, "read the KPIs", "查看考核指标"),
    "kpis.enter_deliveries": Action(ADMIN, "enter a month's deliveries", "录入月度交车台数"),
    "reports.read": Action(KPI_READERS, "read the monthly report", "查看月度报告"),
    "deliveries.read": Action(KPI_READERS, "read the delivery register", "查看交车登记"),
    "deliveries.enter": Action(DELIVERY_CLERKS, "enter or import deliveries", "录入或导入交车登记"),
}

# The action whose readers read every record of a procedure's cases (instances.read's reads_records).
RECORDS_OF_PROCEDURE = {"complaint": "complaints.read_ledger", "return_authorization": "returns.read_register",
                        "callback": "callbacks.read_log"}


# ----------------------------------------------------------------------------- object rules
@dataclass(frozen=True)
class Rule:
    holds: Callable[[User, object], bool]                # on one object
    where: Callable[[User], object] | None = None       # the same as a SQL condition, for lists


def departments_of(user: User) -> list[str]:
    """The departments whose complaints the user works (the technical supervisor: the workshop's)."""
    mine = [r for r in COMPLAINT_DEPARTMENTS if r in user.roles]
    return mine + (["workshop_supervisor"] if "technical_supervisor" in mine else [])


def _own_lane(user: User, task: OpenTask) -> bool:
    return task.lane in user.roles


def _own_task(user: User, task: OpenTask) -> bool:
    """Claimed by the user, or unclaimed in one of the user's lanes."""
    return _own_lane(user, task) and task.claimed_by_id in (None, user.id)


def _worked_on(user: User, instance) -> bool:
    """The user started the case, completed one of its tasks, or holds one of its open tasks."""
    if instance.started_by_id == user.id:
        return True
    if db.session.scalar(select(TaskRecord.id).where(TaskRecord.instance_id == instance.id,
                                                     TaskRecord.completed_by_id == user.id).limit(1)):
        return True
    open_tasks = db.session.scalars(select(OpenTask).where(OpenTask.instance_id == instance.id,
                                                           OpenTask.lane.in_(list(user.roles))))
    return any(_own_task(user, task) for task in open_tasks)


def _reads_records(user: User, instance) -> bool:
    action = RECORDS_OF_PROCEDURE.get(instance.process_key)
    return action is not None and sees_every(user, action)


def _managed_case(user: User, task) -> bool:
    """A task (open or completed) of a case the user manages: a task manager reading all its procedure's records."""
    return bool(user.roles.intersection(TASK_MANAGERS)) and \
        _reads_records(user, db.session.get(ProcessInstance, task.instance_id))


RULES: dict[str, Rule] = {
    "own_lane": Rule(_own_lane),
    # a task given to the user outside the user's lanes (a manager who took late work over)
    "held_by_user": Rule(lambda user, task: getattr(task, "claimed_by_id", None) == user.id),
    "managed_case": Rule(_managed_case),
    "own_task": Rule(_own_task),
    "start_lane": Rule(lambda user, version: version.start_lane is not None and version.start_lane in user.roles),
    "worked_on": Rule(_worked_on),
    "reads_records": Rule(_reads_records),
    "responsible_department": Rule(lambda user, complaint: complaint.responsible_role in departments_of(user),
                                   lambda user: Complaint.responsible_role.in_(departments_of(user))),
    # Users carry no branch yet, so the person is the key. A later issue adds organisation
    # units: an `own_branch` rule (the request's branch is the user's unit) goes here and
    # replaces raised_or_reviewed in returns.read_register.
    "raised_or_reviewed": Rule(
        lambda user, request: user.id in (request.requested_by_id, request.reviewed_by_id),
        lambda user: or_(ReturnAuthorization.requested_by_id == user.id,
                         ReturnAuthorization.reviewed_by_id == user.id)),
    "own_record": Rule(lambda user, record: record.person_id == user.id,
                       lambda user: OverdueRecord.person_id == user.id),
    "own_penalty": Rule(lambda user, penalty: penalty.person_id == user.id,
                        lambda user: Penalty.person_id == user.id),
}


# ----------------------------------------------------------------------------- endpoints
PUBLIC = {"api.issue_token", "api.openapi_document", "auth.login", "auth.logout", "auth.switch_language",
          "static", "healthz"}

ENDPOINTS: dict[str, str] = {
    # the JSON API
    "api.list_processes": "processes.read",
    "api.get_process": "processes.read",
    "api.process_versions": "processes.read",
    "api.start_instance": "instances.start",
    "api.get_instance": "instances.read",
    "api.cancel_instance": "instances.cancel",
    "api.migrate_instance": "instances.migrate",
    "api.list_instances": "instances.list",
    "api.retry_instance": "instances.retry",
    "api.suspend_instance": "instances.suspend",
    "api.resume_instance": "instances.suspend",
    # the case view: who may read a case sees its diagram, comments and files and adds to them
    "api.instance_diagram": "instances.read",
    "api.list_comments": "instances.read",
    "api.add_comment": "instances.read",
    "api.list_attachments": "instances.read",
    "api.add_attachment": "instances.read",
    "api.get_attachment": "instances.read",
    "api.propose_draft": "procedures.propose",
    "api.list_drafts": "procedures.read_drafts",
    "api.get_draft": "procedures.read_drafts",
    "api.deploy": "procedures.deploy",
    "api.list_tasks": "tasks.list",
    "api.task_counts": "tasks.list",
    "api.get_task": "tasks.read",
    "api.claim_task": "tasks.claim",
    "api.unclaim_task": "tasks.claim",
    "api.complete_task": "tasks.complete",
    "api.task_summary": "tasks.list",
    "api.save_task_draft": "tasks.complete",
    "api.assign_task": "tasks.reassign",
    "api.list_complaints": "complaints.read_ledger",
    "api.get_complaint": "complaints.read_ledger",
    "api.export_complaints": "complaints.read_ledger",
    "api.list_return_authorizations": "returns.read_register",
    "api.get_return_authorization": "returns.read_register",
    "api.receive_shipment": "returns.receive",
    "api.list_refused_shipments": "returns.read_refusals",
    "api.list_callbacks": "callbacks.read_log",
    "api.get_callback": "callbacks.read_log",
    "api.list_overdue": "overdue.read",
    "api.calendar_year": "calendar.read",
    "api.set_calendar_day": "calendar.edit",
    "api.remove_calendar_day": "calendar.edit",
    "api.month_kpis": "kpis.read",
    "api.set_deliveries": "kpis.enter_deliveries",
    "api.list_deliveries": "deliveries.read",
    "api.enter_delivery": "deliveries.enter",
    "api.import_deliveries": "deliveries.enter",
    "api.monthly_report": "reports.read",
    "api.list_penalties": "penalties.read",
    "api.get_penalty": "penalties.read",
    "api.penalty_people": "penalties.read",
    "api.record_finding": "penalties.find",
    "api.confirm_penalty": "penalties.decide",
    "api.waive_penalty": "penalties.decide",
    "api.record_fund_spending": "penalties.fund",
    # the pages
    "inbox.index": "tasks.list",
    "inbox.task": "tasks.read",  # its POST completes: tasks.complete, checked on the task
    "inbox.claim": "tasks.claim",
    "inbox.unclaim": "tasks.claim",
    "inbox.assign": "tasks.reassign",
    "inbox.save_filter": "tasks.list",  # a person's own saved filters of the inbox
    "inbox.delete_filter": "tasks.list",
    "inbox.start": "instances.start",
    "notices.inbox_count": "tasks.list",
    "notices.settings": "settings.own",
    "records.ledger": "complaints.read_ledger",
    "records.complaint": "complaints.read_ledger",
    "records.ledger_export": "complaints.read_ledger",
    "records.save_filter": "complaints.read_ledger",  # a person's own saved filters of the ledger
    "records.delete_filter": "complaints.read_ledger",
    "records.instance": "instances.read",
    "records.instance_diagram": "instances.read",
    "records.comment": "instances.read",
    "records.attach": "instances.read",
    "records.attachment": "instances.read",
    "records.complaint_print": "complaints.read_ledger",
    "records.return_register": "returns.read_register",
    "records.return_authorization": "returns.read_register",
    "records.receive_shipment": "returns.receive",
    "records.callback_log": "callbacks.read_log",
    "records.callback": "callbacks.read_log",
    "reports.monthly": "reports.read",
    "reports.monthly_file": "reports.read",
    "reports.enter_deliveries": "kpis.enter_deliveries",
    "reports.kpis_page": "kpis.read",
    "reports.deliveries_page": "deliveries.read",
    "reports.enter_delivery": "deliveries.enter",
    "reports.import_deliveries": "deliveries.enter",
    "penalties.register": "penalties.read",
    "penalties.confirm": "penalties.decide",
    "penalties.waive": "penalties.decide",
    "penalties.finding": "penalties.find",
    "penalties.spending": "penalties.fund",
    "admin.calendar_page": "calendar.edit",
    "admin.held_instances": "instances.list",
    "admin.act_on_instance": "instances.retry",  # retry, resume or cancel: the service checks each action
    "procedures.index": "procedures.read_drafts",
    "procedures.draft": "procedures.read_drafts",
    "procedures.propose": "procedures.propose",
    "procedures.edit": "procedures.propose",
    "procedures.save_edit": "procedures.propose",
    "procedures.check": "procedures.propose",
    "procedures.decision_editor": "procedures.propose",
    "procedures.save_decision": "procedures.propose",
    "procedures.check_decision": "procedures.propose",
    "procedures.new_form": "procedures.propose",
    "procedures.form_editor": "procedures.propose",
    "procedures.save_form": "procedures.propose",
    "procedures.deploy": "procedures.deploy",
    "procedures.changes_page": "procedures.read_drafts",
    "procedures.dry_run": "procedures.try",
    "procedures.keep_test_case": "procedures.propose",
}


# ----------------------------------------------------------------------------- checks
def can(user: User | None, action: str, obj=None) -> bool:
    """May `user` do `action` (on `obj`, when given: its object rules then count)?"""
    rule = ACTIONS[action]
    if user is None or not user.roles.intersection(rule.roles):
        return False
    if obj is None or not rule.rules or user.roles.intersection(rule.every):
        return True
    return any(RULES[name].holds(user, obj) for name in rule.rules)


def sees_every(user: User, action: str) -> bool:
    """May `user` do `action` on every object, whatever its object rules say?"""
    rule = ACTIONS[action]
    return can(user, action) and (not rule.rules or bool(user.roles.intersection(rule.every)))


def require(user: User | None, action: str, obj=None) -> None:
    if not can(user, action, obj):
        raise Forbidden(refusal(action))


def scope(user: User, action: str, query):
    """`query` cut down to the objects `user` may do `action` on (Forbidden if none at all)."""
    require(user, action)
    if sees_every(user, action):
        return query
    return query.where(or_(*(RULES[name].where(user) for name in ACTIONS[action].rules)))


def is_public(endpoint: str | None) -> bool:
    return endpoint in PUBLIC


def check_endpoint(user: User, endpoint: str | None) -> None:
    """The door, before any view: the endpoint's action must be allowed to the user's roles.
    An endpoint the table does not name is refused."""
    if endpoint is None or is_public(endpoint):
        return  # no such route (the 404 follows), or open to all
    action = ENDPOINTS.get(endpoint)
    if action is None:
        raise Forbidden(N_("Not allowed (no permission is declared for '%(endpoint)s')", endpoint=endpoint))
    require(user, action)


def refusal(action: str) -> str:
    rule = ACTIONS[action]
    return f"{_not_allowed()}: {rule.zh if _chinese() else rule.en}"


def _not_allowed() -> str:
    return gettext("Not allowed") if has_request_context() else "Not allowed"


def _chinese() -> bool:
    return has_request_context() and current_language() == "zh-CN"
