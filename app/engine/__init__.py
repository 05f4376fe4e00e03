"""The only package that imports SpiffWorkflow. The service layer uses what is exported here."""
from . import cycles, fixes, pruning
from .clock import use_clock
from .decisions import decision_problems
from .facts import DiagramFacts, TaskFacts, read_facts
from .migration import MigrationRefused, MigrationResult, migrate
from .parsing import InvalidProcess, ParsedProcess, Problem, parse_process_files
from .runtime import EngineError, TaskNotReady, UserTaskView, WorkflowRun
from .sandbox import UnsafeScript
from .tables import Decided, DecisionFailed, decide
from .scripting import ScriptEngine, ServiceTaskFailed
from .serialization import SERIALIZER_VERSION, RestoredSpec, restored_spec

fixes.apply()
cycles.apply()
pruning.apply()

__all__ = ["Decided", "DecisionFailed", "DiagramFacts", "EngineError", "InvalidProcess", "MigrationRefused",
           "MigrationResult", "ParsedProcess", "Problem", "RestoredSpec", "SERIALIZER_VERSION", "ScriptEngine",
           "ServiceTaskFailed", "TaskFacts", "TaskNotReady", "UnsafeScript", "UserTaskView", "WorkflowRun", "decide",
           "decision_problems", "migrate", "parse_process_files", "read_facts", "restored_spec", "use_clock"]
