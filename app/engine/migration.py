"""Moving a running instance to another version of its procedure.

SpiffWorkflow's diff aligns the two versions' task specs and its migration swaps them in;
it does not judge whether that is safe. The policy here: an element the instance stands on
(READY, WAITING, STARTED, ERROR) or has finished must still exist and still do the same
thing. What may differ is its label, its documentation and what comes before or after it,
so that a version adding a step further on, or renaming a box, can take running cases."""
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from .pruning import went_through
from .runtime import WorkflowRun
from .serialization import REGISTRY, dump_state, load_spec, load_workflow

# Attributes whose change leaves an element doing what it did: its label and text, and its
# neighbours (an element inserted after it changes its outputs, or a gateway's targets).
_COSMETIC = {"bpmn_name", "documentation", "inputs", "outputs", "lookahead", "default_task_spec"}
_STANDING = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
_LIVE = _STANDING | TaskState.COMPLETED


class MigrationRefused(Exception):
    """The instance cannot move: `reasons` maps each element id to why."""
    def __init__(self, reasons: dict[str, str]):
        super().__init__("; ".join(f"{element}: {why}" for element, why in reasons.items()))
        self.reasons = reasons


@dataclass
class MigrationResult:
    run: WorkflowRun
    relabelled: list[str] = field(default_factory=list)  # elements that only changed label or neighbours
    kept_timers: dict[str, str] = field(default_factory=dict)  # element -> fire time kept


def _element(spec) -> str:
    # Helpers the parser adds ("handle.BoundaryEventSplit") are named after their element.
    return getattr(spec, "bpmn_id", None) or spec.name.split(".")[0]


def _behaviour(spec) -> dict:
    """A spec as a dict without what only names or places it."""
    dct = {key: value for key, value in REGISTRY.convert(spec).items() if key not in _COSMETIC}
    if "cond_task_specs" in dct:  # the conditions count, not the names of the targets
        dct["cond_task_specs"] = sorted(str(c.get("condition")) for c in dct["cond_task_specs"])
    if isinstance(dct.get("event_definition"), dict):  # a timer's name is its label
        dct["event_definition"] = {k: v for k, v in dct["event_definition"].items() if k != "name"}
    return dct


def _changes(old, new) -> list[str]:
    before, after = _behaviour(old), _behaviour(new)
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))


def _judge(diffs: list[tuple[WorkflowDiff, SpecDiff]], reasons: dict, relabelled: list) -> None:
    for workflow_diff, spec_diff in diffs:
        # Where the instance stands is the stronger reason: say it first for each element.
        for task in sorted(workflow_diff.removed, key=lambda t: not t.state & _STANDING):
            if task.state & _LIVE:
                where = "the instance stands there" if task.state & _STANDING else "the instance has done it"
                reasons.setdefault(_element(task.task_spec), f"removed in the target version, but {where}")
        for task in sorted(workflow_diff.changed, key=lambda t: not t.state & _STANDING):
            if not task.state & _LIVE:
                continue
            changed = _changes(task.task_spec, spec_diff.alignment[task.task_spec])
            if changed:
                where = "the instance stands there" if task.state & _STANDING else "the instance has done it"
                reasons.setdefault(_element(task.task_spec),
                                   f"changed in the target version ({', '.join(changed)}), but {where}")
            elif _element(task.task_spec) not in relabelled:
                relabelled.append(_element(task.task_spec))


def _judge_pruned(workflow, top: SpecDiff, new_subprocess_specs: dict, reasons: dict, relabelled: list) -> None:
    """Elements done in rounds the engine state no longer holds (pruning.py) count as done."""
    for process, names in went_through(workflow).items():
        if process == workflow.spec.name:
            old_spec, spec_diff = workflow.spec, top
        elif process in workflow.subprocess_specs and process in new_subprocess_specs:
            old_spec = workflow.subprocess_specs[process]
            spec_diff = SpecDiff(REGISTRY, old_spec, new_subprocess_specs[process])
        else:
            reasons.setdefault(process, "a subprocess the instance went through is gone from the target version")
            continue
        for name in names:
            old = old_spec.task_specs.get(name)
            if old not in spec_diff.alignment:
                continue
            new = spec_diff.alignment[old]
            if new is None:
                reasons.setdefault(_element(old), "removed in the target version, but the instance has done it")
                continue
            changed = _changes(old, new)
            if changed:
                reasons.setdefault(_element(old), f"changed in the target version ({', '.join(changed)}), but the "
                                                  "instance has done it")
            elif _element(old) not in relabelled:
                relabelled.append(_element(old))


def migrate(run: WorkflowRun, target_spec_json: str) -> MigrationResult:
    """Move `run` onto the target spec and return the moved run, or raise MigrationRefused
    (the run may then be half moved: the caller saves nothing of it)."""
    workflow = run.workflow
    if workflow.task_tree.state == TaskState.READY:  # it never ran (its start failed): made anew on the target
        return MigrationResult(WorkflowRun.create(target_spec_json, dict(workflow.task_tree.data),
                                                  workflow.script_engine))
    new_spec, new_subprocess_specs = load_spec(target_spec_json)
    try:
        top = SpecDiff(REGISTRY, workflow.spec, new_spec)
        diffs = [(WorkflowDiff(workflow, top), top)]
        sub_diffs = {}
        for sp_id, sub in workflow.subprocesses.items():
            target = new_subprocess_specs.get(sub.spec.name)
            if target is None:
                raise MigrationRefused({sub.spec.name: "a subprocess the instance entered is gone from the "
                                                       "target version"})
            spec_diff = SpecDiff(REGISTRY, sub.spec, target)
            sub_diffs[sp_id] = (WorkflowDiff(sub, spec_diff), target)
            diffs.append((sub_diffs[sp_id][0], spec_diff))
    except KeyError as err:  # an element the diff could not reach from the start event
        raise MigrationRefused({str(err).strip("'"): "the versions cannot be compared element by element"}) from None
    reasons, relabelled = {}, []
    _judge(diffs, reasons, relabelled)
    _judge_pruned(workflow, top, new_subprocess_specs, reasons, relabelled)
    if reasons:
        raise MigrationRefused(reasons)

    # The library resets READY and WAITING branches: a timer would start counting again and
    # data kept on a ready task would be lost. Keep both and put them back.
    kept = {task.id: (dict(task.internal_data), dict(task.data))
            for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)}
    migrate_workflow(diffs[0][0], workflow, new_spec)
    for sp_id, (workflow_diff, target) in sub_diffs.items():
        if sp_id in workflow.subprocesses:
            migrate_workflow(workflow_diff, workflow.subprocesses[sp_id], target)
    workflow.subprocess_specs = new_subprocess_specs
    # The reset leaves a STARTED task (a subprocess the case is inside) with the steps the old
    # version laid out after it: it would leave by the old path. Lay them out anew. (Triggered
    # children are the instances of a multi-instance task: those stay.)
    layout = TaskState.PREDICTED_MASK | TaskState.FUTURE
    for task in workflow.get_tasks(state=TaskState.STARTED):
        for child in list(task.children):
            if not child.triggered and child.has_state(layout):
                task.workflow._remove_task(child.id)
        try:
            task.task_spec._predict(task, mask=layout | TaskState.STARTED)
        except Exception as err:  # the library refuses to drop a step already under way
            raise MigrationRefused({_element(task.task_spec): f"what follows it cannot be laid out anew: {err}"}) \
                from None
    result = MigrationResult(run, relabelled)
    for task_id, (internal, data) in kept.items():
        try:
            task = workflow.get_task_from_id(task_id)
        except TaskNotFoundException:  # inside a branch the reset laid out anew
            continue
        if not task.state & (TaskState.READY | TaskState.WAITING):
            continue
        task.internal_data, task.data = internal, data
        if "event_value" in internal:
            result.kept_timers[_element(task.task_spec)] = str(internal["event_value"])

    # Whatever the reset left behind must belong to the new version, or the saved state
    # would not load again: a cancelled boundary timer the new version dropped, for one.
    stale = {_element(t.task_spec): "the instance keeps this element (it was cancelled or skipped), "
                                     "and the target version no longer has it"
             for t in workflow.get_tasks()
             if t.workflow.spec.task_specs.get(t.task_spec.name) is not t.task_spec}
    if stale:
        raise MigrationRefused(stale)
    # Save and load once here: what the service stores is then known to load.
    result.run = WorkflowRun(load_workflow(target_spec_json, dump_state(workflow), workflow.script_engine))
    return result
