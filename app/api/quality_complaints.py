"""The register of quality complaints (质量投诉, 8D): list, one complaint with its 8D report, and
taking one in directly."""
from flask import g
from marshmallow import fields, validate

from ..services import quality_complaints
from . import bp, json_body, register_page
from .instances import InstanceSummary, instance_summary
from .openapi import Out, UnitKeyset, doc, keyset_page_of


class RegisterFilters(UnitKeyset):
    status = fields.String(validate=validate.OneOf(quality_complaints.STATUSES))
    closure_type = fields.String(validate=validate.OneOf(quality_complaints.CLOSURES))
    complaint_number = fields.String(metadata={"description": "the complaint (TS-…) it was started from"})
    q = fields.String(metadata={"description": "search number, customer, product, description"})


class QualityComplaint(Out):
    id = fields.Integer(required=True)
    number = fields.String(required=True, metadata={"description": "QC-YYYYMM-NNNN"})
    instance_id = fields.Integer(allow_none=True)
    complaint_number = fields.String(allow_none=True, metadata={"description": "the complaint it came from"})
    received_at = fields.DateTime(required=True)
    customer_name, contact_person, contact_phone = fields.String(), fields.String(), fields.String()
    product, batch_number, description = fields.String(), fields.String(), fields.String()
    status = fields.String(required=True, metadata={"description": " | ".join(quality_complaints.STATUSES)})
    round = fields.Integer(required=True, metadata={"description": "the round of countermeasures (A: another)"})
    onsite_due_at = fields.DateTime(allow_none=True)
    temporary_due_at = fields.DateTime(allow_none=True)
    permanent_due_at = fields.DateTime(allow_none=True)
    onsite_needed, mould_change = fields.Boolean(allow_none=True), fields.Boolean(allow_none=True)
    d1_team, d2_problem, d3_containment, d4_root_cause = (fields.String(), fields.String(), fields.String(),
                                                          fields.String())
    d5_corrective_actions, d6_validation, d7_prevention, d8_closure = (fields.String(), fields.String(),
                                                                       fields.String(), fields.String())
    effect = fields.String(allow_none=True, metadata={"description": "satisfied | not_improved | standards_disagree"})
    misses = fields.Integer(metadata={"description": "clocks missed (overdue records, escalations)"})
    closure_type = fields.String(allow_none=True, metadata={"description": "satisfied | clarified | dispute"})
    closed_at = fields.DateTime(allow_none=True)
    unit = fields.String(allow_none=True, metadata={"description": "the code of its organisation unit"})


class QualityComplaintFile(Out):
    id = fields.Integer(required=True)
    file_name, content_type = fields.String(required=True), fields.String(required=True)
    size = fields.Integer()
    uploaded_at = fields.DateTime()


class QualityComplaintWithFiles(QualityComplaint):
    attachments = fields.List(fields.Nested(QualityComplaintFile), required=True,
                              metadata={"description": "the case's files (the 8D report's), for a reader of the case"})


START = {"type": "object", "required": ["data"],
         "properties": {"data": {"$ref": "#/components/schemas/quality_complaint_start"},
                        "unit": {"type": "string", "description": "the code of the organisation unit it is for: "
                                                                  "the taker's own (when left out) or one below it"}}}


@bp.get("/quality-complaints")
@doc("The register of quality complaints (8D)", keyset_page_of(QualityComplaint), query=RegisterFilters)
def list_quality_complaints():
    return register_page(quality_complaints.register, quality_complaints.as_dict, quality_complaints.FILTERS)


@bp.get("/quality-complaints/<number>")
@doc("One quality complaint with its 8D report and the case's files", QualityComplaintWithFiles)
def get_quality_complaint(number):
    return quality_complaints.as_dict(quality_complaints.get(g.user, number), g.user)


@bp.post("/quality-complaints")
@doc("Take a quality complaint in directly (customer department or quality assurance)", InstanceSummary,
     status=201, body=START)
def open_quality_complaint():
    body = json_body()
    instance = quality_complaints.open_complaint(g.user, body.get("data", {}), body.get("unit"))
    return instance_summary(instance), 201
