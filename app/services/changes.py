"""What deploying a draft would change: its diagram beside the latest deployed version's (the
page draws the difference), and the running cases of the procedure that could move to it and
those that could not, with why. Judged by the engine's migration check (as services/migration.py
moves a case), on a copy loaded for the purpose: nothing is moved or stored."""
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..engine import InvalidProcess, MigrationRefused, migrate, parse_process_files
from ..errors import EngineFailure
from ..extensions import db
from ..models import ProcessDraft, ProcessInstance
from . import deployments, runs

# The cases a move takes (migration.move): running, waiting, and those an admin holds.
MOVABLE_STATUSES = ("running", "waiting", *runs.HELD)
MAX_CASES = 200  # judged one by one; beyond that the page says how many more there are


@dataclass
class Changes:
    draft_xml: str
    deployed_xml: str | None
    deployed_version: int | None
    movable: list[dict] = field(default_factory=list)    # {id, business_key, version, status, relabelled}
    unmovable: list[dict] = field(default_factory=list)  # {id, business_key, version, status, reasons: {element: why}}
    judged: bool = True   # False: the draft cannot be read, so no case was judged
    more: int = 0         # running cases beyond MAX_CASES, not judged


def main_diagram(files: dict, key: str) -> str:
    """The procedure's own BPMN text (`<key>.bpmn`, else its first BPMN file)."""
    name = f"{key}.bpmn"
    return files.get(name) or next((text for n, text in sorted(files.items()) if n.endswith(".bpmn")), "")


def of_draft(draft: ProcessDraft) -> Changes:
    latest = deployments.latest_version(draft.process_key, required=False)
    found = Changes(main_diagram(draft.files, draft.process_key),
                    main_diagram(latest.files, latest.process_key) if latest else None,
                    latest.version if latest else None)
    try:
        spec_json = parse_process_files(draft.files).spec_json()
    except InvalidProcess:
        found.judged = False
        return found
    running = (select(ProcessInstance).where(ProcessInstance.process_key == draft.process_key,
                                             ProcessInstance.status.in_(MOVABLE_STATUSES)))
    total = db.session.scalar(select(func.count()).select_from(running.subquery()))
    found.more = max(0, total - MAX_CASES)
    for instance in db.session.scalars(running.order_by(ProcessInstance.id.desc()).limit(MAX_CASES)):
        row = {"id": instance.id, "business_key": instance.business_key, "version": instance.version.version,
               "status": instance.status}
        try:
            result = migrate(runs.load(instance, None), spec_json)
        except MigrationRefused as err:
            found.unmovable.append({**row, "reasons": dict(err.reasons)})
        except EngineFailure as err:  # saved by an older serializer: it must be migrated first
            found.unmovable.append({**row, "reasons": {"-": err.message}})
        else:
            found.movable.append({**row, "relabelled": list(result.relabelled)})
    return found
