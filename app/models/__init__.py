"""All tables, imported here so that Alembic and create_all see every one."""
from .callbacks import Callback, CallbackAttempt, TextMessage
from .complaints import Complaint, RecordCounter
from .deadlines import CalendarDay, OverdueRecord
from .drafts import ProcessDraft
from .kpis import Delivery, MonthlyDeliveries  # noqa: F401  (KPIs: the delivery register, the old monthly number)
from .processes import OpenTask, ProcessInstance, ProcessVersion, TaskRecord
from .returns import RefusedShipment, ReturnAuthorization, ReturnUnit
from .users import ApiToken, User, UserRole

__all__ = ["ApiToken", "CalendarDay", "OverdueRecord", "Complaint", "OpenTask", "ProcessInstance", "ProcessVersion",
           "RecordCounter", "TaskRecord", "User", "UserRole",
           "Callback", "CallbackAttempt", "RefusedShipment", "ReturnAuthorization", "ReturnUnit"]
__all__ += ["ProcessDraft"]
from .health import RunnerHeartbeat  # noqa: E402  (the timer runner's last pass, for /healthz)

__all__ += ["RunnerHeartbeat"]
from .casefiles import CaseAttachment, CaseComment  # noqa: E402  (comments and attachments on a case)

__all__ += ["CaseAttachment", "CaseComment"]
from .notices import Notice  # noqa: E402  (the outbox of task notices, e-mail and WeCom)

__all__ += ["Notice"]
from .task_drafts import TaskDraft  # noqa: E402  (drafts of task forms, per task and person)

__all__ += ["TaskDraft"]
from .lists import SavedFilter  # noqa: E402  (a person's saved filters of a list page)

__all__ += ["SavedFilter"]
from .penalties import FundSpending, Penalty  # noqa: E402  (the penalty register and the reward fund)

__all__ += ["FundSpending", "Penalty"]
from .units import OrgUnit  # noqa: E402  (organisation units: the group, branches, stores, dealers)

__all__ += ["OrgUnit"]

from .monthly_reports import MonthlyReport, ReportFile  # noqa: E402  (the monthly report procedure, frozen files)

__all__ += ["MonthlyReport", "ReportFile"]

__all__ += ["TextMessage"]  # the text messages to customers (the callback's apology)

from .quality_complaints import QualityComplaint  # noqa: E402  (the register of quality complaints, 8D)

__all__ += ["QualityComplaint"]

from .customer_visits import CustomerVisit, VisitPlan  # noqa: E402  (customer visit plans and their visits)

__all__ += ["CustomerVisit", "VisitPlan"]

from .loaners import Loaner  # noqa: E402  (the loaner register: spare units lent during a late repair)

__all__ += ["Loaner"]
from .callbacks import CallbackWeekReport  # noqa: E402  (the weekly callback reports sent, one per week)

__all__ += ["CallbackWeekReport"]
