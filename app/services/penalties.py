"""The penalty register (处罚台账) of domain.md's "Penalties (处罚)".

Proposals. A penalty is proposed by the penalty table, `penalty_rules.dmn`, a decision table
(DMN) deployed with the procedures: it decides the amount and its unit (元 or points) from
the kind of breach, the post (role) it falls on and, for a missed deadline, the late task's
element id (so a rule can price the customer department's late monthly analysis at 200 元
without Python knowing that task). The table asked is the one of the newest
deployed version of the case's procedure (a finding without a case: of the procedure
`PENALTY_RULES_PROCEDURE`, "complaint"), so an admin changes the rules by editing the table
in a draft of that procedure (the decision-table editor) and deploying it; the next proposal
follows the new version, and each penalty keeps the version and rule that proposed it.

- An overdue record (超时记录) proposes a "missed_deadline" penalty when it is written
  (`propose_for_overdue`, called by the record's writer through its handler context, in the
  same step: the record and its proposal are kept or rolled back together). A record that
  fell on a role because nobody held the task proposes a penalty without a person: nobody
  is fined until the service manager names the person when confirming, or waives it.
- A finding (perfunctory handling, concealment, …) is entered by the service manager or the
  customer department (`record_finding`) and proposed by the same table.

Decisions: the service manager confirms (naming the person of a role-only proposal, and an
amount when the table gives a range) or waives with a reason. Nobody's pay is computed here.

Flags, per person and calendar month, counted on confirmed penalties: three or more in a
month → "50% of this month's pay" for the general manager; three or more in each of three
months in a row → "dismissal review". The staff reward fund (快乐基金) holds the confirmed
fines in 元 less what was recorded as spent from it."""
from flask import current_app
from sqlalchemy import and_, case, func, select

from .. import permissions
from ..clock import local, now
from ..engine import DecisionFailed, ScriptEngine, decide
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..i18n import N_
from ..models import (FundSpending, OrgUnit, OverdueRecord, Penalty, ProcessInstance, ProcessVersion, RefusedShipment,
                      User, UserRole)
from ..models.types import ID_MAX
from ..workdays import DIAGRAM_FUNCTIONS
from . import complaints, paging, units  # complaints: month_range (module import: runs.py imports us early)

RULES_FILE = "penalty_rules.dmn"
REFUSED_SHIPMENT_PROCEDURE = "return_authorization"  # whose table prices a refused shipment
DECISION = "penalty_rules"
FLAG_AT = 3  # confirmed penalties of one person in one calendar month
DISMISSAL_MONTHS = 3  # months in a row at FLAG_AT or more
MAX_AMOUNT = 100_000
MAX_TEXT = 2000
# The kinds of breach the table is asked about: key, English, 中文 (the table's own rules say
# what each costs; a kind the table does not know proposes 0, for the manager to set).
BREACHES = (
    ("missed_deadline", "Missed deadline", "超时未处理"),
    ("perfunctory_handling", "Perfunctory handling (customer survey)", "敷衍处理（客户部调查）"),
    ("concealment", "Concealment or false reporting", "隐瞒或虚报"),
    ("late_analysis", "Analysis handed in late", "分析报告迟交"),
    ("cover_up", "A department manager covering up", "部门经理包庇"),
    ("unauthorised_shipment", "Unauthorised return shipment", "未经批准返厂"),
    ("other_breach", "Other breach", "其他违规"),
)
STATUSES = ("proposed", "confirmed", "waived")
SOURCES = ("overdue", "finding", "refused_shipment")
# An unauthorised return shipment (domain.md): the posts of the branch it came from that answer for it.
SHIPMENT_POSTS = ("branch_manager", "branch_engineer")
UNITS = {"yuan": ("yuan", "元"), "points": ("points", "分")}
NEWEST_FIRST = paging.Sort("-proposed", ((Penalty.proposed_at, True), (Penalty.id, True)))


# ----------------------------------------------------------------------------- proposing
def rules_version(process_key: str | None) -> ProcessVersion | None:
    """The newest deployed version of the procedure that carries the penalty table."""
    key = process_key or current_app.config["PENALTY_RULES_PROCEDURE"]
    for version in db.session.scalars(select(ProcessVersion).where(ProcessVersion.process_key == key)
                                      .order_by(ProcessVersion.version.desc()).limit(1)):
        return version if RULES_FILE in (version.files or {}) else None
    return None


def _ask_table(breach: str, role: str, process_key: str | None, task: str = "") -> dict:
    """amount, unit, rule and the version whose table decided; amount 0 when no table could."""
    version = rules_version(process_key)
    if version is None:
        current_app.logger.warning("no deployed version of %s carries %s: penalty proposed without an amount",
                                   process_key, RULES_FILE)
        return {"amount": 0, "unit": "yuan", "rule": None, "rules_version_id": None}
    config = current_app.config
    engine = ScriptEngine(DIAGRAM_FUNCTIONS, None, config["SCRIPT_TIME_LIMIT"], config["SCRIPT_MEMORY_LIMIT"],
                          config["SCRIPT_WORKERS"])
    try:
        decided = decide(version.files[RULES_FILE], DECISION, {"breach": breach, "role": role, "task": task}, engine)
    except DecisionFailed as err:
        current_app.logger.warning("%s of %s v%s: %s", RULES_FILE, version.process_key, version.version, err)
        decided = None
    outputs = decided.outputs if decided else {}
    amount, unit = outputs.get("amount"), outputs.get("unit")
    valid = isinstance(amount, (int, float)) and not isinstance(amount, bool) and 0 <= amount <= MAX_AMOUNT
    return {"amount": int(amount) if valid else 0, "unit": unit if unit in UNITS else "yuan",
            "rule": f"{version.process_key} v{version.version} {decided.rule_id}"[:128] if decided and decided.rule_id
            else None, "rules_version_id": version.id}


def propose_for_overdue(record: OverdueRecord) -> Penalty:
    """The missed-deadline penalty of an overdue record, written with it (app/handlers/overdue.py
    through HandlerContext.propose_penalty)."""
    instance = db.session.get(ProcessInstance, record.instance_id)
    penalty = Penalty(month=record.month, person_id=record.person_id, role=record.role or "",
                      breach="missed_deadline", source="overdue", overdue_record_id=record.id,
                      instance_id=record.instance_id, business_key=record.business_key, status="proposed",
                      note="", proposed_at=now(),
                      **_ask_table("missed_deadline", record.role or "", instance.process_key if instance else None,
                                   record.task_name or ""))
    db.session.add(penalty)
    db.session.flush()
    return penalty


def _holder(unit_id: int | None, role: str) -> User | None:
    """The one active person holding `role` in the unit (or, when it has none, in the units above it
    below the group: a dealer's branch); None when nobody or several do (the manager names one)."""
    while unit_id is not None:
        unit = db.session.get(OrgUnit, unit_id)
        if unit is None or unit.parent_id is None:
            return None
        found = list(db.session.scalars(select(User).join(UserRole, UserRole.user_id == User.id)
                                        .where(User.unit_id == unit_id, User.active.is_(True), UserRole.role == role)
                                        .limit(2)))
        if found:
            return found[0] if len(found) == 1 else None
        unit_id = unit.parent_id
    return None


def propose_for_refused_shipment(refusal: RefusedShipment, unit_id: int | None) -> list[Penalty]:
    """Goods shipped back without an approved application (services/returns.py refused them at the
    door): the branch manager and the local engineer of the unit they came from are proposed for the
    "unauthorised_shipment" breach, priced by the penalty table (domain.md: 200–500 元, 20 points).
    A post nobody (or several people) holds there is proposed naming nobody, for the manager."""
    month = local(refusal.arrived_at).strftime("%Y-%m")
    serials = ", ".join(str(s) for s in refusal.serial_numbers or [])
    note = f"#{refusal.id} {refusal.branch} {refusal.model} × {refusal.quantity}" + (f" ({serials})" if serials else "")
    proposed = []
    for role in SHIPMENT_POSTS:
        person = _holder(unit_id, role)
        penalty = Penalty(month=month, person_id=person.id if person else None, role=role,
                          breach="unauthorised_shipment", source="refused_shipment", business_key=refusal.rma_number,
                          status="proposed", note=note[:MAX_TEXT], proposed_at=now(), unit_id=unit_id,
                          **_ask_table("unauthorised_shipment", role, REFUSED_SHIPMENT_PROCEDURE))
        db.session.add(penalty)
        proposed.append(penalty)
    db.session.flush()
    return proposed


def record_finding(user: User, body: dict) -> Penalty:
    """A breach found by the service manager or the customer department, proposed by the table:
    {"person", "breach", "note", optional "role" (one of the person's), "month", "case"}."""
    permissions.require(user, "penalties.find")
    problems = {}
    person = _person(body.get("person"), problems, "person", required=True)
    breach = body.get("breach")
    if breach not in {key for key, _, _ in BREACHES}:
        problems["breach"] = [N_("must be one of %(choices)s", choices=", ".join(key for key, _, _ in BREACHES))]
    note = _text(body.get("note"), problems, "note", required=True)
    month = _month(body.get("month"), problems)
    role = body.get("role")
    if person is not None:
        if role in (None, ""):
            held = sorted(person.roles)
            if len(held) == 1:
                role = held[0]
            else:
                problems["role"] = [N_("the person holds several posts: name the one the breach falls on "
                                       "(%(roles)s)", roles=", ".join(held))]
        elif role not in person.roles:
            problems["role"] = [N_("must be one of the person's posts (%(roles)s)", roles=", ".join(sorted(person.roles)))]
    instance = None
    case_key = body.get("case")
    if case_key not in (None, ""):
        instance = db.session.scalar(select(ProcessInstance).where(ProcessInstance.business_key == str(case_key))
                                     .limit(1)) if isinstance(case_key, str) and len(case_key) <= 64 else None
        if instance is None:
            problems["case"] = [N_("no case has this number")]
    if problems:
        raise ValidationFailed(N_("the finding was not recorded"), problems)
    penalty = Penalty(month=month, person_id=person.id, role=role, breach=breach, source="finding",
                      instance_id=instance.id if instance else None,
                      business_key=instance.business_key if instance else None, status="proposed", note=note,
                      proposed_at=now(), proposed_by_id=user.id,
                      unit_id=instance.unit_id if instance else person.unit_id,  # the case's unit, or the person's
                      **_ask_table(breach, role, instance.process_key if instance else None))
    db.session.add(penalty)
    db.session.flush()
    return penalty


def _person(value, problems: dict, field: str, required: bool = False) -> User | None:
    if value in (None, ""):
        if required:
            problems[field] = [N_("is required: the username of the person")]
        return None
    person = db.session.scalar(select(User).where(User.username == value)) if isinstance(value, str) else None
    if person is None or not person.active:
        problems[field] = [N_("no active user has this username")]
        return None
    return person


def _month(value, problems: dict) -> str:
    """The month a finding or a spending belongs to (YYYY-MM; this month when not given)."""
    month = value or local(now()).strftime("%Y-%m")
    try:
        complaints.month_range(month if isinstance(month, str) else "")
    except ValidationFailed as err:
        problems.update(err.fields)
    return month


def _text(value, problems: dict, field: str, required: bool = False, missing=None) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        problems[field] = [N_("must be text")]
    elif required and not text:
        problems[field] = [missing or N_("is required")]
    elif len(text) > MAX_TEXT:
        problems[field] = [N_("must be at most %(max)s characters", max=MAX_TEXT)]
    return text


# ----------------------------------------------------------------------------- deciding
def get(user: User, penalty_id) -> Penalty:
    penalty = db.session.get(Penalty, penalty_id) if isinstance(penalty_id, int) and 0 < penalty_id <= ID_MAX else None
    if penalty is None or permissions.hidden(user, "penalties.read", penalty):
        raise NotFound(N_("no such penalty"))  # another unit's is not shown to exist
    permissions.require(user, "penalties.read", penalty)
    return penalty


def _proposed(user: User, penalty_id: int) -> Penalty:
    permissions.require(user, "penalties.decide")
    penalty = db.session.scalar(select(Penalty).where(Penalty.id == penalty_id).with_for_update()) \
        if 0 < penalty_id <= ID_MAX else None
    if penalty is None:
        raise NotFound(N_("no such penalty"))
    if penalty.status != "proposed":
        raise Conflict(N_("the penalty was decided already (%(status)s)", status=penalty.status))
    return penalty


def confirm(user: User, penalty_id: int, body: dict) -> Penalty:
    """Confirmed by the service manager; {"person"} names who answers for a role-only proposal,
    {"amount"} sets another amount (a range in the rules, a kind the table prices at 0)."""
    penalty = _proposed(user, penalty_id)
    problems = {}
    person = _person(body.get("person"), problems, "person", required=penalty.person_id is None)
    if person is not None and penalty.person_id not in (None, person.id):
        problems["person"] = [N_("the penalty already names its person")]
    amount = body.get("amount", penalty.amount)
    if amount in (None, ""):
        amount = penalty.amount
    if isinstance(amount, str) and amount.strip().isdigit():
        amount = int(amount.strip())
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= MAX_AMOUNT:
        problems["amount"] = [N_("must be a whole number from 0 to %(max)s", max=MAX_AMOUNT)]
    if problems:
        raise ValidationFailed(N_("the penalty was not confirmed"), problems)
    if person is not None:
        penalty.person_id = person.id
    before = _flags_around(penalty.person_id, penalty.month)
    penalty.amount, penalty.status = amount, "confirmed"
    penalty.decided_by_id, penalty.decided_at = user.id, now()
    db.session.flush()
    raised = _flags_around(penalty.person_id, penalty.month) - before
    if raised:
        _tell(penalty, raised)
    return penalty


def _months_after(month: str, count: int) -> list[str]:
    """`month` and the count − 1 months after it."""
    year, mon = map(int, month.split("-"))
    found = []
    for _ in range(count):
        found.append(f"{year:04d}-{mon:02d}")
        year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    return found


def _flags_around(person_id: int, month: str) -> set[tuple[str, str]]:
    """The flags of one person a confirmation in `month` can change: ("pay", month) and
    ("dismissal", m) for each run of DISMISSAL_MONTHS months ending in m that holds `month`."""
    ends = _months_after(month, DISMISSAL_MONTHS)
    window = _months_before(month, DISMISSAL_MONTHS)[:-1] + ends
    counts = dict(db.session.execute(
        select(Penalty.month, func.count()).where(Penalty.person_id == person_id, Penalty.status == "confirmed",
                                                  Penalty.month.in_(window)).group_by(Penalty.month)).all())
    flags = {("pay", month)} if counts.get(month, 0) >= FLAG_AT else set()
    for end in ends:
        if all(counts.get(m, 0) >= FLAG_AT for m in _months_before(end, DISMISSAL_MONTHS)):
            flags.add(("dismissal", end))
    return flags


PAY_SUBJECT = N_("Penalty flag: %(person)s, 50%% of the pay of %(month)s")
PAY_BODY = N_("%(person)s has %(count)s confirmed penalties in %(month)s (%(flag_at)s or more in a month): "
              "50%% of this month's pay.")
DISMISSAL_SUBJECT = N_("Penalty flag: %(person)s, dismissal review")
DISMISSAL_BODY = N_("%(person)s has had %(flag_at)s or more confirmed penalties in each of the %(months)s months "
                    "to %(month)s: dismissal review.")


def _tell(penalty: Penalty, raised: set[tuple[str, str]]) -> None:
    """Tell those who are told of the flags (the general manager): a notice each (by the channel
    each chose), in the confirmation's transaction. The flags also stand above their inbox."""
    from . import notices  # not at import time: runs.py imports this module early
    person = db.session.get(User, penalty.person_id)
    name = f"{person.display_name or person.username} ({person.username})"
    told = list(db.session.scalars(
        select(User).where(User.active.is_(True), User.id.in_(
            select(UserRole.user_id).where(UserRole.role.in_(permissions.ACTIONS["penalties.flags"].roles))))
        .order_by(User.id)))
    for kind, month in sorted(raised):
        values = {"person": name, "month": month, "flag_at": FLAG_AT, "months": DISMISSAL_MONTHS,
                  "count": count_confirmed(penalty.person_id, month)}
        subject, body = (PAY_SUBJECT, PAY_BODY) if kind == "pay" else (DISMISSAL_SUBJECT, DISMISSAL_BODY)
        notices.queue_message(told, (subject, values), (body, values), f"/penalties?month={month}")
        current_app.logger.info("penalty flag %s of %s in %s told to %s", kind, person.username, month,
                                [u.username for u in told])


def count_confirmed(person_id: int, month: str) -> int:
    return int(db.session.scalar(select(func.count()).where(Penalty.person_id == person_id, Penalty.month == month,
                                                            Penalty.status == "confirmed")) or 0)


def flag_months() -> list[str]:
    """The months whose flags stand above the inbox: this one and the last (its pay is settled after it)."""
    this = local(now()).strftime("%Y-%m")
    return [this, _months_before(this, 2)[0]]


def flags(user: User, months: list[str] | None = None) -> list[dict]:
    """The people flagged in `months` (this month and the last by default), newest month first,
    as people() gives them: for those who are told of the flags (penalties.flags)."""
    permissions.require(user, "penalties.flags")
    if months is not None and len(months) > 13:
        raise ValidationFailed(N_("bad filter"), {"month": [N_("at most %(count)s months", count=13)]})
    found = []
    for month in sorted(months or flag_months(), reverse=True):
        found += [row for row in people(month) if row["pay_flag"] or row["dismissal_flag"]]
    return found


def waive(user: User, penalty_id: int, body: dict) -> Penalty:
    """Waived by the service manager, with the reason (required)."""
    penalty = _proposed(user, penalty_id)
    problems = {}
    reason = _text(body.get("reason"), problems, "reason", required=True,
                   missing=N_("a penalty is waived only with a reason: write it"))
    if problems:
        raise ValidationFailed(N_("the penalty was not waived"), problems)
    penalty.status, penalty.waive_reason = "waived", reason
    penalty.decided_by_id, penalty.decided_at = user.id, now()
    db.session.flush()
    return penalty


# ----------------------------------------------------------------------------- reading
def register(user: User, month=None, person=None, status=None, unit=None, after=None, page=1,
             per_page=50) -> paging.Page:
    """The register as `user` may read it (managers everything, staff their own), newest first.
    person "-" lists the proposals that name nobody (role-only overdue records)."""
    query = permissions.scope(user, "penalties.read", select(Penalty))
    problems = {}
    if month:
        try:
            complaints.month_range(month)
        except ValidationFailed as err:
            problems.update(err.fields)
        query = query.where(Penalty.month == month)
    if person == "-":
        query = query.where(Penalty.person_id.is_(None))
    elif person:
        query = query.where(Penalty.person_id == select(User.id).where(User.username == person).scalar_subquery())
    if status:
        if status not in STATUSES:
            problems["status"] = [N_("must be one of %(choices)s", choices=", ".join(STATUSES))]
        query = query.where(Penalty.status == status)
    if problems:
        raise ValidationFailed(N_("bad filter"), problems)
    parts, narrow = units.narrowed(user, "penalties.read", Penalty.unit_id, unit) if unit else (None, [])
    return paging.paginate(query.where(*narrow), NEWEST_FIRST, after=after, page=page, per_page=per_page, parts=parts)


def _months_before(month: str, count: int) -> list[str]:
    """`month` and the count − 1 months before it, oldest first."""
    year, mon = map(int, month.split("-"))
    found = []
    for _ in range(count):
        found.append(f"{year:04d}-{mon:02d}")
        year, mon = (year - 1, 12) if mon == 1 else (year, mon - 1)
    return found[::-1]


def people(month: str, user: User | None = None, units: list[int] | None = None) -> list[dict]:
    """Per person with a penalty in `month` (those `user` may read; everyone's for the monthly
    report, whose reader was checked): counts, confirmed 元 and points, and the flags; flagged first."""
    complaints.month_range(month)
    months = _months_before(month, DISMISSAL_MONTHS)
    confirmed = Penalty.status == "confirmed"
    query = select(Penalty.person_id, Penalty.month,
                   func.sum(case((confirmed, 1), else_=0)),
                   func.sum(case((Penalty.status == "proposed", 1), else_=0)),
                   func.sum(case((and_(confirmed, Penalty.unit == "yuan"), Penalty.amount), else_=0)),
                   func.sum(case((and_(confirmed, Penalty.unit == "points"), Penalty.amount), else_=0)))
    if user is not None:
        query = permissions.scope(user, "penalties.read", query)
    if units is not None:  # a unit's monthly report: its people's penalties
        query = query.where(Penalty.unit_id.in_(units))
    rows = db.session.execute(query.where(Penalty.month.in_(months), Penalty.person_id.is_not(None))
                              .group_by(Penalty.person_id, Penalty.month)).all()
    by_person: dict[int, dict] = {}
    for person_id, row_month, count, proposed, yuan, points in rows:
        by_person.setdefault(person_id, {})[row_month] = (int(count or 0), int(proposed or 0), int(yuan or 0),
                                                          int(points or 0))
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(by_person) or [0])))}
    found = []
    for person_id, per_month in by_person.items():
        if month not in per_month:
            continue
        count, proposed, yuan, points = per_month[month]
        pay = count >= FLAG_AT
        dismissal = all(per_month.get(m, (0,))[0] >= FLAG_AT for m in months)
        person = users[person_id]
        found.append({"person": person.username, "display_name": person.display_name, "month": month,
                      "confirmed": count, "proposed": proposed, "confirmed_yuan": yuan, "confirmed_points": points,
                      "pay_flag": pay, "dismissal_flag": dismissal})
    return sorted(found, key=lambda r: (not r["dismissal_flag"], not r["pay_flag"], -r["confirmed"], r["person"]))


def unassigned_count(user: User, month: str) -> int:
    """Proposals of the month that name nobody: role-only overdue records to assign or waive."""
    if not permissions.sees_every(user, "penalties.read"):
        return 0
    return int(db.session.scalar(select(func.count()).where(Penalty.month == month, Penalty.person_id.is_(None),
                                                           Penalty.status == "proposed")) or 0)


def fund(until_month: str | None = None) -> dict:
    """The reward fund (快乐基金): confirmed fines in 元 less the spending, up to a month's end."""
    fines = select(func.coalesce(func.sum(Penalty.amount), 0)).where(Penalty.status == "confirmed",
                                                                     Penalty.unit == "yuan")
    spent = select(func.coalesce(func.sum(FundSpending.amount), 0))
    if until_month:
        complaints.month_range(until_month)
        fines, spent = fines.where(Penalty.month <= until_month), spent.where(FundSpending.month <= until_month)
    fines_total, spent_total = int(db.session.scalar(fines)), int(db.session.scalar(spent))
    return {"fines": fines_total, "spent": spent_total, "balance": fines_total - spent_total}


def spend(user: User, body: dict) -> FundSpending:
    """Money taken out of the reward fund: {"amount" (元), "note", optional "month"}."""
    permissions.require(user, "penalties.fund")
    problems = {}
    amount = body.get("amount")
    if isinstance(amount, str) and amount.strip().isdigit():
        amount = int(amount.strip())
    if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= MAX_AMOUNT:
        problems["amount"] = [N_("must be a whole number from 1 to %(max)s", max=MAX_AMOUNT)]
    note = _text(body.get("note"), problems, "note", required=True)
    month = _month(body.get("month"), problems)
    if problems:
        raise ValidationFailed(N_("the spending was not recorded"), problems)
    entry = FundSpending(month=month, amount=amount, note=note, entered_by_id=user.id, entered_at=now())
    db.session.add(entry)
    db.session.flush()
    return entry


def as_dict(penalty: Penalty) -> dict:
    return {"id": penalty.id, "month": penalty.month, "person": penalty.person.username if penalty.person else None,
            "role": penalty.role, "breach": penalty.breach, "source": penalty.source,
            "overdue_record_id": penalty.overdue_record_id, "instance_id": penalty.instance_id,
            "business_key": penalty.business_key, "rule": penalty.rule, "amount": penalty.amount,
            "unit": penalty.unit, "status": penalty.status, "note": penalty.note,
            "waive_reason": penalty.waive_reason, "proposed_at": penalty.proposed_at,
            "proposed_by": penalty.proposed_by.username if penalty.proposed_by else None,
            "decided_by": penalty.decided_by.username if penalty.decided_by else None,
            "decided_at": penalty.decided_at}


def breach_label(key: str, lang: str) -> str:
    for known, en, zh in BREACHES:
        if known == key:
            return en if lang == "en" else zh
    return key
