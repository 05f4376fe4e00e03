"""A seeded year of after-sales work (`flask seed-demo --history`), generated through the engine.

Nothing here inserts a case's rows: complaints, return applications and callbacks are started,
claimed and completed through the services the API uses (instances.start, inbox.claim,
inbox.complete, returns.receive_shipment), as the demo users, and their timers fire through the
timer runner's pass (timer_runner.run_pass); the delivery register is imported month by month
as the dealer system's CSV export (deliveries.import_csv); the service manager confirms or
waives the penalty proposals the overdue records make (penalties.confirm / waive). Each event
happens at its historical moment: the service clock (clock.set_now) moves through the months.

The driver knows no element ids. It looks at the open tasks of every case and answers each by
its FORM key: `ANSWERS` maps a form key to a function that, given the case's plan (drawn once
per case: category, severity, whether it will be late, sent back, …), says who answers, how
long after the task opened, and with what. A new diagram version with new forms needs only new
entries there; an open task whose form has no entry stops the run naming the form.

Like the timer runner, this module ends its own transactions (one per event): it lives beside
timer_runner.py, not among the services, which never commit. Deterministic for one --seed
(on one database, from the same starting state)."""
import csv
import heapq
import io
import logging
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Callable

from sqlalchemy import func, select

from . import clock
from .clock import local, service_zone
from .extensions import db
from .models import Complaint, OpenTask, Penalty, ProcessInstance, User
from .models.kpis import Delivery

REPAIR_ORDER_PREFIX = "WO"  # the seeded repair orders: WO + YYYYMM + serial
WORK_START, WORK_END = time(8, 30), time(17, 45)


class SeedError(Exception):
    """The seeding cannot go on (or must not start): the message says why."""


# ----------------------------------------------------------------------------- the texts
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = ("伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀兰", "建华",
         "志强", "海燕", "晓东", "丽华", "国庆", "文博", "雪梅", "子轩")
PLATES = ("沪A", "沪B", "沪C", "苏E", "苏A", "浙A", "浙B", "皖A")
MODELS = ("大众帕萨特", "丰田凯美瑞", "本田雅阁", "别克GL8", "日产轩逸", "奥迪A4L", "宝马3系", "比亚迪汉",
          "吉利星越L", "长安CS75", "哈弗H6", "特斯拉Model 3", "理想L7", "奔驰C级")
ADVISORS = ("张伟", "李娜", "王强", "陈静", "刘洋", "赵敏")
UNITS = ("机电车间", "钣喷车间", "快修中心")
CHANNELS = (("phone", 40), ("in_store", 22), ("online_chat", 15), ("email", 8))
CATEGORIES = (("repair_quality", 34), ("service_attitude", 16), ("parts", 18), ("warranty_claim", 14),
              ("sales", 10), ("other", 8))
DEPARTMENT = {"repair_quality": "workshop_supervisor", "service_attitude": "business_supervisor",
              "sales": "business_supervisor", "parts": "parts_manager", "warranty_claim": "claims_supervisor"}
DESCRIPTIONS = {
    "repair_quality": ("保养后发动机有异响，怠速时明显", "更换刹车片后刹车仍有尖叫声", "空调维修后仍不制冷",
                       "变速箱维修后换挡顿挫", "四轮定位后方向盘跑偏", "钣喷后左前门漆面色差明显",
                       "更换正时皮带后发动机故障灯亮"),
    "service_attitude": ("服务顾问对费用疑问不耐烦，拒绝解释", "电话预约多次无人接听", "等待交车两个多小时无人告知进度",
                         "前台接待态度冷淡，让客户自己找车"),
    "parts": ("更换的配件与原车型号不符", "配件缺货，等待超过两周", "收费配件价格高于报价单",
              "新换的蓄电池一周后亏电无法启动"),
    "warranty_claim": ("保修期内变速箱故障被拒绝索赔", "索赔申请提交一个月仍无结果", "索赔更换的水泵再次漏水"),
    "sales": ("购车时承诺的贴膜和脚垫未兑现", "提车时发现后保险杠有划痕", "贷款服务费与合同约定不符"),
    "other": ("洗车后车内物品丢失", "在停车场被剐蹭，无人负责", "客休区空调不开，环境差"),
}
REQUESTS = ("免费复查并彻底修复", "退还多收的费用", "书面道歉", "延长该部件保修期", "更换新件", "补偿误工费用", "")
RESULTS = {
    "workshop_supervisor": ("已免费返修并路试确认故障排除，向客户致歉", "重新调整并更换不合格零件，车间主管陪同交车"),
    "business_supervisor": ("已向客户当面道歉并赠送一次保养", "服务顾问已道歉，费用差额已退还"),
    "parts_manager": ("已调拨原厂配件免费更换", "已退还差价并致歉，配件加急到货已安装"),
    "claims_supervisor": ("重新提交索赔并获批准，免费维修", "索赔结果已书面告知客户并解释条款"),
}
CAUSES = ("作业未按工艺标准执行", "交车前未复检", "沟通不到位，未及时告知客户进度", "配件订货信息录入错误",
          "索赔资料不完整导致退回")
IMPROVEMENTS = ("增加交车前复检环节", "每周晨会通报并培训", "配件订货双人核对", "进度短信主动告知客户",
                "索赔资料清单化管理")


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(("先生", "女士", rng.choice(GIVEN)))


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))


def _plate(rng: random.Random) -> str:
    return rng.choice(PLATES) + "·" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(5))


def _weighted(rng: random.Random, pairs) -> str:
    return rng.choices([k for k, _ in pairs], [w for _, w in pairs])[0]


# ----------------------------------------------------------------------------- plans and answers
@dataclass
class Plan:
    """What will happen to one case, drawn when it is first seen."""
    category: str = "parts"
    severity: str = "general"
    late: bool = False  # the department misses the first round's deadline
    unclaimed: bool = False  # nobody claims the department's task (a miss falls on the role)
    send_back: bool = False  # the manager sends the first result back
    unsatisfied: bool = False  # the first callback finds the customer dissatisfied
    return_repair: bool = False
    hard_fault: bool = False
    beyond_authority: bool = False
    other_department: str = "workshop_supervisor"
    reached_after: int = 0  # callbacks: failed attempts before the customer answers (3: never)
    satisfied: bool = True  # callbacks: the customer's answer
    follow_up_satisfied: bool = True
    approve: bool = True  # return applications
    repair_late: bool = False
    rounds: dict = field(default_factory=dict)  # form key -> answers given so far


@dataclass
class Ask:
    """One task as the driver sees it: its form, its case's plan and data, when it opened."""
    rng: random.Random
    plan: Plan
    task: OpenTask
    data: dict
    opened: datetime

    @property
    def round(self) -> int:  # 0 the first time this case answers this form
        return self.plan.rounds.get(self.task.form_key, 0)

    def text(self, options) -> str:
        return self.rng.choice(options)

    def soon(self, low_hours=0.5, high_hours=6.0) -> timedelta:
        return timedelta(hours=self.rng.uniform(low_hours, high_hours))

    def before_due(self) -> timedelta:
        """Some time before the task's deadline (its due_at), or within a day or two without one."""
        if self.task.due_at is None:
            return self.soon(2, 40)
        span = (self.task.due_at - self.opened).total_seconds()
        return timedelta(seconds=max(1800.0, span * self.rng.uniform(0.15, 0.75)))

    def after_due(self) -> timedelta:
        due = self.task.due_at or self.opened
        return (due - self.opened) + timedelta(hours=self.rng.uniform(3, 70))


@dataclass
class Answer:
    user: str  # the demo user (username) who answers
    after: timedelta  # how long after the task opened
    data: dict
    claim: bool = False  # claimed by that user soon after it opened (a miss then falls on the person)
    submit: Callable | None = None  # instead of completing the task: submit(user, task, data)


def _department(ask: Ask) -> str:
    return ask.task.lane


def classify(ask: Ask) -> Answer:
    p = ask.plan
    data = {"category": p.category, "severity": p.severity, "manager_note": ask.text(
        ("请尽快联系客户并查明原因", "按流程处理，结果报我", "注意安抚客户情绪", ""))}
    if p.category == "other":
        data["other_department"] = p.other_department
    return Answer("service_manager", ask.soon(0.3, 4), data)


def follow_up_major(ask: Ask) -> Answer:
    after = ask.soon(1, 12)
    return Answer("service_manager", after, {
        "customer_contacted_at": (ask.opened + after * 0.6).isoformat(),
        "follow_up_notes": ask.text(("已电话联系客户说明处理安排", "已上门拜访客户，客户情绪稳定")),
        "within_authority": not ask.plan.beyond_authority})


def decide_major(ask: Ask) -> Answer:
    return Answer("general_manager", ask.soon(2, 20), {"gm_decision": ask.text(
        ("同意免费维修并赠送两次保养", "由服务经理牵头，三日内给客户书面答复", "同意延长该部件保修一年"))})


def handle(ask: Ask) -> Answer:
    p, first = ask.plan, ask.round == 0
    late = p.late and first
    data = {"result": ask.text(RESULTS.get(_department(ask), RESULTS["workshop_supervisor"])),
            "root_cause": ask.text(CAUSES), "improvement": ask.text(IMPROVEMENTS),
            "return_repair": p.return_repair and first}
    if ask.task.form_key.endswith("handle_repair"):
        data["hard_fault"] = p.hard_fault and first
    return Answer(_department(ask), ask.after_due() if late else ask.before_due(), data,
                  claim=not (late and p.unclaimed))


def repair_plan(ask: Ask) -> Answer:
    return Answer("technical_supervisor", ask.before_due(), {
        "repair_plan": ask.text(("拆检变速箱阀体，更换电磁阀并做自适应", "更换发动机线束并升级控制单元程序")),
        "return_repair": ask.plan.return_repair}, claim=True)


def confirm(ask: Ask) -> Answer:
    if ask.plan.send_back and ask.round == 0:
        return Answer("service_manager", ask.soon(1, 10), {"confirmation": "send_back", "confirmation_reason": ask.text(
            ("根本原因分析不充分，请补充", "未附客户确认，请与客户沟通后再报", "整改措施不具体"))})
    return Answer("service_manager", ask.soon(1, 10), {"confirmation": "approve"})


def complaint_callback(ask: Ask) -> Answer:
    happy = not (ask.plan.unsatisfied and ask.round == 0)
    return Answer("customer_dept", ask.soon(3, 30), {
        "problem_solved": happy, "callback_satisfied": happy,
        "callback_remarks": "客户表示满意" if happy else ask.text(("客户认为问题未彻底解决", "客户对处理结果不认可"))})


def sign_close(ask: Ask) -> Answer:
    return Answer("general_manager", ask.soon(2, 30), {"close_remarks": ask.text(("同意结案", "同意，注意跟进整改", ""))})


def vehicle_release(ask: Ask) -> Answer:
    after = ask.soon(24, 72)
    return Answer("workshop_supervisor", after, {"released_at": (ask.opened + after - timedelta(hours=1)).isoformat()})


def escalation(ask: Ask) -> Answer:
    # the level above the late task's holder: the escalation's own lane (its role's demo user)
    return Answer(ask.task.lane, ask.soon(0.5, 5), {
        "escalation_action": "urge_department",
        "escalation_notes": ask.text(("已电话催促责任部门今日内处理", "已约谈部门主管，要求立即处理"))})


def callback_escalation(ask: Ask) -> Answer:
    return Answer(ask.task.lane, ask.soon(0.5, 5), {
        "callback_escalation_action": "urge",
        "callback_escalation_notes": ask.text(("请今日内完成回访", "客户较重要，请优先回访"))})


def dissatisfied(ask: Ask) -> Answer:
    return Answer(ask.task.lane, ask.soon(1, 8), {"dissatisfied_action": "rehandle"})


def repeated_overdue(ask: Ask) -> Answer:
    return Answer("general_manager", ask.soon(4, 30), {"review_notes": ask.text(
        ("已约谈，本月绩效按制度处理", "责任人已书面检讨，下月重点跟踪"))})


def call(ask: Ask) -> Answer:
    p = ask.plan
    reached = ask.round >= p.reached_after
    data = {"reached": reached, "callback_remarks": "" if reached else "无人接听"}
    if reached:
        good = "good" if p.satisfied else "poor"
        data |= {"repair_quality": good if p.satisfied else ask.text(("fair", "poor")),
                 "service_quality": ask.text(("good", "good", "fair")) if p.satisfied else good,
                 "satisfied": p.satisfied}
    # The clerk calls on the due day (its due_at) or the working day before.
    return Answer("customer_dept", ask.before_due(), data)


def apologise(ask: Ask) -> Answer:
    return Answer("customer_dept", ask.soon(0.2, 2), {
        "apology": "已代表公司向客户致歉", "complaint_description": ask.text(
            ("维修后故障依旧，客户要求重新检修", "客户认为收费过高，要求解释", "交车时间一再拖延")),
        "customer_request": ask.text(REQUESTS)})


def follow_up_call(ask: Ask) -> Answer:
    satisfied = ask.plan.follow_up_satisfied
    return Answer("customer_dept", ask.before_due(), {"follow_up_reached": True, "follow_up_satisfied": satisfied,
                                                      "follow_up_remarks": "" if satisfied else "客户反映仍有小问题"})


def confirm_return(ask: Ask) -> Answer:
    return Answer("field_service_supervisor", ask.soon(1, 20), {"confirm_decision": "confirm"})


def withdraw_return(ask: Ask) -> Answer:
    """The standing offer to withdraw before shipment: never taken in the seeded year (the goods
    arrive first and the offer goes with the wait)."""
    return Answer("branch_engineer", timedelta(days=60), {"withdraw_reason": "客户已自行修复"})


def review_return(ask: Ask) -> Answer:
    if ask.plan.approve:
        return Answer("branch_manager", ask.soon(1, 20), {"review_decision": "approve"})
    return Answer("branch_manager", ask.soon(1, 20), {"review_decision": "reject", "review_reason": "本地可修，无需返厂"})


def approve_return(ask: Ask) -> Answer:
    return Answer("department_head", ask.soon(1, 20), {"approval_decision": "approve"})


def note_rejection(ask: Ask) -> Answer:
    return Answer("branch_engineer", ask.soon(1, 24), {"rejection_remarks": "已知悉"})


def _receive(user, task: OpenTask, data: dict):
    from .models import ReturnAuthorization
    from .services import returns
    request = db.session.scalar(select(ReturnAuthorization).where(ReturnAuthorization.instance_id == task.instance_id))
    returns.receive_shipment(user, {**data, "rma_number": request.number, "branch": request.branch})


def receive_goods(ask: Ask) -> Answer:
    after = ask.soon(48, 120)
    serials = ask.data.get("serial_numbers") or []
    return Answer("logistics_clerk", after, {
        "received_at": (ask.opened + after - timedelta(minutes=20)).isoformat(), "received_quantity": len(serials),
        "received_model": ask.data.get("model", ""), "received_serials": serials, "receipt_remarks": ""},
        submit=_receive)


def check_warranty(ask: Ask) -> Answer:
    return Answer("logistics_clerk", ask.soon(1, 8), {"inspection_notes": "外观完好，序列号清晰"})


def repair_units(ask: Ask) -> Answer:
    late = ask.plan.repair_late and ask.round == 0
    return Answer("repair_technician", ask.after_due() if late else ask.soon(2, 20),
                  {"repair_work": ask.text(("更换主板", "更换电源模块", "重焊接口并清洁")), "parts_used": "主板 x1"},
                  claim=True)


def aging(ask: Ask) -> Answer:
    return Answer("repair_technician", ask.soon(20, 26), {"aging_hours": 24, "aging_passed": True}, claim=True)


def quality_check(ask: Ask) -> Answer:
    return Answer("repair_technician", ask.soon(1, 6), {"qc_passed": True, "qc_notes": ""}, claim=True)


def review_late_units(ask: Ask) -> Answer:
    """The Wednesday/Saturday review of a late repair: a new date agreed for every late unit."""
    agreed = (ask.opened + timedelta(days=5)).date().isoformat()
    return Answer("repair_technician", ask.soon(1, 6), {
        "late_decisions": {serial: "new_date" for serial in ask.data.get("late_units") or []},
        "agreed_date": agreed, "loaner_serial": "", "review_notes": "已与客户约定新交期"})


def ship_back(ask: Ask) -> Answer:
    after = ask.soon(4, 30)
    return Answer("logistics_clerk", after, {"shipped_at": (ask.opened + after).isoformat(),
                                             "waybill_number": f"SF{ask.rng.randrange(10**11, 10**12)}",
                                             "shipping_remarks": ""})


# form key -> who answers, when and with what. The one table to extend when a diagram gets new forms.
ANSWERS: dict[str, Callable[[Ask], Answer]] = {
    "complaint.classify": classify,
    "complaint.follow_up": follow_up_major,
    "complaint.major_decision": decide_major,
    "complaint.handle": handle,
    "complaint.handle_repair": handle,
    "complaint.repair_plan": repair_plan,
    "complaint.confirm": confirm,
    "complaint.callback": complaint_callback,
    "complaint.close": sign_close,
    "complaint.vehicle_release": vehicle_release,
    "complaint.escalation": escalation,
    "complaint.dissatisfied": dissatisfied,
    "complaint.repeated_overdue": repeated_overdue,
    "callback.call": call,
    "callback.complaint": apologise,
    "callback.follow_up": follow_up_call,
    "callback.escalation": callback_escalation,
    "return_authorization.confirm": confirm_return,
    "return_authorization.withdraw": withdraw_return,
    "return_authorization.review": review_return,
    "return_authorization.approve": approve_return,
    "return_authorization.rejection_notice": note_rejection,
    "return_authorization.receive": receive_goods,
    "return_authorization.warranty_check": check_warranty,
    "return_authorization.repair": repair_units,
    "return_authorization.aging": aging,
    "return_authorization.quality_check": quality_check,
    "return_authorization.ship_back": ship_back,
    "return_authorization.late_review": review_late_units,
}


# ----------------------------------------------------------------------------- the year
@dataclass
class Sizes:
    months: int = 12
    per_month: int = 15  # complaints taken in per month (besides those callbacks open)
    seed: int = 2026

    @property
    def deliveries(self) -> int:  # a complaint rate of about 2-3%
        return self.per_month * 40

    @property
    def callbacks(self) -> int:  # delivered repairs called back (procedure 3) per month
        return max(2, self.per_month // 2)

    @property
    def returns(self) -> int:  # return applications per month
        return max(1, self.per_month // 10)


def months_before(today: date, count: int) -> list[date]:
    """The first days of the `count` whole months before today's month, oldest first."""
    first = today.replace(day=1)
    found = []
    for _ in range(count):
        first = (first - timedelta(days=1)).replace(day=1)
        found.append(first)
    return found[::-1]


def existing_history(first: datetime, last: datetime) -> tuple[int, int]:
    """Complaints received and repair orders delivered within [first, last): (complaints, deliveries)."""
    complaints = db.session.scalar(select(func.count()).where(Complaint.received_at >= first,
                                                              Complaint.received_at < last))
    deliveries = db.session.scalar(select(func.count()).where(Delivery.delivered_at >= first,
                                                              Delivery.delivered_at < last))
    return int(complaints or 0), int(deliveries or 0)


class Year:
    """The event loop: every event at its moment, the timers fired in between at theirs."""

    def __init__(self, sizes: Sizes, echo: Callable[[str], None] = lambda line: None):
        self.sizes, self.echo = sizes, echo
        self.rng = random.Random(sizes.seed)
        self.queue: list = []
        self.serial = 0
        self.plans: dict[int, Plan] = {}
        self.seen_tasks: set[str] = set()
        self.seen_penalties: set[int] = set()
        self.users: dict[str, User] = {}
        self.counts = {"complaints": 0, "callbacks": 0, "returns": 0, "deliveries": 0, "completions": 0,
                       "timer_passes": 0, "confirmed": 0, "waived": 0}
        self.bad_stretch: tuple[str, set[str]] = ("", set())

    # -- time
    def at(self, moment: datetime, kind: str, *payload) -> None:
        if moment <= self.stop:
            self.serial += 1
            heapq.heappush(self.queue, (moment, self.serial, kind, payload))

    def working(self, moment: datetime) -> datetime:
        """`moment`, or the next working time when it falls outside office hours."""
        from .workdays import is_working_day
        moment = local(moment)
        for _ in range(30):
            day = moment.date()
            if is_working_day(day) and WORK_START <= moment.timetz().replace(tzinfo=None) <= WORK_END:
                return moment
            if is_working_day(day) and moment.timetz().replace(tzinfo=None) < WORK_START:
                return datetime.combine(day, WORK_START, service_zone()) + timedelta(minutes=self.rng.randrange(5, 60))
            moment = datetime.combine(day + timedelta(days=1), time(0, 0), service_zone())
        return moment

    def user(self, username: str) -> User:
        if username not in self.users:
            found = db.session.scalar(select(User).where(User.username == username))
            if found is None:
                raise SeedError(f"no user {username!r}: run `flask seed-demo` first")
            self.users[username] = found
        return self.users[username]

    # -- planning
    def plan_complaint(self, month: str) -> Plan:
        rng = self.rng
        stretch_role, stretch_months = self.bad_stretch
        category = _weighted(rng, CATEGORIES)
        if month in stretch_months and rng.random() < 0.35:
            category = next(c for c, role in DEPARTMENT.items() if role == stretch_role)
        role = DEPARTMENT.get(category, "")
        late_chance = 0.75 if month in stretch_months and role == stretch_role else 0.12
        severity = "major" if rng.random() < 0.12 else "general"
        return Plan(category=category, severity=severity, late=rng.random() < late_chance,
                    unclaimed=rng.random() < 0.15, send_back=rng.random() < 0.15,
                    unsatisfied=rng.random() < 0.12,
                    return_repair=category == "repair_quality" and rng.random() < 0.3,
                    hard_fault=category == "repair_quality" and rng.random() < 0.25,
                    beyond_authority=rng.random() < 0.5,
                    other_department=rng.choice(("workshop_supervisor", "business_supervisor")))

    def plan_callback(self) -> Plan:
        rng = self.rng
        reached_after = rng.choices((0, 1, 2, 3), (78, 10, 5, 7))[0]
        return Plan(reached_after=reached_after, satisfied=rng.random() < 0.88,
                    follow_up_satisfied=rng.random() < 0.93)

    def plan_for(self, instance: ProcessInstance) -> Plan:
        if instance.id not in self.plans:  # started by another case (a callback, a callback's complaint)
            if instance.process_key == "complaint":
                self.plans[instance.id] = self.plan_complaint(local(clock.now()).strftime("%Y-%m"))
            elif instance.process_key == "callback":
                self.plans[instance.id] = self.plan_callback()
            else:
                self.plans[instance.id] = Plan()
        return self.plans[instance.id]

    def schedule_month(self, first: date) -> None:
        rng, sizes = self.rng, self.sizes
        start = datetime.combine(first, time(0, 0), service_zone())
        end = datetime.combine((first + timedelta(days=32)).replace(day=1), time(0, 0), service_zone())
        days = (end - start).days
        month = first.strftime("%Y-%m")

        def moment(day_from=0, day_to=None) -> datetime:
            day = rng.randrange(day_from, day_to or days)
            return start + timedelta(days=day, minutes=rng.randrange(8 * 60 + 30, 17 * 60 + 30))
        for index in range(sizes.per_month):  # spread over the month: one in each equal part of it
            received = moment(index * days // sizes.per_month, max(index * days // sizes.per_month + 1,
                                                                   (index + 1) * days // sizes.per_month))
            channel = _weighted(rng, CHANNELS)
            plan = self.plan_complaint(month)
            vehicle = f"{_plate(rng)} {rng.choice(MODELS)}"
            intake = {"received_at": received.isoformat(), "channel": channel, "customer_name": _person(rng),
                      "contact_phone": _phone(rng), "vehicle": vehicle,
                      "description": rng.choice(DESCRIPTIONS[plan.category]), "customer_request": rng.choice(REQUESTS)}
            self.at(self.working(received + timedelta(minutes=rng.randrange(5, 90))), "complaint", intake, plan)
        orders = []
        for number in range(1, sizes.deliveries + 1):
            delivered = moment(0, days - 1)
            promised = delivered + timedelta(hours=rng.choice((-6, -2, 1, 2, 4, 8, 24)) if rng.random() < 0.1
                                             else rng.uniform(0.5, 30))
            completed = delivered - timedelta(hours=rng.uniform(0.5, 20))
            promised_completion = completed + (timedelta(hours=rng.uniform(0.2, 24)) if rng.random() < 0.92
                                               else -timedelta(hours=rng.uniform(1, 30)))
            estimate = round(rng.uniform(300, 9000), -1)
            final = estimate * (rng.uniform(0.93, 1.09) if rng.random() < 0.85 else rng.uniform(1.12, 1.6))
            orders.append({"工单号": f"{REPAIR_ORDER_PREFIX}{first:%Y%m}{number:04d}", "车牌号": _plate(rng),
                           "客户姓名": _person(rng), "部门": rng.choice(UNITS), "服务顾问": rng.choice(ADVISORS),
                           "约定交车时间": f"{local(promised):%Y-%m-%d %H:%M}",
                           "交车时间": f"{local(delivered):%Y-%m-%d %H:%M}",
                           "约定竣工时间": f"{local(promised_completion):%Y-%m-%d %H:%M}",
                           "竣工时间": f"{local(completed):%Y-%m-%d %H:%M}",
                           "估价": f"{estimate:.2f}", "结算金额": f"{final:.2f}", "_delivered": delivered})
        for order in rng.sample(orders, min(sizes.callbacks, len(orders))):
            start_data = {"source": "delivery", "source_ref": order["工单号"], "customer_name": order["客户姓名"],
                          "contact_phone": _phone(rng), "subject": order["车牌号"],
                          "repair_summary": rng.choice(("常规保养", "更换刹车片", "空调检修", "钣金喷漆", "更换轮胎")),
                          "picked_up_at": order["_delivered"].isoformat()}
            self.at(self.working(order["_delivered"] + timedelta(hours=rng.uniform(0.5, 4))), "callback", start_data)
        for _ in range(sizes.returns):
            quantity = rng.choice((1, 1, 1, 2, 3))
            model = rng.choice(("XR-200", "XR-300", "TK-80"))
            request = {"branch": rng.choice(("华东分公司", "华南分公司", "华北分公司")), "model": model,
                       "quantity": quantity,
                       "serial_numbers": [f"SN{first:%y%m}{rng.randrange(10000, 99999)}" for _ in range(quantity)],
                       "fault_description": rng.choice(("开机无显示", "通电后反复重启", "接口无输出", "噪音大")),
                       "purchase_date": (first - timedelta(days=rng.randrange(30, 300))).isoformat(),
                       "warranty_card": True, "dealer_seal": True, "customer_name": _person(rng),
                       "contact_phone": _phone(rng)}
            plan = Plan(approve=rng.random() < 0.85, repair_late=rng.random() < 0.25)
            self.at(self.working(moment(0, days - 5)), "return", request, plan)
        imported = datetime.combine(local(end - timedelta(days=1)).date(), time(20, 30), service_zone())
        self.at(imported, "deliveries", [{k: v for k, v in o.items() if not k.startswith("_")} for o in orders])

    # -- running
    def run(self, today: date, stop: datetime) -> dict:
        from .services import deployments
        for key in ("complaint", "callback", "return_authorization"):
            if deployments.latest_version(key) is None:
                raise SeedError(f"the procedure {key!r} is not deployed: run `flask deploy` first")
        self.stop = stop
        firsts = months_before(today, self.sizes.months)
        first = datetime.combine(firsts[0], time(0, 0), service_zone())
        last = datetime.combine(today.replace(day=1), time(0, 0), service_zone())
        complaints, deliveries = existing_history(first, last)
        if complaints or deliveries:
            raise SeedError(f"history exists already: {complaints} complaints received and {deliveries} repair "
                            f"orders delivered from {firsts[0]:%Y-%m} to {firsts[-1]:%Y-%m}; nothing seeded "
                            "(seed the history into a database without cases in those months)")
        stretch_role = self.rng.choice(sorted(set(DEPARTMENT.values())))
        at = self.rng.randrange(0, max(1, len(firsts) - 2))
        self.bad_stretch = (stretch_role, {f.strftime("%Y-%m") for f in firsts[at:at + 3]})
        for month_first in firsts:
            self.schedule_month(month_first)
        try:
            while self.queue:
                moment, _, kind, payload = heapq.heappop(self.queue)
                self.fire_timers_until(moment)
                clock.set_now(moment)
                getattr(self, "do_" + kind)(*payload)
                db.session.commit()
                self.look()
            self.fire_timers_until(stop)
        finally:
            db.session.rollback()
            clock.set_now(None)
        return self.counts

    def fire_timers_until(self, moment: datetime) -> None:
        from .services import timers
        from .timer_runner import run_pass
        previous = None
        while True:
            due = timers.earliest()
            db.session.rollback()
            if due is None or due > moment:
                return
            if previous is not None and due <= previous:
                raise SeedError(f"a timer due at {due.isoformat()} does not fire (an instance in error?)")
            clock.set_now(due)
            run_pass()
            self.counts["timer_passes"] += 1
            previous = due
            self.look()

    def look(self) -> None:
        """Schedule the answers of the tasks that opened and the decisions on new penalty proposals."""
        # The open tasks are few at any moment (a department's inbox): read their ids, load the new ones.
        new = [i for i in db.session.scalars(select(OpenTask.id)) if i not in self.seen_tasks]
        tasks = db.session.scalars(select(OpenTask).where(OpenTask.id.in_(new))
                                   .order_by(OpenTask.created_at, OpenTask.instance_id, OpenTask.task_name)).all() \
            if new else []
        for task in tasks:
            self.seen_tasks.add(task.id)
            instance = task.instance
            answer_of = ANSWERS.get(task.form_key)
            if answer_of is None:
                raise SeedError(f"no answers for the form {task.form_key!r} (task {task.task_name} of "
                                f"{instance.process_key} v{instance.version.version}, case "
                                f"{instance.business_key or instance.id}): add them to ANSWERS in app/history_seed.py")
            plan = self.plan_for(instance)
            opened = task.created_at
            answer = answer_of(Ask(self.rng, plan, task, dict(instance.data or {}), opened))
            plan.rounds[task.form_key] = plan.rounds.get(task.form_key, 0) + 1
            when = self.working(opened + answer.after)
            if answer.claim:
                self.at(self.working(opened + timedelta(minutes=self.rng.randrange(10, 120))), "claim",
                        task.id, answer.user)
            self.at(max(when, opened + timedelta(minutes=1)), "answer", task.id, task.form_key, answer)
        proposals = db.session.scalars(select(Penalty).where(Penalty.status == "proposed").order_by(Penalty.id)).all()
        for penalty in (p for p in proposals if p.id not in self.seen_penalties):
            self.seen_penalties.add(penalty.id)
            waive = self.rng.random() < 0.2 or not penalty.role
            when = self.working(penalty.proposed_at + timedelta(hours=self.rng.uniform(20, 80)))
            self.at(when, "decide", penalty.id, waive)
        db.session.rollback()

    # -- the events
    def do_complaint(self, intake: dict, plan: Plan) -> None:
        from .services import instances
        instance = instances.start(self.user("customer_dept"), "complaint", intake)
        self.plans[instance.id] = plan
        self.counts["complaints"] += 1

    def do_callback(self, start_data: dict) -> None:
        from .services import instances
        instance = instances.start(self.user("customer_dept"), "callback", start_data)
        self.plans[instance.id] = self.plan_callback()
        self.counts["callbacks"] += 1

    def do_return(self, request: dict, plan: Plan) -> None:
        from .services import instances
        instance = instances.start(self.user("branch_engineer"), "return_authorization", request)
        self.plans[instance.id] = plan
        self.counts["returns"] += 1

    def do_claim(self, task_id: str, username: str) -> None:
        from .services import inbox
        task = db.session.get(OpenTask, task_id)
        if task is not None and task.claimed_by_id is None:
            inbox.claim(self.user(username), task_id)

    def do_answer(self, task_id: str, form_key: str, answer: Answer) -> None:
        from .errors import ServiceError
        from .services import inbox
        task = db.session.get(OpenTask, task_id)
        if task is None:
            return  # gone meanwhile: an escalation closed by the work it was about, a cancelled case
        user = self.user(answer.user)
        if task.claimed_by_id not in (None, user.id):
            user = db.session.get(User, task.claimed_by_id)
        try:
            if answer.submit is not None:
                answer.submit(user, task, answer.data)
            else:
                inbox.complete(user, task_id, answer.data)
        except ServiceError as err:
            fields = getattr(err, "fields", None)
            raise SeedError(f"the form {form_key!r} of case {task.instance.business_key or task.instance_id} was "
                            f"refused: {err.message}{f' {fields}' if fields else ''}") from err
        self.counts["completions"] += 1

    def do_decide(self, penalty_id: int, waive: bool) -> None:
        from .services import penalties
        penalty = db.session.get(Penalty, penalty_id)
        if penalty is None or penalty.status != "proposed":
            return
        manager = self.user("service_manager")
        if waive:
            penalties.waive(manager, penalty_id, {"reason": self.rng.choice(
                ("客户原因导致延误，经核实免予处罚", "系统故障导致超时", "已与客户协商延期"))})
            self.counts["waived"] += 1
        else:
            body = {} if penalty.person_id else {"person": penalty.role}  # the role's demo user answers for it
            penalties.confirm(manager, penalty_id, body)
            self.counts["confirmed"] += 1

    def do_deliveries(self, rows: list[dict]) -> None:
        from .services import deliveries
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        deliveries.import_csv(self.user("customer_dept"), out.getvalue().encode("utf-8-sig"))
        self.counts["deliveries"] += len(rows)


def seed_year(sizes: Sizes, echo: Callable[[str], None] = lambda line: None) -> dict:
    """Generate `sizes.months` whole months of work before the current month; raises SeedError."""
    real_now = datetime.now(service_zone())
    quiet = logging.getLogger()  # a year of steps would log every task of it
    level = quiet.level
    quiet.setLevel(max(level, logging.WARNING))
    try:
        return Year(sizes, echo).run(real_now.date(), real_now - timedelta(minutes=10))
    finally:
        quiet.setLevel(level)
