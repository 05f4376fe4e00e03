"""Text messages to customers (the apology to a dissatisfied one): `queue` writes the message in
the engine step that decided it (HandlerContext.send_text), `deliver_due` sends the pending ones
after the commit (the timer runner's every pass, `flask texts`) through the configured channel —
an SMS gateway's HTTP endpoint or a WeCom group robot — with a timeout. A failed attempt is
retried after TEXT_RETRY_SECONDS, doubling, until TEXT_MAX_ATTEMPTS; then the message is
`failed`. The outcome (sent, or failed with a plain reason) stays on the message and shows with
the callback; nothing of it touches the case."""
import json
import socket
import urllib.error
import urllib.request

from flask import current_app
from sqlalchemy import text

from ..clock import now
from ..extensions import db
from ..models import TextMessage
from . import outbox

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


def deliver_due(limit: int = 100) -> tuple[int, int]:
    """Send the pending messages that are due, each in its own transaction: (sent, failed attempts).
    With no channel configured a message fails at once (one attempt), for that reason."""
    config = current_app.config
    return outbox.deliver_due(TextMessage, _attempt, retry_seconds=config["TEXT_RETRY_SECONDS"],
                              max_attempts=config["TEXT_MAX_ATTEMPTS"] if config["TEXT_CHANNEL"] else 1,
                              limit=limit, where=(TextMessage.status == "pending",), failure=SendFailed,
                              reason=lambda err: str(err)[:300], mark=_mark)


def _attempt(message: TextMessage) -> None:
    message.channel = current_app.config["TEXT_CHANNEL"] or ""
    send(message.recipient, message.body)


def _mark(message: TextMessage, outcome: str) -> None:
    message.status = {"sent": "sent", "given_up": "failed"}.get(outcome, "pending")


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
