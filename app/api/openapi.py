"""The OpenAPI 3.1 document of this API, generated: every rule of the `api` blueprint in
app.url_map becomes an operation, with its path parameters typed from the converters, and what
each view declares next to itself with @doc (summary, query, body and answer as marshmallow
schemas, through apispec's MarshmallowPlugin) fills it in. The task forms are published as
components, so the forms a client reads here are the ones it must fill."""
from dataclasses import dataclass, field

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, current_app
from marshmallow import INCLUDE, Schema, fields, validate
from werkzeug.routing import IntegerConverter, Rule

from .. import forms, permissions
from ..models.types import ID_MAX
from . import bp

DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"}
MONTH = {"type": "string", "pattern": r"^2\d\d\d-(0[1-9]|1[0-2])$", "description": "YYYY-MM, 2000 to 2999"}
ERRORS = {400: "malformed body or parameter", 401: "not signed in", 403: "not allowed", 404: "unknown id",
          409: "conflict", 413: "body too large", 422: "validation failed, every failing field named"}
PUBLIC_ERRORS = {400, 413, 422}
IGNORED_METHODS = {"HEAD", "OPTIONS"}


@dataclass(frozen=True)
class Operation:
    summary: str
    answer: type[Schema] | dict | None  # the success body (JSON), None for no body
    status: tuple[int, ...]
    body: type[Schema] | dict | None  # JSON body schema, or {media type: schema}
    query: type[Schema] | None
    path: dict = field(default_factory=dict)  # parameter name -> extra JSON Schema keywords
    media: tuple[str, ...] = ("application/json",)  # the success answer's media types
    errors: tuple[int, ...] = ()  # more error statuses than the usual ones (429 on sign-in)


def doc(summary: str, answer=None, *, status: int | tuple[int, ...] = 200, body=None, query=None, path=None,
        media: tuple[str, ...] = ("application/json",), errors: tuple[int, ...] = ()):
    """Declare what the OpenAPI document says about a view (its route and methods come from the rule)."""
    def mark(view):
        view.openapi = Operation(summary, answer, status if isinstance(status, tuple) else (status,), body, query,
                                 path or {}, media, errors)
        return view
    return mark


class Out(Schema):
    """An answer object: the fields listed are promised, more may come."""
    class Meta:
        unknown = INCLUDE


class Paging(Schema):
    page = fields.Integer(validate=validate.Range(min=1), metadata={"description": "page number, from 1"})
    per_page = fields.Integer(validate=validate.Range(min=1, max=500),
                              metadata={"description": "items per page (default 50)"})


class Keyset(Paging):
    after = fields.String(validate=validate.Length(min=1, max=1000),
                          metadata={"description": "opaque cursor: the next_after of the page before (wins over page)"})


class UnitKeyset(Keyset):
    """A list of records that carry their organisation unit: narrowed to one unit on request."""
    unit = fields.String(validate=validate.Length(min=1, max=32), metadata={
        "description": "an organisation unit's code: only its records and its units' below it (one of the units "
                       "the caller sees; 422 otherwise)"})


def keyset_page_of(item: type[Schema]) -> dict:
    page = page_of(item)
    page["required"] = [*page["required"], "total_exact", "next_after"]
    page["properties"].update({
        "total_exact": {"type": "boolean", "description": "false: total is a bound, there are more"},
        "next_after": {"type": ["string", "null"], "description": "cursor of the next page, null on the last"}})
    return page


def page_of(item: type[Schema]) -> dict:
    return {"type": "object", "required": ["items", "total"],
            "properties": {"items": {"type": "array", "items": item}, "total": {"type": "integer", "minimum": 0}}}


class Error(Schema):
    class ErrorDetail(Schema):
        code = fields.String(required=True)
        message = fields.String(required=True)
        fields_ = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True,
                              data_key="fields")
        problems = fields.List(fields.Dict(), metadata={"description": "procedure files: file, element_id, message"})
        element_id = fields.String(metadata={"description": "instance_error: the element where the case stopped"})

    error = fields.Nested(ErrorDetail, required=True)


def _path(rule: Rule) -> str:
    path = rule.rule.removeprefix(bp.url_prefix)
    for name in rule.arguments:
        path = path.replace(f"<{name}>", "{" + name + "}")
        for converter in ("int", "string", "path"):
            path = path.replace(f"<{converter}:{name}>", "{" + name + "}")
    return path


def _path_parameters(rule: Rule, extra: dict) -> list[dict]:
    parameters = []
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            schema = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
        else:
            schema = {"type": "string", "minLength": 1}
        parameters.append({"name": name, "in": "path", "required": True, "schema": {**schema, **extra.get(name, {})}})
    return parameters


def _operation(rule: Rule, view) -> dict:
    declared: Operation = getattr(view, "openapi", None) or Operation((view.__doc__ or view.__name__).strip(),
                                                                      None, (200,), None, None)
    public = rule.endpoint in permissions.PUBLIC
    responses = {}
    for status in declared.status:
        if status == 204 or declared.answer is None:
            responses[str(status)] = {"description": "done, no body"}
        else:
            schema = declared.answer
            responses[str(status)] = {"description": "success",
                                      "content": {media: {"schema": schema if media == "application/json" else {}}
                                                  for media in declared.media}}
    for status in sorted(set(PUBLIC_ERRORS if public else ERRORS) | set(declared.errors)):
        responses[str(status)] = {"$ref": f"#/components/responses/E{status}"}
    operation = {"summary": declared.summary, "operationId": rule.endpoint.removeprefix("api."),
                 "parameters": _path_parameters(rule, declared.path), "responses": responses,
                 "security": [] if public else [{"bearer": []}]}
    if declared.query is not None:
        operation["parameters"].append({"in": "query", "schema": declared.query})
    if declared.body is not None:
        content = declared.body if isinstance(declared.body, dict) and "type" not in declared.body \
            else {"application/json": declared.body}
        operation["requestBody"] = {"required": True,
                                    "content": {media: {"schema": schema} for media, schema in content.items()}}
    return operation


def api_rules(app: Flask) -> list[Rule]:
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint.startswith(bp.name + ".")),
                  key=lambda r: r.rule)


def build(app: Flask) -> dict:
    spec = APISpec("After-sales process engine", "1.0", "3.1.0", plugins=[MarshmallowPlugin()],
                   servers=[{"url": bp.url_prefix}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "description": "a token from POST /auth/token"})
    spec.components.schema("Error", schema=Error)
    for status, text in {**ERRORS, 429: "too many failed sign-ins"}.items():
        spec.components.response(f"E{status}", {"description": text,
                                                "content": {"application/json": {"schema": "Error"}}})
    for key, form in sorted(forms.shipped().items()):  # the shipped procedures' forms (processes/forms/)
        spec.components.schema(key.replace(".", "_"), schema=form.schema)
    operations: dict[str, dict] = {}
    for rule in api_rules(app):
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - IGNORED_METHODS):
            operations.setdefault(_path(rule), {})[method.lower()] = _operation(rule, view)
    for path, methods in operations.items():
        spec.path(path=path, operations=methods)
    return spec.to_dict()


@bp.get("/openapi.json")
@doc("This document", {"type": "object"})
def openapi_document():
    if "openapi" not in current_app.extensions:
        current_app.extensions["openapi"] = build(current_app)
    return current_app.extensions["openapi"]
