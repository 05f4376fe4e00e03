"""Deploying procedure versions: validated, immutable, numbered per procedure."""
import hashlib
import re
from pathlib import Path

from sqlalchemy import func, select

from .. import forms, handlers
from ..caching import Kept
from ..engine import (SERIALIZER_VERSION, DiagramFacts, InvalidProcess, ParsedProcess, Problem, RestoredSpec,
                      decision_problems, parse_process_files, read_facts, restored_spec)
from ..errors import InvalidProcedure, NotFound, ValidationFailed
from ..extensions import db
from ..i18n import N_
from ..models import ProcessInstance, ProcessVersion
from ..roles import ROLES
from ..workdays import DIAGRAM_FUNCTIONS
from . import dryrun


def check(files: dict[str, str | bytes]) -> tuple[ParsedProcess | None, list[Problem]]:
    """Parse and judge a procedure's files; the problems say file and element."""
    try:
        parsed = parse_process_files(files)
    except InvalidProcess as err:
        return None, err.problems
    form_files = {name: text for name, text in parsed.files.items() if name.endswith(forms.SUFFIX)}
    problems = [found for name, text in form_files.items() for found in forms.problems(name, text)]
    problems += parsed.problems({forms.key_of(name) for name in form_files}, set(handlers.HANDLERS), set(ROLES),
                                set(DIAGRAM_FUNCTIONS))
    problems += _fact_problems(parsed, read_facts(parsed.files), {forms.key_of(name) for name in form_files})
    problems += decision_problems(parsed.files, set(DIAGRAM_FUNCTIONS))
    # The columns a version is stored in: an uploaded diagram may carry any id or name.
    where = Path(getattr(parsed.spec, "file", None) or "").name or None
    if len(parsed.key) > 64:
        problems.append(Problem(where, parsed.key[:64], "the process id is longer than 64 characters"))
    if len(parsed.name) > 200:
        problems.append(Problem(where, parsed.key[:64], "the process name is longer than 200 characters"))
    problems.extend(Problem(**found) for found in dryrun.file_problems(parsed.files))
    return parsed, problems


def _fact_problems(parsed: ParsedProcess, diagram: DiagramFacts, form_keys: set[str]) -> list[Problem]:
    """The earlier answers a task's page is told to show first must be of this procedure's forms."""
    found = []
    for element, task in diagram.tasks.items():
        unknown = [key for key in task.shows if key not in form_keys]
        if unknown:
            found.append(Problem(parsed.file_of.get(element), element, N_(
                "property shows names forms this procedure does not use: %(forms)s", forms=", ".join(unknown))))
    return found


def _digest(files: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return digest.hexdigest()


def deploy(files: dict[str, str | bytes], deployed_by_id: int | None = None) -> tuple[ProcessVersion, bool]:
    """(version, created): identical files already deployed as the latest version are not deployed twice."""
    parsed, problems = check(files)
    if problems:
        raise ValidationFailed(N_("the procedure is not valid"), {"files": [_describe(p) for p in problems]})
    sha = _digest(parsed.files)
    latest = latest_version(parsed.key, required=False)
    if latest is not None and latest.sha256 == sha:
        return latest, False
    failed = dryrun.failures(parsed, deployed_by_id)  # the saved test cases, each walked through the procedure
    if failed:
        raise InvalidProcedure(N_("a saved test case did not pass: nothing was deployed"), failed)
    lane, start_form = parsed.start_event()
    version = ProcessVersion(process_key=parsed.key, version=(latest.version + 1 if latest else 1),
                             name=parsed.name, files=parsed.files, sha256=sha, spec=parsed.spec_json(),
                             serializer_version=SERIALIZER_VERSION, start_lane=lane, start_form=start_form,
                             deployed_by_id=deployed_by_id)
    db.session.add(version)
    db.session.flush()
    return version, True


def _describe(problem: Problem) -> str:
    where = ":".join(part for part in (problem.file, problem.element_id) if part)
    return f"{where}: {problem.message}" if where else problem.message


# The forms a diagram names: its tasks' forms, and those whose answers a task's page shows (a form
# filled beside the diagram, such as a parcel received at the door).
FORM_REF = re.compile(r'name="(?:form|shows)"\s+value="([^"]+)"')


def procedure_files(directory: Path) -> dict[str, dict[str, str]]:
    """The procedures of a folder such as processes/: each BPMN file with every DMN file beside it
    and the forms/<form key>.form of each form its diagram names (one missing is left out: the
    check says so), and its saved test cases (`<process>.test.json`), if any."""
    decisions = {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.dmn"))}
    procedures = {}
    for bpmn in sorted(directory.glob("*.bpmn")):
        xml = bpmn.read_text(encoding="utf-8")
        named = {key for found in FORM_REF.findall(xml) for key in found.split()}
        used = [directory / "forms" / f"{key}{forms.SUFFIX}" for key in sorted(named)]
        cases = directory.glob(f"{bpmn.stem}{dryrun.TEST_CASES}")
        procedures[bpmn.stem] = {bpmn.name: xml, **decisions,
                                 **{path.name: path.read_text(encoding="utf-8") for path in used if path.is_file()},
                                 **{path.name: path.read_text(encoding="utf-8") for path in cases}}
    return procedures


_FACTS: Kept[DiagramFacts] = Kept(128)  # versions, and the drafts dry runs walk: the least recently used go


def facts(version: ProcessVersion) -> DiagramFacts:
    """What the version's diagram says of its tasks (due rules, what their pages show), read once
    per process: a version's files never change, and its digest names them."""
    return _FACTS.get(version.sha256, lambda: read_facts(version.files))


def spec(version: ProcessVersion) -> RestoredSpec:
    """The version's restored spec, once per process (its stored spec is loaded only then): what
    a request's workflow is made or loaded with. The digest names the files, the serializer
    version the stored form of their spec."""
    return restored_spec(f"{version.sha256}:{version.serializer_version}", lambda: version.spec)


def latest_version(key: str, required: bool = True) -> ProcessVersion | None:
    version = db.session.scalar(select(ProcessVersion).where(ProcessVersion.process_key == key)
                                .order_by(ProcessVersion.version.desc()).limit(1))
    if version is None and required:
        raise NotFound(N_("no procedure '%(key)s' is deployed", key=key))
    return version


def latest_versions() -> list[ProcessVersion]:
    newest = (select(ProcessVersion.process_key, func.max(ProcessVersion.version).label("v"))
              .group_by(ProcessVersion.process_key).subquery())
    return list(db.session.scalars(select(ProcessVersion).join(
        newest, (ProcessVersion.process_key == newest.c.process_key) & (ProcessVersion.version == newest.c.v))
        .order_by(ProcessVersion.process_key)))


def versions_with_counts(key: str) -> list[tuple[ProcessVersion, int]]:
    running = (select(func.count(ProcessInstance.id)).where(
        ProcessInstance.process_version_id == ProcessVersion.id,
        ProcessInstance.status.in_(("running", "waiting"))).scalar_subquery())
    rows = db.session.execute(select(ProcessVersion, running).where(ProcessVersion.process_key == key)
                              .order_by(ProcessVersion.version)).all()
    if not rows:
        raise NotFound(N_("no procedure '%(key)s' is deployed", key=key))
    return [(version, count) for version, count in rows]


def current_forms() -> dict:
    """The forms of every procedure's latest version, by key: how a field outside one case's
    version is labelled (a ledger's columns, its filters, a report's groups)."""
    found = {}
    for version in latest_versions():
        found.update(forms.of_version(version))
    return found
