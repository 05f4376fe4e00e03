"""Other versions of the complaint procedure, made from processes/ the way a process owner
would edit the diagram (a label, a step inserted, a step taken out), and the uploads that
carry them. Tests that deploy one put the shipped procedure back afterwards, so the cases
of later tests on the same database run the procedure they expect."""
import io
from pathlib import Path

import pytest
from lxml import etree

from app.services.deployments import procedure_files

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "bpmn-corpus"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN, "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}


def shipped(key: str = "complaint") -> dict[str, str]:
    """The files the deploy command deploys for `key`: its BPMN, every DMN beside it and its forms."""
    return procedure_files(ROOT / "processes")[key]


def with_bpmn(files: dict[str, str], edit) -> dict[str, str]:
    """The files with the diagram edited, without the saved test cases (they walk the shipped
    diagram: a version edited for a test would be refused at deployment when it leaves their path)."""
    return {name: edit(text) if name == "complaint.bpmn" else text for name, text in files.items()
            if not name.endswith(".test.json")}


def as_json(files: dict[str, str]) -> dict:
    return {"files": [{"name": name, "content": text} for name, text in files.items()]}


def as_multipart(files: dict[str, str | bytes]) -> dict:
    return {"files": [(io.BytesIO(text.encode() if isinstance(text, str) else text), name)
                      for name, text in files.items()]}


def upload(api, username: str, path: str, files: dict[str, str | bytes]):
    return api.as_(username).request("POST", path, data=as_multipart(files), content_type="multipart/form-data")


def relabel(xml: str, element_id: str, label: str) -> str:
    root = etree.fromstring(xml.encode())
    root.find(f".//*[@id='{element_id}']").set("name", label)
    return _text(root)


def set_form(xml: str, element_id: str, form: str) -> str:
    root = etree.fromstring(xml.encode())
    root.find(f".//*[@id='{element_id}']//{{{SPIFF}}}property[@name='form']").set("value", form)
    return _text(root)


def set_property(xml: str, element_id: str, name: str, value: str) -> str:
    """A `spiffworkflow:property` of an element with properties, added or changed."""
    root = etree.fromstring(xml.encode())
    props = root.find(f".//*[@id='{element_id}']//{{{SPIFF}}}properties")
    prop = props.find(f"{{{SPIFF}}}property[@name='{name}']")
    if prop is None:
        prop = etree.SubElement(props, f"{{{SPIFF}}}property", name=name)
    prop.set("value", value)
    return _text(root)


def insert_task_after(xml: str, after_id: str, new_id: str, name: str, form: str, lane: str) -> str:
    """A user task on the flow leaving `after_id`, before whatever came next."""
    root = etree.fromstring(xml.encode())
    flow = root.find(f".//bpmn:sequenceFlow[@sourceRef='{after_id}']", NS)
    process = flow.getparent()  # the process, or the subprocess the element lies in
    following = process.find(f"*[@id='{flow.get('targetRef')}']")
    out_id = f"Flow_{new_id}_out"
    for incoming in following.findall("bpmn:incoming", NS):
        if incoming.text == flow.get("id"):
            incoming.text = out_id
    etree.SubElement(process, f"{{{BPMN}}}sequenceFlow", id=out_id, sourceRef=new_id, targetRef=following.get("id"))
    flow.set("targetRef", new_id)
    task = etree.Element(f"{{{BPMN}}}userTask", id=new_id, name=name)
    properties = etree.SubElement(etree.SubElement(task, f"{{{BPMN}}}extensionElements"), f"{{{SPIFF}}}properties")
    etree.SubElement(properties, f"{{{SPIFF}}}property", name="form", value=form)
    etree.SubElement(task, f"{{{BPMN}}}incoming").text = flow.get("id")
    etree.SubElement(task, f"{{{BPMN}}}outgoing").text = out_id
    process.find("bpmn:sequenceFlow", NS).addprevious(task)  # flow nodes before the flows, as modelers write
    lane_element = next(el for el in root.iter(f"{{{BPMN}}}lane")
                        if lane in (el.get("name"), _lane_role(el)))
    etree.SubElement(lane_element, f"{{{BPMN}}}flowNodeRef").text = new_id
    return _text(root)


def _lane_role(lane) -> str | None:
    found = lane.find(f"bpmn:extensionElements/{{{SPIFF}}}properties/{{{SPIFF}}}property[@name='role']", NS)
    return found.get("value") if found is not None else None


def remove_task(xml: str, task_id: str) -> str:
    """Take a task (and the timers on its border) out: what led to it leads where it led."""
    root = etree.fromstring(xml.encode())
    process = root.find(f".//*[@id='{task_id}']").getparent()  # the process, or the subprocess it lies in
    out_flow = process.find(f"bpmn:sequenceFlow[@sourceRef='{task_id}']", NS)
    target = process.find(f"*[@id='{out_flow.get('targetRef')}']")
    for boundary in process.findall(f"bpmn:boundaryEvent[@attachedToRef='{task_id}']", NS):
        for flow in process.findall(f"bpmn:sequenceFlow[@sourceRef='{boundary.get('id')}']", NS):
            _drop_incoming(process.find(f"*[@id='{flow.get('targetRef')}']"), flow.get("id"))
            _drop(root, flow)
        _drop(root, boundary)
    _drop_incoming(target, out_flow.get("id"))
    for flow in process.findall(f"bpmn:sequenceFlow[@targetRef='{task_id}']", NS):
        flow.set("targetRef", target.get("id"))
        incoming = etree.Element(f"{{{BPMN}}}incoming")
        incoming.text = flow.get("id")
        # the schema wants every incoming after the extensions and before anything else
        later = next((child for child in target if child.tag not in (
            f"{{{BPMN}}}extensionElements", f"{{{BPMN}}}incoming")), None)
        later.addprevious(incoming) if later is not None else target.append(incoming)
    _drop(root, out_flow)
    _drop(root, process.find(f"*[@id='{task_id}']"))
    return _text(root)


def _drop_incoming(node, flow_id: str) -> None:
    for incoming in node.findall("bpmn:incoming", NS):
        if incoming.text == flow_id:
            node.remove(incoming)


def _drop(root, element) -> None:
    element_id = element.get("id")
    element.getparent().remove(element)
    for ref in list(root.iter(f"{{{BPMN}}}flowNodeRef")):
        if ref.text == element_id:
            ref.getparent().remove(ref)
    for shape in list(root.iter(f"{{{NS['bpmndi']}}}BPMNShape", f"{{{NS['bpmndi']}}}BPMNEdge")):
        if shape.get("bpmnElement") == element_id:
            shape.getparent().remove(shape)


def _text(root) -> str:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode()


def deploy(api, files: dict[str, str]) -> dict:
    response = api.as_("admin").post("/deployments", json=as_json(files))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def latest_version(api, key: str = "complaint") -> int:
    return api.as_("admin").get(f"/processes/{key}/versions").get_json()[-1]["version"]


@pytest.fixture
def shipped_complaint_afterwards(api):
    """Deploy the shipped complaint procedure again after the test (a no-op if it is the latest)."""
    yield
    response = api.as_("admin").post("/deployments", json=as_json(shipped()))
    assert response.status_code in (200, 201), response.get_json()
