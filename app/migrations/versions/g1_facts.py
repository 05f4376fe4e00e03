"""facts: versions deployed before their diagrams said what a task is due by and what its page
shows get those element properties written into their BPMN files (the values the forms carried
until then), so running cases keep their due times and pages

Revision ID: g1_facts
Revises: f9_lists
"""
import hashlib

import sqlalchemy as sa
from alembic import op
from lxml import etree
from sqlalchemy.dialects.postgresql import JSONB

revision = "g1_facts"
down_revision = "f9_lists"
branch_labels = None
depends_on = None

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
FACTS = ("due_days", "due_from", "shows", "case_fields")
# What each form carried until this release, by form key, and each procedure's case fields.
TASKS = {
    "callback.call": {"due_from": "callback_due_at", "shows": "callback.call"},
    "callback.complaint": {"shows": "callback.call"},
    "callback.follow_up": {"due_from": "follow_up_due_at", "shows": "callback.call callback.complaint callback.follow_up"},
    "complaint.callback": {"due_days": "3", "shows": "complaint.confirm complaint.handle complaint.handle_repair "
                                                      "complaint.repair_plan complaint.major_decision"},
    "complaint.classify": {"due_days": "1", "shows": "complaint.intake"},
    "complaint.close": {"due_days": "2", "shows": "complaint.callback complaint.confirm complaint.handle "
                                                  "complaint.handle_repair complaint.repair_plan complaint.major_decision"},
    "complaint.confirm": {"due_days": "1", "shows": "complaint.handle complaint.handle_repair complaint.repair_plan "
                                                    "complaint.major_decision complaint.classify complaint.callback"},
    "complaint.escalation": {"shows": "complaint.escalation complaint.classify complaint.handle "
                                      "complaint.handle_repair complaint.repair_plan"},
    "complaint.follow_up": {"due_from": "deadlines.first_response", "shows": "complaint.classify"},
    "complaint.handle": {"due_from": "deadlines.handling",
                         "shows": "complaint.major_decision complaint.classify complaint.follow_up complaint.repair_plan "
                                  "complaint.confirm complaint.callback complaint.escalation"},
    "complaint.handle_repair": {"due_from": "deadlines.handling",
                                "shows": "complaint.major_decision complaint.classify complaint.follow_up "
                                         "complaint.repair_plan complaint.confirm complaint.callback complaint.escalation"},
    "complaint.major_decision": {"due_from": "deadlines.handling", "shows": "complaint.follow_up complaint.classify"},
    "complaint.repair_plan": {"due_from": "deadlines.handling",
                              "shows": "complaint.handle_repair complaint.major_decision complaint.classify "
                                       "complaint.confirm complaint.callback"},
    "complaint.repeated_overdue": {"shows": "complaint.escalation"},
    "complaint.vehicle_release": {"shows": "complaint.repair_plan complaint.handle_repair"},
    "return.aging": {"due_from": "repair_due_at", "shows": "return.repair"},
    "return.approve": {"shows": "return.review return.correct return.request"},
    "return.correct": {"shows": "return.review return.correct return.request"},
    "return.mismatch": {"shows": "return.receive return.shipment return.correct return.request"},
    "return.quality_check": {"due_from": "repair_due_at", "shows": "return.repair return.aging"},
    "return.quote": {"shows": "return.warranty_check"},
    "return.quote_answer": {"due_from": "quote_answer_due_at", "shows": "return.quote return.warranty_check"},
    "return.receive": {"shows": "return.correct return.request"},
    "return.rejection_notice": {"shows": "return.approve return.review"},
    "return.repair": {"due_from": "repair_due_at",
                      "shows": "return.quality_check return.warranty_check return.correct return.request"},
    "return.review": {"shows": "return.correct return.request"},
    "return.ship_back": {"shows": "return.quality_check return.repair return.quote_answer"},
    "return.warranty_check": {"shows": "return.receive return.shipment"},
}
CASE_FIELDS = {
    "callback": "customer_name contact_phone subject repair_summary picked_up_at source source_ref",
    "complaint": "customer_name contact_phone vehicle description customer_request category severity",
    "return": "branch model quantity serial_numbers fault_description purchase_date warranty_card dealer_seal "
              "customer_name contact_phone",
}
versions = sa.table("process_versions", sa.column("id", sa.Integer), sa.column("sha256", sa.String),
                    sa.column("files", sa.JSON().with_variant(JSONB(), "postgresql")))


def _with_facts(text: str) -> str:
    root = etree.fromstring(text.encode("utf-8"))
    changed = False
    for element in root.iter(f"{BPMN}userTask", f"{BPMN}manualTask", f"{BPMN}startEvent"):
        block = element.find(f"{BPMN}extensionElements/{SPIFF}properties")
        if block is None:
            continue
        have = {prop.get("name"): prop.get("value") for prop in block.findall(f"{SPIFF}property")}
        if any(name in have for name in FACTS) or not have.get("form"):
            continue
        facts = dict(TASKS.get(have["form"], {}))
        if element.tag == f"{BPMN}startEvent" and have["form"].split(".")[0] in CASE_FIELDS:
            facts["case_fields"] = CASE_FIELDS[have["form"].split(".")[0]]
        for name, value in facts.items():
            etree.SubElement(block, f"{SPIFF}property", name=name, value=value)
            changed = True
    return etree.tostring(root, encoding="unicode") if changed else text


def _digest(files: dict) -> str:  # as app/services/deployments.py names a version's files
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return digest.hexdigest()


def upgrade():
    connection = op.get_bind()
    for row in connection.execute(sa.select(versions.c.id, versions.c.files)).all():
        files = {name: (_with_facts(text) if name.endswith(".bpmn") else text) for name, text in row.files.items()}
        if files != row.files:
            connection.execute(versions.update().where(versions.c.id == row.id)
                               .values(files=files, sha256=_digest(files)))


def downgrade():
    pass  # the properties are harmless to the versions before
