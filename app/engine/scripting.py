"""The script engine every workflow runs with: restricted scripts, and service tasks
dispatched to our handlers with their real errors kept."""
import json
from typing import Any, Callable

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine

from .sandbox import RestrictedEnvironment


class ServiceTaskFailed(Exception):
    def __init__(self, operation: str, task_name: str, cause: Exception):
        super().__init__(f"service task '{task_name}' ({operation}) failed: {cause}")
        self.operation, self.task_name, self.cause = operation, task_name, cause


# (operation name, evaluated parameters, task data, element id) -> JSON-safe result
ServiceCaller = Callable[[str, dict, dict, str], Any]


class ScriptEngine(PythonScriptEngine):
    def __init__(self, functions: dict, call_service: ServiceCaller | None, time_limit: float = 1.0,
                 memory_limit_mib: int = 256, workers: int = 2):
        super().__init__(environment=RestrictedEnvironment(
            functions, time_limit=time_limit, memory_limit=memory_limit_mib * 2**20, workers=workers))
        self._call_service = call_service

    def call_service(self, task, operation_name=None, operation_params=None, **kwargs):
        # 3.2.0's own call_service hides a handler's error behind a NameError.
        name = task.task_spec.bpmn_id
        if self._call_service is None:
            raise ServiceTaskFailed(operation_name, name, RuntimeError("no service handlers configured"))
        params = {key: p["value"] for key, p in (operation_params or {}).items()}
        try:
            result = self._call_service(operation_name, params, task.data, name)
        except ServiceTaskFailed:
            raise
        except Exception as err:  # reported with the task, never swallowed
            raise ServiceTaskFailed(operation_name, name, err) from err
        return json.dumps(result, default=str)
