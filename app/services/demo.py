"""Demo users: one per role, named after it, password 'demo', and demo_all with every role."""
from sqlalchemy import select

from ..extensions import db
from ..models import User
from ..roles import ROLES
from .accounts import create_user

DEMO_PASSWORD = "demo"


def seed_demo_users() -> int:
    existing = set(db.session.scalars(select(User.username)))
    wanted = {key: [key] for key in ROLES} | {"demo_all": list(ROLES)}
    created = 0
    for username, roles in wanted.items():
        if username not in existing:
            label = ROLES[username][1] if username in ROLES else "全部角色"
            create_user(username, DEMO_PASSWORD, roles, display_name=f"{label} ({username})")
            created += 1
    return created
