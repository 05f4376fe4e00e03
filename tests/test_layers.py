"""Layers point down: the web and API call the services, the services run the engine and the
handlers, the handlers write records through what their context gives them. An import that
points up (a handler reaching for a service, a service for a view) is refused here."""
import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"


def imported_modules(path: Path, root: Path = APP.parent) -> list[str]:
    """The absolute module names a file of app/ imports, at the top or inside a function."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names += [module] if node.module else [f"{module}.{alias.name}" for alias in node.names]
    return names


@pytest.mark.parametrize("layer, forbidden", [
    ("handlers", ("app.services", "app.web", "app.api")),
    ("services", ("app.web", "app.api")),
    ("engine", ("app.services", "app.handlers", "app.web", "app.api", "app.models")),
])
def test_a_layer_does_not_import_the_layers_above(layer, forbidden):
    wrong = [f"{path.relative_to(APP.parent)} imports {name}"
             for path in sorted((APP / layer).rglob("*.py"))
             for name in imported_modules(path)
             if name.startswith(forbidden)]
    assert wrong == []


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    handler = tmp_path / "app" / "handlers" / "late.py"
    handler.parent.mkdir(parents=True)
    handler.write_text("def close(ctx):\n    from ..services.instances import start_internal\n")
    assert imported_modules(handler, tmp_path) == ["app.services.instances"]


HTTP_ANSWERS = {"Response", "jsonify", "make_response", "send_file", "abort", "redirect", "render_template"}


def test_services_never_build_an_http_answer():
    """The views answer (a page, a file in the format asked for); the services give them data."""
    wrong = [f"{path.relative_to(APP.parent)} imports flask.{alias.name}"
             for path in sorted((APP / "services").rglob("*.py"))
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.ImportFrom) and node.module == "flask"
             for alias in node.names if alias.name in HTTP_ANSWERS]
    assert wrong == []
