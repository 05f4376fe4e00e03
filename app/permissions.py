"""Who may do what, in one place (modelled on spiff-arena's permissions file).

- ACTIONS: each action, named by what it does, with the roles that may do it at all and,
  where it depends on the object, the object rule(s) saying on which objects; the roles in
  `every` may do it on every object. `unit` says which organisation units' objects: "own" (the
  person's unit and the units below it: a person of the group sees them all) or "all"; the roles
  of ALL_UNITS see every unit's wherever they belong. The unit comes first: an object of a unit
  the person does not see is not there for them (404), whatever the roles and rules say.
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
from .models import Complaint, OpenTask, OrgUnit, OverdueRecord, Penalty, ProcessInstance, TaskRecord, User
from .roles import DEPARTMENT_ROLES, ROLES

# ----------------------------------------------------------------------------- role groups
STAFF = tuple(ROLES)  # everyone with a role
ADMIN = ("admin",)
MANAGERS = ("service_manager", "general_manager", "admin")
# The group's after-sales supervisor reads every unit's records (domain.md).
COMPLAINT_LEDGER = ("customer_dept", "service_manager", "general_manager", "admin", "group_supervisor")
# The departments a complaint is assigned to; the technical supervisor works the workshop's.
COMPLAINT_DEPARTMENTS = (*DEPARTMENT_ROLES, "technical_supervisor")
# Headquarters works every return request; the branches' and dealers' staff read their unit's
# (the register's unit rule).
RETURN_REGISTER = ("department_head", "logistics_clerk", "repair_technician", "general_manager", "admin",
                   "group_supervisor")
BRANCH = ("branch_engineer", "branch_manager", "field_service_supervisor", "provincial_manager", "dealer_agent")
CALLBACK_LOG = ("customer_dept", "customer_dept_manager", "service_manager", "general_manager", "admin", "group_supervisor")
# The weekly callback report (回访周报) and the per-advisor figures: the managers of the department and above.
CALLBACK_REPORT = ("customer_dept_manager", "service_manager", "general_manager", "group_supervisor", "admin")
# Sent the weekly callback report every Monday (domain.md, "Callbacks"): the customer-service manager
# (客户部经理) and the station's manager (售后服务经理), and a branch's manager (the station's manager
# of a branch) the branch's; they read it (callbacks.read_week: each the units they see).
WEEK_REPORT_RECIPIENTS = ("customer_dept_manager", "service_manager", "branch_manager")
PROCESS_OWNERS = ("process_owner", "admin")
# The group's after-sales supervisor (集团售后督导) reads every record of every unit: it is in every
# read action below, among the roles that read every object.
READS_ALL = ("group_supervisor",)
# the customer department compiles the KPIs and the monthly report; its head is escalated to
# and a branch's manager reads the figures of the branch (kpis.read's unit rule: their unit's and below)
KPI_READERS = (*MANAGERS, "customer_dept", "customer_dept_manager", *READS_ALL)
UNIT_KPI_READERS = (*KPI_READERS, "branch_manager")
# Customer visits: the customer department plans and makes them, the service manager plans and follows up.
VISIT_REGISTER = ("customer_dept", "service_manager", "general_manager", "admin", *READS_ALL)
VISIT_PLANNERS = ("customer_dept", "service_manager", "admin")
DELIVERY_CLERKS = ("customer_dept", "service_manager", "admin")  # who keeps the delivery register
# Who gives tasks to people: on the cases of a procedure whose records they read in full
# (the service manager: complaints and callbacks; the head of customer service: returns; admins: all).
TASK_MANAGERS = ("service_manager", "department_head", "admin")
# The penalty register: the service manager decides; these read every entry, staff their own.
PENALTY_READERS = ("service_manager", "general_manager", "customer_dept", "admin", "group_supervisor")
# Who reads every organisation unit's records wherever they belong; the others see their unit's
# and the units' below it (a person of the group: every unit's).
ALL_UNITS = READS_ALL
# The register of quality complaints (8D): who works them, their managers, the group's supervisor.
QUALITY_REGISTER = ("quality_assurance", "customer_dept", "service_manager", "general_manager", "group_supervisor",
                    "admin")
QUALITY_INTAKE = ("customer_dept", "quality_assurance", "admin")  # who takes one in directly
# The loaner register (备用机台账): the logistics clerk and the repair team lend and take back spare
# units; the return register's readers read the loans of their unit (the department: every unit's).
LOANER_KEEPERS = ("logistics_clerk", "repair_technician")


@dataclass(frozen=True)
class Action:
    roles: tuple[str, ...]     # who may do it at all: the door checks these
    en: str                    # what it is, for the refusal message
    zh: str
    rules: tuple[str, ...] = ()  # object rules: one of them must hold for the object...
    every: tuple[str, ...] = ()  # ...unless the user holds one of these roles (every object)
    unit: str = "all"  # "own": only objects of the user's unit and the units below it (their unit_id)


ACTIONS: dict[str, Action] = {
    # procedures and their instances
    "processes.read": Action(STAFF, "read the deployed procedures", "查看已发布的流程"),
    "instances.start": Action(STAFF, "start this procedure", "发起此流程", rules=("start_lane",), every=ADMIN),
    "instances.read": Action(STAFF, "read this case", "查看此案件", rules=("reads_records", "worked_on"),
                             every=(*ADMIN, *READS_ALL), unit="own"),
    "instances.cancel": Action(ADMIN, "cancel a case", "取消案件"),
    "instances.migrate": Action(ADMIN, "move a case to another version", "迁移案件到其他版本"),
    "instances.list": Action((*ADMIN, *READS_ALL), "list cases by status", "按状态查看案件"),
    "instances.retry": Action(ADMIN, "retry a case held in error", "重试出错的案件"),
    "instances.suspend": Action(ADMIN, "suspend or resume a case", "暂停或恢复案件"),
    "procedures.read_drafts": Action((*PROCESS_OWNERS, *READS_ALL), "read procedure drafts", "查看流程草稿"),
    "procedures.propose": Action(PROCESS_OWNERS, "propose a procedure version", "提交流程新版本"),
    "procedures.deploy": Action(ADMIN, "deploy a procedure version", "发布流程版本"),
    "procedures.try": Action(PROCESS_OWNERS, "dry-run a procedure draft", "试运行流程草稿"),
    # the inbox
    "tasks.list": Action(STAFF, "read the inbox", "查看待办任务", unit="own"),
    "tasks.read": Action(STAFF, "read this task", "查看此任务", rules=("own_lane", "managed_case", "held_by_me"),
                         every=READS_ALL, unit="own"),
    "tasks.claim": Action(STAFF, "claim or release this task", "认领或放弃此任务", rules=("own_lane", "held_by_me"),
                          unit="own"),
    "tasks.complete": Action(STAFF, "complete this task or save a draft of it", "提交此任务或保存草稿",
                             rules=("own_lane", "held_by_me"), unit="own"),
    "tasks.reassign": Action(TASK_MANAGERS, "give this task to someone", "指派此任务", rules=("managed_case",),
                             unit="own"),
    "settings.own": Action(STAFF, "keep your own settings", "维护个人设置"),
    # the records
    "complaints.read_ledger": Action((*COMPLAINT_LEDGER, *COMPLAINT_DEPARTMENTS), "read the complaint ledger",
                                     "查看投诉台账", rules=("responsible_department",), every=COMPLAINT_LEDGER,
                                     unit="own"),
    "returns.read_register": Action((*RETURN_REGISTER, *BRANCH), "read the return register", "查看返修登记",
                                    unit="own"),
    "returns.receive": Action(("logistics_clerk", "admin"), "receive shipments", "收货登记"),
    "returns.read_refusals": Action(("logistics_clerk", "department_head", "general_manager", "admin", *READS_ALL),
                                    "read refused shipments", "查看拒收记录"),
    "loaners.read": Action((*RETURN_REGISTER, *BRANCH), "read the loaner register", "查看备用机台账", unit="own"),
    "loaners.lend": Action(LOANER_KEEPERS, "lend or take back spare units", "借出或收回备用机", unit="own"),
    "callbacks.read_log": Action(CALLBACK_LOG, "read the callback log", "查看回访记录", unit="own"),
    "callbacks.read_figures": Action((*CALLBACK_REPORT, "customer_dept"), "read the callback figures per service advisor",
                                     "查看服务顾问回访统计"),
    "callbacks.read_week": Action((*CALLBACK_REPORT, "branch_manager"), "read the weekly callback report", "查看回访周报",
                                  unit="own"),
    "overdue.read": Action(STAFF, "read overdue records", "查看超时记录", rules=("own_record",),
                           every=(*MANAGERS, *READS_ALL), unit="own"),
    "quality_complaints.read": Action(QUALITY_REGISTER, "read the register of quality complaints", "查看质量投诉登记",
                                      unit="own"),
    "quality_complaints.open": Action(QUALITY_INTAKE, "register a quality complaint", "登记质量投诉"),
    "visits.read": Action(VISIT_REGISTER, "read the customer visit register", "查看客户拜访登记", unit="own"),
    "visits.plan": Action(VISIT_PLANNERS, "plan customer visits", "制定客户拜访计划", unit="own"),
    "visits.end_plan": Action(("customer_dept", "admin"), "end a customer visit plan", "结束客户拜访计划", unit="own"),
    "penalties.read": Action(STAFF, "read the penalty register", "查看处罚台账", rules=("own_penalty",),
                             every=PENALTY_READERS, unit="own"),
    "penalties.decide": Action(("service_manager",), "confirm or waive a penalty", "确认或免除处罚"),
    "penalties.find": Action(("service_manager", "customer_dept"), "record a finding for a penalty",
                             "登记违规（提出处罚）"),
    "penalties.fund": Action(("service_manager", "admin"), "record spending from the reward fund", "登记快乐基金支出"),
    # Told when a confirmation raises a flag (a notice, and the flags above the inbox): domain.md, "Penalties".
    "penalties.flags": Action(("general_manager",), "be told of the penalty flags", "获知处罚预警"),
    # deadlines, KPIs and reports
    "calendar.read": Action(STAFF, "read the working-day calendar", "查看工作日历"),
    "calendar.edit": Action(ADMIN, "keep the working-day calendar", "维护工作日历"),
    # the customer department compiles the KPIs and the monthly report: it reads them (domain.md)
    "kpis.read": Action(UNIT_KPI_READERS, "read the KPIs", "查看考核指标", unit="own"),
    "kpis.enter_deliveries": Action(ADMIN, "enter a month's deliveries", "录入月度交车台数"),
    "reports.read": Action(UNIT_KPI_READERS, "read the monthly report", "查看月度报告", unit="own"),
    "reports.start": Action(ADMIN, "start a month's report procedure", "开启月度报告流程"),
    "deliveries.read": Action(KPI_READERS, "read the delivery register", "查看交车登记"),
    "deliveries.enter": Action(DELIVERY_CLERKS, "enter or import deliveries", "录入或导入交车登记"),
    # organisation units: who sees what is the `unit` of the actions above
    "units.read": Action(STAFF, "read the organisation units", "查看组织机构"),
    "users.set_unit": Action(ADMIN, "set a person's organisation unit", "设置人员所属组织机构"),
}

# The action whose readers read every record of a procedure's cases (instances.read's reads_records).
RECORDS_OF_PROCEDURE = {"complaint": "complaints.read_ledger", "return_authorization": "returns.read_register",
                        "callback": "callbacks.read_log", "monthly_report": "reports.read",
                        "quality_complaint": "quality_complaints.read", "customer_visit": "visits.read"}


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
    "managed_case": Rule(_managed_case),
    "own_task": Rule(_own_task),
    # a task given to the person outside their roles (a manager taking late work over)
    "held_by_me": Rule(lambda user, task: task.claimed_by_id is not None and task.claimed_by_id == user.id),
    # the start event's role, or its roles (a return is raised by a branch's engineer or by a dealer)
    "start_lane": Rule(lambda user, version: version.start_lane is not None
                       and any(role in user.roles for role in version.start_lane.split())),
    "worked_on": Rule(_worked_on),
    "reads_records": Rule(_reads_records),
    "responsible_department": Rule(lambda user, complaint: complaint.responsible_role in departments_of(user),
                                   lambda user: Complaint.responsible_role.in_(departments_of(user))),
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
    "api.list_loaners": "loaners.read",
    "api.get_loaner": "loaners.read",
    "api.lend_loaner": "loaners.lend",
    "api.return_loaner": "loaners.lend",
    "api.list_callbacks": "callbacks.read_log",
    "api.get_callback": "callbacks.read_log",
    "api.callback_advisors": "callbacks.read_figures",
    "api.callback_week": "callbacks.read_week",
    "api.list_quality_complaints": "quality_complaints.read",
    "api.get_quality_complaint": "quality_complaints.read",
    "api.open_quality_complaint": "quality_complaints.open",
    "api.list_visit_plans": "visits.read",
    "api.create_visit_plan": "visits.plan",
    "api.get_visit_plan": "visits.read",
    "api.end_visit_plan": "visits.end_plan",
    "api.list_customer_visits": "visits.read",
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
    "api.monthly_report_status": "reports.read",
    "api.start_monthly_report": "reports.start",
    "api.list_penalties": "penalties.read",
    "api.get_penalty": "penalties.read",
    "api.penalty_people": "penalties.read",
    "api.penalty_flags": "penalties.flags",
    "api.record_finding": "penalties.find",
    "api.confirm_penalty": "penalties.decide",
    "api.waive_penalty": "penalties.decide",
    "api.record_fund_spending": "penalties.fund",
    "api.list_units": "units.read",
    "api.set_user_unit": "users.set_unit",
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
    "loaners.register": "loaners.read",
    "loaners.lend": "loaners.lend",
    "loaners.give_back": "loaners.lend",
    "records.callback_log": "callbacks.read_log",
    "records.callback": "callbacks.read_log",
    "reports.callback_week": "callbacks.read_week",
    "reports.callback_week_file": "callbacks.read_week",
    "records.quality_complaints_page": "quality_complaints.read",
    "records.quality_complaint": "quality_complaints.read",
    "records.new_quality_complaint": "quality_complaints.open",
    "visits.register": "visits.read",
    "visits.plans": "visits.read",
    "visits.new_plan": "visits.plan",
    "visits.plan": "visits.read",
    "visits.end_plan": "visits.end_plan",
    "reports.monthly": "reports.read",
    "reports.monthly_file": "reports.read",
    "reports.start_monthly": "reports.start",
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
    "admin.units_page": "users.set_unit",
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


# ----------------------------------------------------------------------------- units
def units_below(user: User, action: str) -> list[int] | None:
    """The units whose objects `user` may do `action` on: None for every unit (an action for all
    units, a person of the group, a role of ALL_UNITS), else the user's unit and the units below
    it (none for a person without a unit). Read once per request and person."""
    if ACTIONS[action].unit == "all" or user.roles.intersection(ALL_UNITS) or \
            (user.unit is not None and user.unit.parent_id is None):
        return None
    if user.unit_id is None:
        return []
    known = getattr(user, "_units_below", None)
    if known is None:
        user._units_below = known = units_under(user.unit_id)
    return known


def units_under(unit_id: int) -> list[int]:
    """The unit and the units below it, in id order."""
    children: dict[int | None, list[int]] = {}
    for child, parent_id in db.session.execute(select(OrgUnit.id, OrgUnit.parent_id)):
        children.setdefault(parent_id, []).append(child)
    known, todo = [], [unit_id]
    while todo:
        found = todo.pop()
        known.append(found)
        todo.extend(children.get(found, ()))
    return sorted(known)


def unit_parts(user: User, action: str, column) -> list | None:
    """For a person seeing several units but not all (a branch with dealers below it): one condition
    per unit, for paging.paginate's `parts` (each unit read as its own range of a list's index
    beginning with unit_id, where one `unit_id IN (...)` would be read in the list's order and
    filtered). None when one condition or none does."""
    below = units_below(user, action)
    return [column == unit for unit in below] if below is not None and len(below) > 1 else None


def unit_of(obj) -> int | None:
    """The organisation unit of an object: its own, or its case's (a completed task)."""
    if hasattr(obj, "unit_id"):
        return obj.unit_id
    return obj.instance.unit_id


def in_unit(user: User, action: str, obj) -> bool:
    """Is `obj` of a unit whose objects `user` sees for `action`? (Not: it is not there for them.)"""
    below = units_below(user, action)
    return below is None or unit_of(obj) in below


def hidden(user: User | None, action: str, obj) -> bool:
    """`obj` is not to be shown to exist for `user` (404, not 403): it is of a unit they do not see."""
    return user is None or not in_unit(user, action, obj)


# ----------------------------------------------------------------------------- checks
def can(user: User | None, action: str, obj=None) -> bool:
    """May `user` do `action` (on `obj`, when given: its unit and object rules then count)?"""
    rule = ACTIONS[action]
    if user is None or not user.roles.intersection(rule.roles):
        return False
    if obj is None:
        return True
    if not in_unit(user, action, obj):
        return False
    if not rule.rules or user.roles.intersection(rule.every):
        return True
    return any(RULES[name].holds(user, obj) for name in rule.rules)


def sees_every(user: User, action: str) -> bool:
    """May `user` do `action` on every object of the units they see, whatever its object rules say?"""
    rule = ACTIONS[action]
    return can(user, action) and (not rule.rules or bool(user.roles.intersection(rule.every)))


def require(user: User | None, action: str, obj=None) -> None:
    if not can(user, action, obj):
        raise Forbidden(refusal(action))


def scope(user: User, action: str, query):
    """`query` cut down to the objects `user` may do `action` on (Forbidden if none at all): of the
    units they see (the queried table's unit_id), and by the action's object rules."""
    require(user, action)
    below = units_below(user, action)
    if below is not None:
        query = query.where(query.column_descriptions[0]["entity"].unit_id.in_(below))
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
