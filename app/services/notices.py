"""Task notices by e-mail or WeCom robot: each person's preference, the outbox rows written in
the transaction that made a task arrive (`queue_for`, called by runs.save), and the sender that
delivers them after the commit (`deliver_due`: the timer runner's loop and `flask notices`).
Nothing here runs an outside call inside an engine step; a failed delivery is retried a bounded
number of times, logged, and never touches the case."""
import json
import re
import smtplib
import urllib.request
from urllib.parse import urlsplit

import flask_mail
from flask import current_app
from sqlalchemy import exists, select

from .. import forms, permissions
from ..clock import now
from ..errors import ValidationFailed
from ..extensions import db, mail
from flask_babel import force_locale

from ..i18n import N_, gettext
from ..models import Notice, OpenTask, ProcessInstance, User, UserRole
from . import outbox

CHANNELS = ("none", "email", "wecom")
URGED = N_("Overdue, please act now")  # the subject of a manager's urging (escalations.urge)
EMAIL = re.compile(r"^[^@\s,;<>\"'()]+@[^@\s,;<>\"'()]+\.[^@\s,;<>\"'()]+$")  # one plain address


# ----------------------------------------------------------------------------- the preference
def set_preference(user: User, channel: str, address: str) -> None:
    """Store how `user` hears of new tasks; ValidationFailed naming the field otherwise."""
    address = (address or "").strip()
    if channel not in CHANNELS:
        raise ValidationFailed(gettext("The form has errors."),
                               {"notify_by": [gettext("must be one of: none, email, wecom")]})
    problem = _address_problem(channel, address)
    if problem:
        raise ValidationFailed(gettext("The form has errors."), {"notify_to": [problem]})
    user.notify_by, user.notify_to = channel, (address if channel != "none" else None)
    db.session.flush()


def _address_problem(channel: str, address: str) -> str | None:
    if channel == "none":
        return None
    if not address:
        return gettext("is required for e-mail or WeCom notices")
    if len(address) > 500:
        return gettext("must be at most 500 characters")
    if channel == "email":
        return None if EMAIL.match(address) and len(address) <= 254 else gettext("must be an e-mail address")
    parts = urlsplit(address)
    hosts = [h.strip() for h in current_app.config["WECOM_WEBHOOK_HOSTS"].split(",") if h.strip()]
    if parts.scheme not in ("https", "http") or parts.hostname not in hosts:
        return gettext("must be a WeCom robot webhook URL (https://{host}/cgi-bin/webhook/send?key=...)").format(
            host=hosts[0] if hosts else "qyapi.weixin.qq.com")
    return None


# ----------------------------------------------------------------------------- the outbox
def _in(lang: str, text: str) -> str:
    """`text` in a person's language (a notice is written outside that person's request)."""
    with force_locale(lang.replace("-", "_")):
        return gettext(text)


def _listens():
    """Who takes notices: an active person with a channel and an address."""
    return (User.active.is_(True), User.notify_by.in_(("email", "wecom")), User.notify_to.is_not(None))


def anyone_listens():
    """Whether anybody takes notices, as a SQL expression: a step's lock read carries it
    (runs.lock_task_instance), so a step nobody hears of asks nothing more."""
    return exists().where(*_listens())


def queue_for(instance: ProcessInstance, tasks: list[OpenTask], listening: bool = True) -> None:
    """One notice per new task and per active person holding its lane with a preference (only
    the person a task opens held by, when its diagram names one), written in the caller's transaction: it is sent only if that transaction commits.
    `listening` False: the caller read in this transaction that nobody takes notices."""
    lanes = {task.lane for task in tasks if task.lane}
    if not lanes or not listening:
        return
    holders = db.session.execute(select(User, UserRole.role).join(UserRole, UserRole.user_id == User.id)
                                 .where(UserRole.role.in_(lanes), *_listens())
                                 .order_by(User.id)).all()
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    for task in tasks:
        for person, role in holders:
            if role != task.lane or task.claimed_by_id not in (None, person.id) or \
                    not permissions.in_unit(person, "tasks.list", task):  # another unit's task is not theirs
                continue
            lang = person.language if person.language in ("zh-CN", "en") else "zh-CN"
            form = forms.form_of(instance.version, task.form_key)
            title = form.title(lang) if form else task.task_name
            subject = f"{_in(lang, 'New task')}: {title} {instance.business_key or instance.id}"[:300]
            body = f"{subject}\n{base}/tasks/{task.id}"
            db.session.add(Notice(user_id=person.id, task_id=task.id, channel=person.notify_by,
                                  address=person.notify_to, subject=subject, body=body, created_at=now(),
                                  attempts=0, next_attempt_at=now()))


def queue_urge(instance: ProcessInstance, task: OpenTask, person: User, note: str = "") -> None:
    """A manager urges `person` to get on with `task` (an escalation's choice): a notice if the
    person takes notices, written in the caller's transaction like the others."""
    if not (person.active and person.notify_by in ("email", "wecom") and person.notify_to):
        return
    lang = person.language if person.language in ("zh-CN", "en") else "zh-CN"
    form = forms.form_of(instance.version, task.form_key)
    title = form.title(lang) if form else task.task_name
    subject = f"{_in(lang, URGED)}: {title} {instance.business_key or instance.id}"[:300]
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    body = "\n".join(part for part in (subject, note, f"{base}/tasks/{task.id}") if part)
    db.session.add(Notice(user_id=person.id, task_id=task.id, channel=person.notify_by, address=person.notify_to,
                          subject=subject, body=body, created_at=now(), attempts=0, next_attempt_at=now()))


def queue_message(people: list[User], subject: tuple[str, dict], body: tuple[str, dict], path: str) -> int:
    """A notice that is not about a task (a penalty flag for the general manager), to each of
    `people` who takes notices, in each one's language: `subject` and `body` are a message id
    (marked with N_) and its values; `path` is the page it points to. Written in the caller's
    transaction, sent after its commit. Returns how many were queued."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    queued = 0
    for person in people:
        if not (person.active and person.notify_by in ("email", "wecom") and person.notify_to):
            continue
        lang = person.language if person.language in ("zh-CN", "en") else "zh-CN"
        title = (_in(lang, subject[0]) % subject[1])[:300]
        text = f"{_in(lang, body[0]) % body[1]}\n{base}{path}"
        db.session.add(Notice(user_id=person.id, task_id=None, channel=person.notify_by, address=person.notify_to,
                              subject=title, body=text, created_at=now(), attempts=0, next_attempt_at=now()))
        queued += 1
    return queued


# ----------------------------------------------------------------------------- the sender
def deliver_due(limit: int = 200) -> tuple[int, int]:
    """Send the notices that are due, each in its own transaction; returns (sent, failed
    attempts). A failure is retried after NOTICE_RETRY_SECONDS, doubling, and given up after
    NOTICE_MAX_ATTEMPTS attempts; it is logged, and nothing else depends on it."""
    config = current_app.config
    return outbox.deliver_due(Notice, _send, retry_seconds=config["NOTICE_RETRY_SECONDS"],
                              max_attempts=config["NOTICE_MAX_ATTEMPTS"], limit=limit,
                              failure=Exception,  # whatever the outside does, the other notices still go
                              reason=lambda err: f"{type(err).__name__}: {err}"[:500], mark=_mark)


def _send(notice: Notice) -> None:
    (_send_email if notice.channel == "email" else _send_wecom)(notice)


def _mark(notice: Notice, outcome: str) -> None:
    if outcome == "given_up":
        notice.given_up_at = now()


class _Connection(flask_mail.Connection):
    """Flask-Mail's connection with a timeout: a silent SMTP server must not hold the sender."""

    def configure_host(self):
        kind = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = kind(self.mail.server, self.mail.port, timeout=current_app.config["NOTICE_TIMEOUT_SECONDS"])
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def _send_email(notice: Notice) -> None:
    app = current_app
    message = flask_mail.Message(notice.subject, recipients=[notice.address], body=notice.body,
                                 sender=app.config["MAIL_DEFAULT_SENDER"])
    # The MAIL_* settings as they are now (Flask-Mail's own state keeps them from start-up).
    with _Connection(mail.init_mail(app.config, app.debug, app.testing)) as connection:
        connection.send(message)


def _send_wecom(notice: Notice) -> None:
    payload = {"msgtype": "text", "text": {"content": notice.body}}
    request = urllib.request.Request(notice.address, data=json.dumps(payload, ensure_ascii=False).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=current_app.config["NOTICE_TIMEOUT_SECONDS"]) as answer:
        reply = json.loads(answer.read(65536) or b"{}")
    if not isinstance(reply, dict) or reply.get("errcode", 0) != 0:  # WeCom answers 200 with an errcode
        raise RuntimeError(f"WeCom refused the message: {str(reply)[:200]}")
