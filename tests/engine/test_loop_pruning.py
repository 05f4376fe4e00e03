"""A loop a process owner draws runs any number of rounds: the engine prunes finished rounds
(app/engine/pruning.py), so its stored state stays the size of one round, while the loop's
data carries over and a parallel join inside it still waits for both branches each round."""
from app.engine import ScriptEngine, WorkflowRun, parse_process_files

ROUNDS = 300  # SpiffWorkflow 3.2 alone fails near round 100 on this loop (~10 levels a round)

LOOP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" targetNamespace="x">
  <bpmn:process id="drawn_loop" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="again"><bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f_back</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:scriptTask id="count"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>rounds = rounds + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:parallelGateway id="fork"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>fa</bpmn:outgoing><bpmn:outgoing>fb</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="left"><bpmn:incoming>fa</bpmn:incoming><bpmn:outgoing>fa2</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="right"><bpmn:incoming>fb</bpmn:incoming><bpmn:outgoing>fb2</bpmn:outgoing></bpmn:userTask>
    <bpmn:parallelGateway id="both"><bpmn:incoming>fa2</bpmn:incoming><bpmn:incoming>fb2</bpmn:incoming>
      <bpmn:outgoing>f4</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="decide"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="done" default="f_back"><bpmn:incoming>f5</bpmn:incoming>
      <bpmn:outgoing>f_end</bpmn:outgoing><bpmn:outgoing>f_back</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="end"><bpmn:incoming>f_end</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="again" />
    <bpmn:sequenceFlow id="f2" sourceRef="again" targetRef="count" />
    <bpmn:sequenceFlow id="f3" sourceRef="count" targetRef="fork" />
    <bpmn:sequenceFlow id="fa" sourceRef="fork" targetRef="left" />
    <bpmn:sequenceFlow id="fb" sourceRef="fork" targetRef="right" />
    <bpmn:sequenceFlow id="fa2" sourceRef="left" targetRef="both" />
    <bpmn:sequenceFlow id="fb2" sourceRef="right" targetRef="both" />
    <bpmn:sequenceFlow id="f4" sourceRef="both" targetRef="decide" />
    <bpmn:sequenceFlow id="f5" sourceRef="decide" targetRef="done" />
    <bpmn:sequenceFlow id="f_end" sourceRef="done" targetRef="end">
      <bpmn:conditionExpression>finished</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_back" sourceRef="done" targetRef="again" />
  </bpmn:process>
</bpmn:definitions>"""


def _ready(run: WorkflowRun) -> dict[str, str]:
    return {task.element_id: task.id for task in run.ready_user_tasks()}


def test_a_drawn_loop_with_a_parallel_join_keeps_its_state_bounded_and_its_semantics():
    spec = parse_process_files({"drawn_loop.bpmn": LOOP}).spec_json()
    engine = ScriptEngine({}, None)
    run = WorkflowRun.start(spec, {"rounds": 0}, engine)
    sizes = []
    for round_ in range(1, ROUNDS + 1):
        assert sorted(_ready(run)) == ["left", "right"]
        # The join waits for the other branch every round, whichever arrives first (SpiffWorkflow
        # 3.2 alone counts an earlier round's arrival and lets the join through in round 2).
        first, second = ("left", "right") if round_ % 2 else ("right", "left")
        run.complete(_ready(run)[first], {})
        assert sorted(_ready(run)) == [second]
        run.complete(_ready(run)[second], {"last_arrival": round_})
        assert sorted(_ready(run)) == ["decide"]
        run.complete(_ready(run)["decide"], {"finished": round_ == ROUNDS})
        state = run.dump()
        sizes.append(len(state))
        run = WorkflowRun.load(spec, state, engine)  # every round stored and loaded, as a case is
    assert run.status == "completed"
    # The loop's data carried on; at the join the branch arriving last wins, as in SpiffWorkflow.
    assert run.data["rounds"] == ROUNDS and run.data["last_arrival"] == ROUNDS
    assert max(sizes[10:-1]) - min(sizes[10:-1]) < 64, (min(sizes[10:-1]), max(sizes[10:-1]))
    done, current = run.path()
    assert {"start", "again", "count", "fork", "left", "right", "both", "decide", "done", "end"} == set(done)
    assert current == []
