"""Evaluating one decision table (DMN) outside a diagram: a record writer asks a table a
procedure's version carries (the penalty register's `penalty_rules.dmn`) for its outputs.

The table is read by SpiffWorkflow's own DMN parser and evaluated by its DMNEngine, with our
restricted script engine, so a cell means here what it means in a business-rule task; the
deployment check (decisions.py) has judged every cell before the table could be deployed."""
import hashlib
import logging
from dataclasses import dataclass

from lxml import etree
from SpiffWorkflow.dmn.parser.BpmnDmnParser import BpmnDmnParser

from ..caching import Kept
from .parsing import _SAFE_XML

log = logging.getLogger(__name__)
_PARSED: Kept[object] = Kept(32)  # parsed tables, by their text's digest


class DecisionFailed(Exception):
    """The table could not be read or evaluated; the message says so without internals."""


@dataclass(frozen=True)
class Decided:
    outputs: dict  # output name -> value of the first matching rule ({} when none matched)
    rule_id: str | None  # the rule that gave them
    rule_row: int | None


class _Workflow:
    def __init__(self, script_engine):
        self.script_engine = script_engine


class _Task:
    """What DMNEngine reads of a task: its data and its workflow's script engine."""

    def __init__(self, data: dict, script_engine):
        self.data, self.workflow = data, _Workflow(script_engine)
        self.task_spec = None


def _engine(text: str, decision_id: str):
    key = hashlib.sha256(f"{decision_id}\0{text}".encode()).hexdigest()
    return _PARSED.get(key, lambda: _parse(text, decision_id))


def _parse(text: str, decision_id: str):
    try:
        parser = BpmnDmnParser()
        parser.add_dmn_xml(etree.fromstring(text.encode("utf-8"), _SAFE_XML))
        return parser.get_engine(decision_id, None)
    except Exception as err:  # a foreign table may trip the parser anywhere
        log.info("decision %s cannot be read: %r", decision_id, err)
        raise DecisionFailed(f"the decision table '{decision_id}' cannot be read") from None


def decide(text: str, decision_id: str, data: dict, script_engine) -> Decided:
    """The outputs of the decision `decision_id` of the DMN `text` for the input `data`, as a
    business-rule task would get them (the first matching rule's, for UNIQUE/FIRST/ANY)."""
    engine = _engine(text, decision_id)
    task = _Task(dict(data), script_engine)
    try:
        rules = engine.decide(task)
        if not rules:
            return Decided({}, None, None)
        return Decided(dict(rules[0].output_as_dict(task)), rules[0].id, rules[0].row_number)
    except Exception as err:
        log.info("decision %s failed: %r", decision_id, err)
        raise DecisionFailed(f"the decision table '{decision_id}' could not be evaluated") from None
