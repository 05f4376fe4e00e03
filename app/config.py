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
        "LOGIN_MAX_FAILURES": int(env("LOGIN_MAX_FAILURES", "5")),
        "LOGIN_LOCK_MINUTES": int(env("LOGIN_LOCK_MINUTES", "15")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env("SESSION_COOKIE_SECURE", "0") == "1",
        "WTF_CSRF_TIME_LIMIT": None,
        "DEFAULT_LANGUAGE": env("DEFAULT_LANGUAGE", "zh-CN"),
    }
