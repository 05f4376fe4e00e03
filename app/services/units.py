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


# ----------------------------------------------------------------------------- a list narrowed to a unit
def choices(user: User, action: str) -> list[OrgUnit]:
    """The units a reader of `action` may narrow a list to (`?unit=`): offered to those who see every
    unit (the department, the group's supervisor); none to a branch's people, whose lists are their
    unit's already. In the tree's order of ids (the group first)."""
    if permissions.units_below(user, action) is not None:
        return []
    return list(db.session.scalars(select(OrgUnit).order_by(OrgUnit.id)))


def chosen(user: User, action: str, code) -> list[int] | None:
    """The units a list of `action`'s records is narrowed to by `?unit=` (a unit's code): that unit and
    the units below it that the reader sees; None when no code is given. A unit the reader does not
    see is refused like an unknown one."""
    if code in (None, ""):
        return None
    below = permissions.units_below(user, action)
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code)) if isinstance(code, str) else None
    if unit is None or (below is not None and unit.id not in below):
        raise ValidationFailed(N_("bad filter"), {"unit": [N_("no organisation unit with this code whose records you read")]})
    return [found for found in permissions.units_under(unit.id) if below is None or found in below]


def narrowed(user: User, action: str, column, code) -> tuple[list | None, list]:
    """A list of `action`'s records narrowed to the unit `code` names (chosen()): paging.paginate's
    `parts` and the conditions to add. With no code, the reader's own units' parts
    (permissions.unit_parts)."""
    ids = chosen(user, action, code)
    if ids is None:
        return permissions.unit_parts(user, action, column), []
    if len(ids) == 1:
        return None, [column == ids[0]]
    return [column == found for found in ids], []
