"""Configuration from environment variables, with defaults that are safe to run as they are."""
import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _secret_key(instance_path: Path) -> str:
    # A key generated once and kept beside the database survives restarts without
    # anyone having to invent one; production sets SECRET_KEY explicitly.
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def from_environment(instance_path: Path) -> dict:
    env = os.environ.get
    production = env("ENVIRONMENT", "development") == "production"
    database_url = env("DATABASE_URL") or f"sqlite:///{instance_path / 'aftersales.sqlite'}"
    return {
        "SECRET_KEY": _secret_key(instance_path),
        # "production" refuses the demo users; the default is a demo/development install.
        "ENVIRONMENT": env("ENVIRONMENT", "development"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SERVICE_TIMEZONE": env("SERVICE_TIMEZONE", "Asia/Shanghai"),
        "PROCESSES_DIR": env("PROCESSES_DIR", str(ROOT / "processes")),
        "SCRIPT_TIME_LIMIT": float(env("SCRIPT_TIME_LIMIT", "1.0")),  # seconds, wall time
        "SCRIPT_MEMORY_LIMIT": int(env("SCRIPT_MEMORY_LIMIT", "256")),  # MiB of a script worker
        "SCRIPT_WORKERS": int(env("SCRIPT_WORKERS", "2")),  # script workers per app process
        "TOKEN_TTL_HOURS": int(env("TOKEN_TTL_HOURS", "12")),
        # Sign-in throttling (README "Sign-in throttling"): a name and address pair is locked
        # for LOGIN_LOCK_MINUTES after LOGIN_MAX_FAILURES failures; an address may fail
        # LOGIN_FAILURES_PER_ADDRESS times in that window whatever the names; and a name that
        # failed LOGIN_MAX_FAILURES times in a row, from anywhere, gets one attempt every
        # LOGIN_SLOWDOWN_SECONDS until it signs in.
        "LOGIN_MAX_FAILURES": int(env("LOGIN_MAX_FAILURES", "5")),
        "LOGIN_LOCK_MINUTES": int(env("LOGIN_LOCK_MINUTES", "15")),
        "LOGIN_FAILURES_PER_ADDRESS": int(env("LOGIN_FAILURES_PER_ADDRESS", "30")),
        "LOGIN_SLOWDOWN_SECONDS": int(env("LOGIN_SLOWDOWN_SECONDS", "10")),
        # How many reverse proxies (nginx) stand in front: their X-Forwarded-For names the client.
        "TRUSTED_PROXIES": int(env("TRUSTED_PROXIES", "0")),
        # Cookies: never readable by scripts, not sent along with cross-site posts, and over
        # HTTPS only in production (the default there; a plain-HTTP development run opts out).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env("SESSION_COOKIE_SECURE", "1" if production else "0") == "1",
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # Sent on every answer unless debugging or testing (app/web/__init__.py).
        "STRICT_TRANSPORT_SECURITY": env("STRICT_TRANSPORT_SECURITY", "max-age=31536000; includeSubDomains"),
        # Every request body; procedure uploads declare their own larger limit (@upload_limit).
        "MAX_CONTENT_LENGTH": int(env("MAX_CONTENT_LENGTH", str(2**20))),
        # A case's attachments (PNG, JPEG, PDF), each at most this many bytes (10 MiB).
        "ATTACHMENT_MAX_BYTES": int(env("ATTACHMENT_MAX_BYTES", str(10 * 2**20))),
        # Where Flask-Limiter counts (memory:// is per process; redis://... shares the counts).
        "RATELIMIT_STORAGE_URI": env("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_STRATEGY": "moving-window",
        "WTF_CSRF_TIME_LIMIT": None,
        "DEFAULT_LANGUAGE": env("DEFAULT_LANGUAGE", "zh-CN"),
        # The procedure whose newest version's penalty_rules.dmn prices a finding that names no case
        # (a case's own procedure prices the others: app/services/penalties.py).
        "PENALTY_RULES_PROCEDURE": env("PENALTY_RULES_PROCEDURE", "complaint"),
        # The timer runner starts the monthly report procedure for the month before on the 1st
        # (app/services/monthly_reports.py); the test suite turns it off where a test does not ask.
        "MONTHLY_REPORT_AUTOSTART": env("MONTHLY_REPORT_AUTOSTART", "1") not in ("0", "false", "no"),
        # A spare unit lent during a late repair (备用机) is due back this many working days after the
        # customer's repaired unit was shipped back (app/services/loaners.py).
        "LOANER_RETURN_WORKING_DAYS": int(env("LOANER_RETURN_WORKING_DAYS", "3")),
        # Monday: the timer runner sends last week's callback report (回访周报) to its managers
        "CALLBACK_WEEK_REPORT_AUTOSEND": env("CALLBACK_WEEK_REPORT_AUTOSEND", "1") not in ("0", "false", "no"),
        # /healthz calls the timer runner stale when its last pass is older (3 × its 30 s interval + slack).
        "TIMERS_MAX_AGE_SECONDS": int(env("TIMERS_MAX_AGE_SECONDS", "120")),
        # Each worker keeps the working-day calendar an admin entered this long (a change made in
        # the same worker counts at once; in the others within this time: app/workdays.py).
        "CALENDAR_CACHE_SECONDS": float(env("CALENDAR_CACHE_SECONDS", "60")),
        # "json" lines on stderr, or "text"; unset: json unless debugging or testing.
        "LOG_FORMAT": env("LOG_FORMAT", ""),
        # Where pg_dump/pg_restore live, if not on PATH nor in /usr/lib/postgresql/*/bin.
        "PG_BIN_DIR": env("PG_BIN_DIR", ""),
        # Task notices (README "Task notices"): the badge's poll, the links in the messages,
        # the SMTP server (Flask-Mail), the hosts a WeCom robot webhook may point at, and the
        # sender's timeout and bounded retries (after NOTICE_RETRY_SECONDS, doubling).
        "INBOX_POLL_SECONDS": float(env("INBOX_POLL_SECONDS", "30")),
        "PUBLIC_BASE_URL": env("PUBLIC_BASE_URL", "http://127.0.0.1:8000"),
        "MAIL_SERVER": env("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": int(env("MAIL_PORT", "25")),
        "MAIL_USERNAME": env("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": env("MAIL_USE_TLS", "0") == "1",
        "MAIL_USE_SSL": env("MAIL_USE_SSL", "0") == "1",
        "MAIL_DEFAULT_SENDER": env("MAIL_DEFAULT_SENDER", "aftersales@localhost"),
        "MAIL_SUPPRESS_SEND": False,  # Flask-Mail would not send while testing: our tests have an SMTP server
        "WECOM_WEBHOOK_HOSTS": env("WECOM_WEBHOOK_HOSTS", "qyapi.weixin.qq.com"),
        "NOTICE_TIMEOUT_SECONDS": float(env("NOTICE_TIMEOUT_SECONDS", "10")),
        "NOTICE_MAX_ATTEMPTS": int(env("NOTICE_MAX_ATTEMPTS", "5")),
        "NOTICE_RETRY_SECONDS": int(env("NOTICE_RETRY_SECONDS", "60")),
        # Text messages to customers (the callback's apology, README "Callbacks"): TEXT_CHANNEL "sms"
        # posts {"phone", "text"} to TEXT_SMS_URL (with TEXT_SMS_TOKEN as a bearer token when set),
        # "wecom" posts a text message mentioning the phone to the WeCom group robot TEXT_WECOM_URL;
        # unset: none is sent and each is recorded as failed for that reason. Sent by the timer runner
        # with this timeout, retried after TEXT_RETRY_SECONDS (doubling) up to TEXT_MAX_ATTEMPTS.
        "TEXT_CHANNEL": env("TEXT_CHANNEL", ""),
        "TEXT_SMS_URL": env("TEXT_SMS_URL", ""),
        "TEXT_SMS_TOKEN": env("TEXT_SMS_TOKEN", ""),
        "TEXT_WECOM_URL": env("TEXT_WECOM_URL", ""),
        "TEXT_TIMEOUT_SECONDS": float(env("TEXT_TIMEOUT_SECONDS", "5")),
        "TEXT_MAX_ATTEMPTS": int(env("TEXT_MAX_ATTEMPTS", "3")),
        "TEXT_RETRY_SECONDS": int(env("TEXT_RETRY_SECONDS", "300")),
    }
