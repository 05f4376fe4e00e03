"""The organisation units (组织机构) in their tree, and the unit each person belongs to (an admin sets it)."""
from sqlalchemy import select

from .. import permissions
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..i18n import N_
from ..models import OrgUnit, User
from ..models.units import KINDS, ROOT_CODE


def root_id() -> int | None:
    """The group's unit (the root): the unit of the group-level procedures the timer runner starts."""
    return db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == ROOT_CODE))


def tree(user: User) -> list[tuple[OrgUnit, int]]:
    """Every unit with its depth, each under its parent (siblings by name)."""
    permissions.require(user, "units.read")
    units = list(db.session.scalars(select(OrgUnit).order_by(OrgUnit.name, OrgUnit.id)))
    children: dict[int | None, list[OrgUnit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered, todo = [], [(unit, 0) for unit in reversed(children.get(None, []))]
    while todo:
        unit, depth = todo.pop()
        ordered.append((unit, depth))
        todo.extend((child, depth + 1) for child in reversed(children.get(unit.id, [])))
    return ordered


def unit_dict(unit: OrgUnit, depth: int, units_by_id: dict[int, OrgUnit]) -> dict:
    parent = units_by_id.get(unit.parent_id)
    return {"code": unit.code, "name": unit.name, "name_en": unit.name_en, "kind": unit.kind,
            "kind_label": KINDS.get(unit.kind, (unit.kind, unit.kind))[1], "parent": parent.code if parent else None,
            "depth": depth}


def people(user: User) -> list[User]:
    permissions.require(user, "users.set_unit")
    return list(db.session.scalars(select(User).order_by(User.username)))


def set_user_unit(user: User, username: str, code) -> User:
    """Put the person `username` in the unit with the code `code` (admins): from then on they see that
    unit's records and the units' below it."""
    permissions.require(user, "users.set_unit")
    person = db.session.scalar(select(User).where(User.username == username))
    if person is None:
        raise NotFound(N_("no user %(username)s", username=username))
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code)) if isinstance(code, str) else None
    if unit is None:
        raise ValidationFailed(N_("bad unit"), {"unit": [N_("no organisation unit has this code")]})
    person.unit = unit
    db.session.flush()
    return person
