"""The OpenAPI 3.1 document of this API, built with apispec from the routes below and the
marshmallow form schemas (so the forms a client reads here are the ones it must fill)."""
from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from .. import forms
from . import bp

ERROR = {"$ref": "#/components/schemas/Error"}
PAGED = {"page": "page number, from 1", "per_page": "items per page (default 50, at most 500)"}

# path, method, summary, query parameters, success status
ROUTES = [
    ("/auth/token", "post", "Exchange username and password for a bearer token", {}, 200),
    ("/processes", "get", "The deployed procedures, latest version of each", {}, 200),
    ("/processes/{key}", "get", "The latest version of a procedure with its start form (JSON Schema)", {}, 200),
    ("/processes/{key}/versions", "get", "Every deployed version with its running instances", {}, 200),
    ("/processes/{key}/instances", "post", "Start an instance of the latest version; body {data}; when a step "
     "fails the instance is created in error (status error, error {element_id, message})", {}, 201),
    ("/instances", "get", "Instances (admin), newest change first, each with its process key, version, business "
     "key and, in error, {element_id, message, since, action}", {**PAGED, "status": "running | waiting | completed | "
     "cancelled | error | suspended", "process_key": "procedure key"}, 200),
    ("/instances/{id}", "get", "An instance with its data, history and open tasks", {}, 200),
    ("/instances/{id}/retry", "post", "Replay the failed step of an instance in error on its current version "
     "(admin); 409 instance_error when it fails again (the instance stays in error with the new reason)", {}, 200),
    ("/instances/{id}/suspend", "post", "Suspend a running instance (admin): its tasks leave the inbox and its "
     "timers wait; completing its task answers 409", {}, 200),
    ("/instances/{id}/resume", "post", "Resume a suspended instance (admin): its tasks are back, a timer due "
     "meanwhile fires on the timer runner's next pass", {}, 200),
    ("/instances/{id}/cancel", "post", "Cancel an instance, also one in error or suspended (admin); body {reason}",
     {}, 200),
    ("/instances/{id}/migrate", "post", "Move a running, suspended or failed instance to another version of its procedure (admin); "
     "body {to_version}; 409 naming the elements when a task it stands on or has done was removed or changed", {}, 200),
    ("/drafts", "post", "Propose a procedure's files (process owner): multipart 'files' parts or "
     "{files: [{name, content}]}, at most 10 files of 2 MiB; 201 with {id, process_key, valid, problems}, "
     "422 when the files cannot be read as BPMN/DMN", {}, 201),
    ("/drafts", "get", "Proposed drafts, newest first", {**PAGED, "process_key": "procedure key"}, 200),
    ("/drafts/{id}", "get", "A draft with its problems and its files", {}, 200),
    ("/deployments", "post", "Deploy a valid draft {draft_id} or uploaded files as the next version (admin); "
     "422 with the problems when invalid", {}, 201),
    ("/tasks", "get", "The inbox: ready tasks of the caller's roles",
     {**PAGED, "lane": "role key", "process_key": "procedure key", "claimed": "me | none",
      "overdue": "true | false"}, 200),
    ("/tasks/{id}", "get", "A task with its form (JSON Schema) and data", {}, 200),
    ("/tasks/{id}/claim", "post", "Claim a task", {}, 200),
    ("/tasks/{id}/unclaim", "post", "Give a claimed task back", {}, 200),
    ("/tasks/{id}/complete", "post", "Complete a task; body {data} validated by its form; 409 instance_error "
     "when the step fails (the answers are kept for an admin's retry)", {}, 200),
    ("/complaints", "get", "The complaint ledger",
     {**PAGED, "status": "", "category": "", "severity": "", "channel": "", "month": "YYYY-MM",
      "responsible": "role key or username", "q": "full-text search"}, 200),
    ("/complaints/{number}", "get", "One complaint by its number (TS-YYYYMM-NNNN)", {}, 200),
    ("/return-authorizations", "get", "The return authorization register",
     {**PAGED, "status": "", "branch": "", "q": "search number, model, branch, fault"}, 200),
    ("/return-authorizations/{number}", "get", "One return authorization by RMA number (or id before approval)",
     {}, 200),
    ("/shipments", "post", "Receive goods at the door (logistics); body {data} as form return.shipment: "
     "taken in under an approved RMA number, else refused and recorded", {}, 201),
    ("/refused-shipments", "get", "Shipments refused for want of an approved return authorization", PAGED, 200),
    ("/callbacks", "get", "The callback log",
     {**PAGED, "status": "due | retry | scheduled | completed | ineffective",
      "due": "YYYY-MM-DD: the open callbacks due that day"}, 200),
    ("/callbacks/{id}", "get", "One callback with its attempts", {}, 200),
    ("/overdue", "get", "Overdue records (超时记录)", {**PAGED, "month": "YYYY-MM", "person": "username"}, 200),
    ("/calendar/{year}", "get", "The working-day calendar of a year and where it comes from", {}, 200),
    ("/calendar/days/{day}", "put", "Enter a holiday or make-up working day (admin); body {is_working, note}", {}, 200),
    ("/kpis", "get", "The KPIs of a month: {month, provisional, items: [{key, numerator, denominator, value}]}, "
     "value a percentage or null (managers)", {"month": "YYYY-MM (required)"}, 200),
    ("/deliveries/{month}", "put", "Enter a month's deliveries, the complaint rate's denominator (admin); "
     "body {deliveries}", {}, 200),
    ("/reports/monthly/{month}", "get", "The monthly report for the general manager (managers): format by ?format= "
     "or Accept: text/html, application/pdf, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     {"format": "html | xlsx | pdf"}, 200),
]


@lru_cache(maxsize=1)
def build() -> dict:
    spec = APISpec("After-sales process engine", "1.0", "3.1.0", plugins=[MarshmallowPlugin()],
                   servers=[{"url": "/api/v1"}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", {"type": "object", "properties": {"error": {
        "type": "object", "required": ["code", "message", "fields"], "properties": {
            "code": {"type": "string"}, "message": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}}})
    for key, form in sorted(forms.FORMS.items()):
        spec.components.schema(key.replace(".", "_"), schema=form.schema)
    for path, method, summary, query, status in ROUTES:
        parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                      for name in ("key", "id", "number", "year", "day") if "{" + name + "}" in path]
        parameters += [{"name": name, "in": "query", "description": text, "schema": {"type": "string"}}
                       for name, text in query.items()]
        responses = {str(status): {"description": "success"}}
        for code, text in (("400", "malformed body"), ("401", "not signed in"), ("403", "not allowed"),
                           ("404", "unknown id"), ("409", "conflict"), ("422", "validation failed")):
            responses[code] = {"description": text, "content": {"application/json": {"schema": ERROR}}}
        operation = {"summary": summary, "parameters": parameters, "responses": responses}
        if path != "/auth/token":
            operation["security"] = [{"bearer": []}]
        spec.path(path=path, operations={method: operation})
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi_document():
    return build()
