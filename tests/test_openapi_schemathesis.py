"""schemathesis against the running app: every operation of the OpenAPI document the app serves,
with valid and invalid data, as several demo roles, on SQLite and PostgreSQL. No answer may be a
5xx, and every answer must be documented: its status, its content type, its body.

The apps here have databases of their own: the fuzzed requests enter calendar days and deliveries,
start and cancel instances, propose drafts, which must not leak into the other tests. Nothing is
excluded: deploying is fuzzed too (the generated files are never a valid procedure, and a deployment
would only change this module's database). Alone: `TEST_WORKERS=0 scripts/test tests/test_openapi_schemathesis.py`.
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from app import create_app
from app.api.openapi import build

DATABASES = ("sqlite", "postgresql")
ROLES = ("customer_dept", "service_manager", "branch_engineer", "admin")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 6  # per operation, role, database and mode: bounded, and the same every run
SETTINGS = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                    phases=[Phase.explicit, Phase.generate], print_blob=False,
                    suppress_health_check=list(HealthCheck))

def _operations() -> list[tuple[str, str, bool, bool]]:
    """(method, path, public, has inputs) of every operation of the document, which has every API route
    of app.url_map (test_forms_and_openapi checks it)."""
    bare = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "listing routes only"})
    with bare.test_request_context():
        document = build(bare)
    return [(method.upper(), path, operation["security"] == [],
             bool(operation["parameters"] or "requestBody" in operation))
            for path, item in document["paths"].items() for method, operation in item.items()]


def _cases():
    for mode in GenerationMode:
        for database in DATABASES:
            for method, path, public, has_inputs in _operations():
                if mode == GenerationMode.NEGATIVE and not (has_inputs or not public):
                    continue  # nothing to make invalid: no parameter, no body, no token (GET /openapi.json)
                for role in (None,) if public else ROLES:
                    yield pytest.param(mode, database, method, path, role,
                                       id=f"{mode.value}-{database}-{method} {path}-{role or 'anonymous'}")


@pytest.fixture(scope="module")
def fuzzed(own_app):
    """database -> (the app's schema as schemathesis loaded it from /api/v1/openapi.json, tokens by role)."""
    loaded = {}

    def load(database: str):
        if database not in loaded:
            application = own_app(database)
            schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
            client = application.test_client()
            tokens = {role: client.post("/api/v1/auth/token", json={"username": role, "password": "demo"})
                      .get_json()["token"] for role in ROLES}
            loaded[database] = schema, tokens
        return loaded[database]

    return load


@pytest.mark.parametrize("mode, database, method, path, role", list(_cases()))
def test_operation_answers_as_documented(fuzzed, mode, database, method, path, role):
    schema, tokens = fuzzed(database)
    operation = schema[path][method]
    headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}

    @given(case=operation.as_strategy(generation_mode=mode))
    @SETTINGS
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()
