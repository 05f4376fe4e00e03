"""Text messages to customers (the apology to a dissatisfied one): `queue` writes the message in
the engine step that decided it (HandlerContext.send_text), `deliver_due` sends the pending ones
after the commit (the timer runner's every pass, `flask texts`) through the configured channel —
an SMS gateway's HTTP endpoint or a WeCom group robot — with a timeout. A failed attempt is
retried after TEXT_RETRY_SECONDS, doubling, until TEXT_MAX_ATTEMPTS; then the message is
`failed`. The outcome (sent, or failed with a plain reason) stays on the message and shows with
the callback; nothing of it touches the case."""
import json
import logging
import socket
import urllib.error
import urllib.request
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, text

from ..clock import now
from ..extensions import db
from ..models import TextMessage

log = logging.getLogger(__name__)
CHANNELS = ("sms", "wecom")


class SendFailed(Exception):
    """A plain reason the channel did not take the message (kept on the message, shown to staff)."""


def queue(recipient: str, body: str, callback_id: int | None = None, instance_id: int | None = None,
          purpose: str = "apology") -> int:
    message = TextMessage(callback_id=callback_id, instance_id=instance_id, purpose=purpose, recipient=recipient,
                          body=body, status="pending", attempts=0, created_at=now(), next_attempt_at=now())
    db.session.add(message)
    db.session.flush()
    if db.session.get_bind().dialect.name == "postgresql":
        from .runs import TIMERS_CHANNEL  # the sleeping timer runner wakes when this commits
        db.session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": TIMERS_CHANNEL})
    return message.id


def _next_due(done: set[int]) -> TextMessage | None:
    query = (select(TextMessage).where(TextMessage.status == "pending", TextMessage.next_attempt_at <= now(),
                                       TextMessage.id.not_in(done or [0]))
             .order_by(TextMessage.next_attempt_at, TextMessage.id).limit(1))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # several runners: each message to one of them
    return db.session.scalar(query.execution_options(populate_existing=True))


def deliver_due(limit: int = 100) -> tuple[int, int]:
    """Send the pending messages that are due, each in its own transaction: (sent, failed attempts)."""
    config = current_app.config
    sent = failed = 0
    done: set[int] = set()
    for _ in range(limit):
        message = _next_due(done)
        if message is None:
            db.session.rollback()
            break
        done.add(message.id)
        message.attempts += 1
        message.channel = config["TEXT_CHANNEL"] or ""
        try:
            send(message.recipient, message.body)
        except SendFailed as err:
            failed += 1
            message.last_error = str(err)[:300]
            if message.attempts >= config["TEXT_MAX_ATTEMPTS"] or not config["TEXT_CHANNEL"]:
                message.status, message.next_attempt_at = "failed", None
                log.error("text message %s given up after %s attempt(s): %s", message.id, message.attempts, err)
            else:
                wait = config["TEXT_RETRY_SECONDS"] * 2 ** (message.attempts - 1)
                message.next_attempt_at = now() + timedelta(seconds=wait)
                log.warning("text message %s failed (attempt %s), retrying in %s s: %s", message.id,
                            message.attempts, wait, err)
        else:
            sent += 1
            message.status, message.sent_at, message.next_attempt_at, message.last_error = "sent", now(), None, None
        db.session.commit()
    return sent, failed


def send(recipient: str, body: str) -> None:
    """One attempt through the configured channel; SendFailed with a plain reason otherwise."""
    config = current_app.config
    channel = config["TEXT_CHANNEL"]
    if channel == "sms" and config["TEXT_SMS_URL"]:
        url, payload = config["TEXT_SMS_URL"], {"phone": recipient, "text": body}
        headers = {"Authorization": f"Bearer {config['TEXT_SMS_TOKEN']}"} if config["TEXT_SMS_TOKEN"] else {}
    elif channel == "wecom" and config["TEXT_WECOM_URL"]:
        url, headers = config["TEXT_WECOM_URL"], {}
        payload = {"msgtype": "text", "text": {"content": f"{body}\n（客户电话 {recipient}）",
                                               "mentioned_mobile_list": [recipient]}}
    else:
        raise SendFailed("no text-message channel is configured (TEXT_CHANNEL with TEXT_SMS_URL or TEXT_WECOM_URL)")
    request = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                                     headers={"Content-Type": "application/json; charset=utf-8", **headers},
                                     method="POST")
    timeout = config["TEXT_TIMEOUT_SECONDS"]
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            raw = answer.read(65536)
    except urllib.error.HTTPError as err:
        raise SendFailed(f"the {channel} gateway answered HTTP {err.code}") from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise SendFailed(f"the {channel} gateway did not answer within {timeout:g} s") from None
        raise SendFailed(f"the {channel} gateway could not be reached ({type(reason).__name__})") from None
    try:
        reply = json.loads(raw or b"{}")
    except ValueError:
        reply = {}
    # WeCom answers 200 with an errcode; an SMS gateway may answer {"ok": false} or a non-zero code.
    if isinstance(reply, dict) and (reply.get("errcode", 0) not in (0, "0") or reply.get("ok") is False
                                    or reply.get("code", 0) not in (0, "0", 200, "OK", "ok")):
        detail = str(reply.get("errmsg") or reply.get("message") or reply.get("code") or "")[:100]
        raise SendFailed(f"the {channel} gateway refused the message: {detail}")
