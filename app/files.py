"""Files people upload (a case's attachments), for the API and the pages alike: reading the
upload within its limit, and answering with a stored file: always a download under its cleaned name, of the type read from its content, which the browser
must not guess at nor run (nosniff, a sandboxing CSP), and which no shared cache keeps."""
from io import BytesIO

from flask import Response, current_app, request, send_file
from werkzeug.exceptions import RequestEntityTooLarge


def stored_file(content: bytes, content_type: str, file_name: str, inline: bool = False):
    response = send_file(BytesIO(content), mimetype=content_type, as_attachment=not inline,
                         download_name=file_name, conditional=False, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def rendered_file(content: bytes | str, mimetype: str, file_name: str, inline: bool):
    """A document the app rendered for this request in the format it asked for (by ?format= or
    its Accept header): shown when inline, else a download under `file_name`."""
    response = Response(content, mimetype=mimetype)
    response.headers["Vary"] = "Accept"
    if not inline:
        response.headers["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


def uploaded_file(field: str = "file") -> tuple[str | None, bytes | None]:
    """The name and content of a multipart body's `field` part, read no further than the
    attachment limit plus one byte (the view is marked @upload_limit(attachment_request_bytes):
    a larger body is refused unread, with the limit named)."""
    from .services import casefiles
    try:
        part = request.files.get(field) if request.mimetype == "multipart/form-data" else None
    except RequestEntityTooLarge:
        raise casefiles.too_large() from None
    if part is None:
        return None, None
    return part.filename, part.stream.read(casefiles.max_bytes() + 1)


def attachment_request_bytes() -> int:
    """The largest request an attachment upload may send: the file and its multipart envelope."""
    return current_app.config["ATTACHMENT_MAX_BYTES"] + 64 * 1024


def uploaded_csv(limit: int) -> bytes | None:
    """A CSV file sent as the multipart part `file` (a page's upload) or as the whole body
    (`text/csv`, the API), read no further than `limit` plus one byte (the view is marked
    @upload_limit: a larger body is refused unread, with the limit named)."""
    from .request_guards import too_large
    try:
        if request.mimetype == "multipart/form-data":
            part = request.files.get("file")
            return part.stream.read(limit + 1) if part is not None and part.filename else None
        return request.get_data(cache=False)[:limit + 1] or None
    except RequestEntityTooLarge:
        raise too_large() from None
