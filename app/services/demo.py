"""Demo data: the organisation units (the group, two branches, a dealer) and the demo users: one
per role, named after it, password 'demo', demo_all with every role, and the second branch's
staff. Everyone is at the group (and sees every unit) but the branches' and the dealer's people."""
from sqlalchemy import select

from ..extensions import db
from ..models import OrgUnit, User
from ..models.units import ROOT_CODE
from ..roles import ROLES
from .accounts import create_user

DEMO_PASSWORD = "demo"
# code -> (中文 name, English name, kind, parent's code); the group itself comes with the schema
DEMO_UNITS = {
    "east": ("华东分公司", "East China branch", "operating_branch", ROOT_CODE),
    "southwest": ("西南分公司", "Southwest branch", "managed_branch", ROOT_CODE),
    "chengdu_dealer": ("成都XX代理商", "Chengdu XX dealer", "dealer", "southwest"),
}
# username -> (roles, unit code, 中文 label) of the demo users not at the group
BRANCH_USERS = {
    "branch_engineer": (["branch_engineer"], "east", ROLES["branch_engineer"][1]),
    "branch_manager": (["branch_manager"], "east", ROLES["branch_manager"][1]),
    "branch_engineer_b": (["branch_engineer"], "southwest", "西南分公司维修工程师"),
    "branch_manager_b": (["branch_manager"], "southwest", "西南分公司经理"),
    "dealer_agent": (["dealer_agent"], "chengdu_dealer", ROLES["dealer_agent"][1]),
}


def seed_demo_units() -> dict[str, OrgUnit]:
    units = {unit.code: unit for unit in db.session.scalars(select(OrgUnit))}
    for code, (name, name_en, kind, parent) in DEMO_UNITS.items():
        if code not in units:
            units[code] = OrgUnit(code=code, name=name, name_en=name_en, kind=kind, parent_id=units[parent].id)
            db.session.add(units[code])
            db.session.flush()
    return units


def seed_demo_users() -> int:
    units = seed_demo_units()
    existing = {user.username: user for user in db.session.scalars(select(User))}
    wanted = {key: ([key], ROOT_CODE, ROLES[key][1]) for key in ROLES} | {"demo_all": (list(ROLES), ROOT_CODE, "全部角色")}
    wanted |= BRANCH_USERS
    created = 0
    for username, (roles, unit, label) in wanted.items():
        if username not in existing:
            create_user(username, DEMO_PASSWORD, roles, display_name=f"{label} ({username})", unit=unit)
            created += 1
        elif username in BRANCH_USERS:
            existing[username].unit = units[unit]  # a demo database seeded before there were units
    return created
