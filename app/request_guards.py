"""What every request passes before a view sees it (pages and API alike): ids within the
database's column range, a bounded body, and no NUL character anywhere (PostgreSQL text
cannot hold one, and no form or procedure has a use for it)."""
from functools import wraps

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from .errors import BadRequest, PayloadTooLarge
from .i18n import gettext
from .models.types import ID_MAX



def _decimal_up_to(limit: int) -> str:
    """A regular expression matching the decimal numbers 1..limit, without leading zeros."""
    digits = str(limit)
    shorter = [rf"[1-9]\d{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    same = [digits[:i] + f"[{'1' if i == 0 else '0'}-{int(d) - 1}]" + rf"\d{{{len(digits) - i - 1}}}"
            for i, d in enumerate(digits) if int(d) > (1 if i == 0 else 0)]
    return "(?:" + "|".join([*shorter, *same, digits]) + ")"


class BoundedInt(IntegerConverter):
    """`<int:...>` in every route: 1..2^31-1, so that an id beyond the column is a 404 like any
    unknown id instead of an overflow in the database. The bound is in the pattern itself: a
    number beyond it matches no route (404), where a failed conversion after a route of the same
    path but another method had matched would answer 405."""
    regex = _decimal_up_to(ID_MAX)

    def __init__(self, map, fixed_digits=0, min=1, max=ID_MAX, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def upload_limit(max_bytes):
    """A view that accepts a body larger than MAX_CONTENT_LENGTH (procedure files), up to max_bytes
    (a number, or a function giving it when a request comes: a limit from the configuration),
    including single form fields that large (a diagram edited in the browser). The view reads the
    body itself and answers a too large one in its own words."""
    def mark(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            return view(*args, **kwargs)
        wrapped.upload_limit = max_bytes
        return wrapped
    return mark


def too_large() -> PayloadTooLarge:
    limit = request.max_content_length or 0
    return PayloadTooLarge(gettext("The request is too large: at most %(size)s.") % {"size": _size(limit)})


def _size(n: int) -> str:
    return f"{n // 2**20} MiB" if n >= 2**20 else f"{n // 2**10} KiB"


def nul_fields(value, name: str = "") -> list[str]:
    """The names (dotted, with [i] for list items) of the strings holding a NUL character."""
    if isinstance(value, str):
        return [name or "body"] if "\x00" in value else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            child = f"{name}.{key}" if name else str(key)
            found += [child.replace("\x00", "\\0")] if "\x00" in str(key) else nul_fields(item, child)
        return found
    if isinstance(value, list):
        return [hit for i, item in enumerate(value) for hit in nul_fields(item, f"{name}[{i}]")]
    return []


def _fields(multidict) -> dict:
    return {key: values[0] if len(values) == 1 else values for key, values in multidict.lists()}


def _body() -> dict:
    """The request's decoded body as {field: value(s)}: JSON, a form's fields and file names."""
    if request.is_json:
        body = request.get_json(silent=True)
        return body if isinstance(body, dict) else {"body": body}
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        names = {name: [f.filename or "" for f in files] for name, files in request.files.lists()}
        return {**_fields(request.form), **names}
    return {}


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedInt  # before any blueprint adds its routes

    @app.before_request
    def check_input():
        view = current_app.view_functions.get(request.endpoint)
        limit = getattr(view, "upload_limit", None)
        limit = limit() if callable(limit) else limit
        if limit:
            request.max_content_length = request.max_form_memory_size = limit
        found = ["path"] if "\x00" in request.path else []
        found += nul_fields(_fields(request.args))
        try:
            found += nul_fields(_body())
        except RequestEntityTooLarge:
            if limit:
                return None  # the upload view answers it in its own words
            raise too_large() from None
        if found:
            reason = gettext("contains a NUL character")
            raise BadRequest(gettext("Text must not contain NUL characters."), {name: [reason] for name in found})
        return None
