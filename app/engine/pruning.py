"""Finished history off the engine's task tree: the tree keeps what the running case needs.

SpiffWorkflow 3.2 follows a loop's back-edge by growing its task tree: each round of a
complaint sent back adds ~8 levels under the last. `is_descendant_of`, `find_ancestor` and
the parallel gateway's `remove_ancestor` recurse once per level (RecursionError near round
122), the task iterator stops descending at depth 1,000 (open tasks past it vanish), and
every round is serialized and loaded again on each step (+4 KiB per round).

Three ways out were weighed:

- Resetting the workflow to the loop's entry task instead of following the back-edge
  (`reset_from_task_id`) drops the round's data unless passed by hand, restarts the
  entry's timers and needs each loop's entry found in the diagram: a second engine beside
  the engine, and a diagram drawn tomorrow may loop through a gateway we did not foresee.
- Running each round as a call activity whose state is dropped when it ends asks every
  process owner to draw loops that way, and a loop they draw otherwise still overflows.
- Pruning completed tasks that nothing alive needs, chosen here: it works on any diagram
  after any step, and the engine runs on exactly as before, since what it reads of the tree
  stays in the tree.

WorkflowRun prunes after every engine step (start, completion, timers) and on loading a
state (one saved before pruning existed is made shallow before anything runs on it).

What the running case needs, and so stays: every unfinished task (ready, waiting, started,
predicted), its parent (a task takes its data from its parent when it becomes ready; a
ready task's parent is where migration resets it from), the direct children of an
unfinished task (its spec syncs them; not a cycle timer's, which are the paths it started
each period and are never synced), the children of an event split (a boundary event
join finds "the main task" among the split's children), the split a structured join looks
for, the arrivals a waiting join (parallel, inclusive) has gathered since it last fired
with their parents (whose data it merges), the root and each workflow's `last_task` (a
subprocess hands its last task's data back). A completed subprocess task that goes takes
its subprocess with it.

Everything else is dropped and each kept task hangs under its nearest kept ancestor, so
ancestry among kept tasks is unchanged (`is_descendant_of`, `find_ancestor` answer as
before) while the depth no longer grows with rounds. One thing changes on purpose: a
parallel join inside a loop no longer counts the arrivals of earlier rounds (3.2 did, and
fired early in round 2), since those have gone when it waits again. The process's end is such
a join too, merging the data of every branch that ended (an escalation of a missed deadline,
each period's visit of a visit plan whose cycle timer runs for years) into the process's data
when the last one arrives: each ended branch's data is folded into one map in the root's
internal data (`ended_data`, merged in the order they ended) and the branch's two tasks go, so
a case that ends branch after branch keeps a bounded state; the end join merges that map first,
then what arrived since, as 3.2 would have merged the branches themselves.

What the dropped tasks were is kept, bounded: the names of the elements they completed, per
process, in the root's internal data (`went_through`), for the diagram's marks and for
migration (an element done in an earlier round still refuses a version that removes it).
Each round's details live in the task records the service keeps per completed task."""
from SpiffWorkflow.bpmn.specs.control import EventSplit, _EndJoin
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

MEMORY_KEY = "went_through"  # root internal data: {process spec name: [task spec names completed]}
ENDED_KEY = "ended_data"  # a (sub)workflow root's internal data: the data of its ended branches, folded


def went_through(workflow) -> dict[str, list[str]]:
    """The task spec names of completed tasks pruned so far, per process spec name."""
    return workflow.task_tree.internal_data.get(MEMORY_KEY, {})


def prune(workflow) -> list[tuple]:
    """Drop the finished tasks of `workflow` (a top-level BpmnWorkflow) and its subprocesses that
    nothing alive needs; return the completed tasks dropped with their depth in the tree they
    left, (task, depth), for a caller keeping a trail."""
    dropped = []
    for sub in list(workflow.subprocesses.values()):
        dropped += _prune_tree(sub)
    dropped += _prune_tree(workflow)
    dropped += _drop_subprocesses(workflow, {t.id for t, _ in dropped})
    if dropped:
        memory = {name: list(specs) for name, specs in went_through(workflow).items()}
        for task, _ in dropped:
            names = memory.setdefault(task.workflow.spec.name, [])
            if task.task_spec.name not in names:
                names.append(task.task_spec.name)
        workflow.task_tree.internal_data[MEMORY_KEY] = memory
    return dropped


def _drop_subprocesses(top, dropped_ids: set) -> list:
    """The subprocesses of dropped tasks go too, with those nested in them; their completed
    tasks are returned to be remembered."""
    completed, gone = [], dropped_ids & set(top.subprocesses)
    while gone:
        inner = set()
        for task_id in gone:
            sub = top.subprocesses.pop(task_id)
            for task in sub.tasks.values():
                top.event_manager.remove_task(task)
                if task.state == TaskState.COMPLETED:
                    completed.append((task, 0))
                inner.add(task.id)
        gone = inner & set(top.subprocesses)
    return completed


def _ancestors(task):
    """Ancestors of `task`, nearest first, without recursion (an old state may be deep)."""
    parent = task.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _needed(wf) -> set:
    live = [t for t in wf.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
    keep = {wf.task_tree.id}
    if wf.last_task is not None:
        keep.add(wf.last_task.id)
    joins = {}
    for task in live:
        keep.add(task.id)
        if not isinstance(getattr(task.task_spec, "event_definition", None), CycleTimerEventDefinition):
            keep.update(task._children)  # a cycle timer's children are each period's path: not synced, they may go
        if task._parent is not None:
            keep.add(task._parent)
        split = getattr(task.task_spec, "split_task", None)
        if split:
            found = next((a for a in _ancestors(task) if a.task_spec.name == split), None)
            if found is not None:
                keep.add(found.id)
        if isinstance(task.task_spec, UnstructuredJoin):
            joins.setdefault(task.task_spec, []).append(task)
    for spec, waiting in joins.items():
        if isinstance(spec, _EndJoin):
            continue  # the branches that ended are folded (_fold_ended), not kept
        instances = [t for t in wf.tasks.values() if t.task_spec is spec]
        fired = max((t.last_state_change for t in instances if t.state == TaskState.COMPLETED), default=None)
        behind = {a.id for t in waiting for a in _ancestors(t)}
        for task in instances:
            if task.id in behind or (fired is not None and task.last_state_change <= fired):
                continue
            keep.add(task.id)
            if task._parent is not None:
                keep.add(task._parent)
    for task_id in list(keep):
        task = wf.tasks.get(task_id)
        if task is not None and isinstance(task.task_spec, EventSplit):
            keep.update(task._children)
    return keep


def _fold_ended(wf, keep: set) -> None:
    """The data of the branches that ended before the process's end join waits again (its earlier
    arrivals, finished), folded in the order they ended into the root's `ended_data`: the arrivals
    and their end events are dropped after this."""
    ended = sorted((t for t in wf.tasks.values() if isinstance(t.task_spec, _EndJoin)
                    and t.has_state(TaskState.FINISHED_MASK) and t.id not in keep and t.parent is not None),
                   key=lambda t: t.last_state_change)
    if not ended or not any(isinstance(t.task_spec, _EndJoin) and not t.has_state(TaskState.FINISHED_MASK)
                            for t in wf.tasks.values()):
        return  # the process ended: nothing waits to merge them any more
    folded = wf.task_tree.internal_data.get(ENDED_KEY) or {}
    for task in ended:
        DeepMerge.merge(folded, task.parent.data)
    wf.task_tree.internal_data[ENDED_KEY] = folded


def _end_join_run_hook(self, my_task):
    """The end join merges the folded data of the branches that ended first (see _fold_ended)."""
    folded = my_task.workflow.task_tree.internal_data.get(ENDED_KEY)
    if folded:
        DeepMerge.merge(my_task.data, folded)
    return _library_end_join_run_hook(self, my_task)


_library_end_join_run_hook = _EndJoin._run_hook


def apply() -> None:
    _EndJoin._run_hook = _end_join_run_hook


def _prune_tree(wf) -> list:
    keep = _needed(wf)
    _fold_ended(wf, keep)
    if len(keep) == len(wf.tasks):
        return []
    root = wf.task_tree
    children = {root.id: []}
    dropped = []
    stack = [(child, root.id, 1) for child in reversed(root.children)]
    while stack:  # depth first, children in order: each kept task under its nearest kept ancestor
        task, above, depth = stack.pop()
        if task.id in keep:
            task._parent = above
            children[above].append(task.id)
            children[task.id] = []
            above = task.id
        else:
            dropped.append((task, depth))
        stack.extend((child, above, depth + 1) for child in reversed(task.children))
    for task_id, kids in children.items():
        wf.tasks[task_id]._children = kids
    for task, _ in dropped:
        del wf.tasks[task.id]
        wf.top_workflow.event_manager.remove_task(task)
    return [(t, depth) for t, depth in dropped if t.state == TaskState.COMPLETED]
