"""Corrections to SpiffWorkflow 3.2 behaviour that our diagrams rely on, in one place.

A parallel gateway with a single incoming flow is a pure split, yet 3.2 treats every
parallel gateway as a join: when a second token passes it (a second missed deadline in one
complaint), the tasks after the first pass are dropped from the tree, open escalations and
finished history alike. Only a gateway with several inputs must wait for them."""
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin


def _run_hook(self, my_task):
    if len(self.inputs) == 1:
        return True
    return UnstructuredJoin._run_hook(self, my_task)


def apply() -> None:
    ParallelGateway._run_hook = _run_hook
