"""JSON Schema (draft 2020-12) of a form, in the requested language, built by apispec's
marshmallow converter and given our labels."""
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from . import Form
from .display import label_in as _label

_plugin = MarshmallowPlugin()
APISpec("forms", "1", "3.1.0", plugins=[_plugin])  # binds the converter to OpenAPI 3.1 = JSON Schema 2020-12


def form_schema(form: Form, lang: str) -> dict:
    schema = _plugin.converter.schema2jsonschema(form.schema)
    fields = form.schema().fields
    for name, prop in schema["properties"].items():
        meta = fields[name].metadata
        prop["title"] = _label(meta.get("label", {}), lang)
        if "choices" in meta:
            prop["x-enum-titles"] = {value: _label(labels, lang) for value, labels in meta["choices"].items()}
        if meta.get("multiline"):
            prop["x-multiline"] = True
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": form.title(lang), **schema}
