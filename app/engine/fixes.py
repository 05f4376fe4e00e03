"""Corrections to SpiffWorkflow 3.2 behaviour that our diagrams rely on, in one place.

A parallel gateway with a single incoming flow is a pure split, yet 3.2 treats every
parallel gateway as a join: when a second token passes it (a second missed deadline in one
complaint), the tasks after the first pass are dropped from the tree, open escalations and
finished history alike. Only a gateway with several inputs must wait for them.

An event subprocess (the general manager's third-miss review of the complaint procedure) is
started in 3.2 by connecting it to the process's start in the spec itself: every later
instance of that spec — which we share between instances of a version — then starts the event
subprocess at once and never completes, waiting for an event that may never come. Triggering
adds the subprocess to the triggering instance's tree alone."""
from SpiffWorkflow.bpmn.specs.control import BpmnStartTask
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.util.task import TaskState


def _run_hook(self, my_task):
    if len(self.inputs) == 1:
        return True
    return UnstructuredJoin._run_hook(self, my_task)


def _trigger_wf(self, my_task, spec_name):
    spec = self._wf_spec.task_specs.get(spec_name)
    if self not in spec.inputs:
        # It knows the start as its input (a spec checks it has one) and the end as its output,
        # but the start does not list it among its outputs: a new instance does not start it.
        spec._connect_notify(self)
        spec.connect(self._wf_spec.end)
    child = my_task._add_child(spec, TaskState.FUTURE)
    child.triggered = True
    child.task_spec._update(child)
    return child.id


def apply() -> None:
    ParallelGateway._run_hook = _run_hook
    BpmnStartTask.trigger_wf = _trigger_wf
