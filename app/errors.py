"""The errors services raise; the web layers turn them into HTTP answers. A message is the English
text, a msgid of the catalogue (app/translations/), translated where the answer is made; a message
with variables is an N_(...) Message that keeps its msgid and `%(name)s` values."""
from .i18n import N_


class ServiceError(Exception):
    status = 400
    code = "bad_request"
    keeps_changes = False  # True: commit what the refused request wrote (a failed sign-in count)

    def __init__(self, message: str, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    def to_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


class BadRequest(ServiceError):
    status, code = 400, "bad_request"


class Unauthorized(ServiceError):
    status, code = 401, "unauthorized"


class Forbidden(ServiceError):
    status, code = 403, "forbidden"


class NotFound(ServiceError):
    status, code = 404, "not_found"


class Conflict(ServiceError):
    status, code = 409, "conflict"


class ValidationFailed(ServiceError):
    status, code = 422, "validation_failed"


class EngineFailure(ServiceError):
    """A diagram or handler failed while the engine ran; nothing was saved."""
    status, code = 500, "engine_error"


class InstanceInError(Conflict):
    """A step failed: the instance waits in error for an admin, with what was submitted kept
    for the retry. That mark is committed although the request is refused."""
    code = "instance_error"
    keeps_changes = True

    def __init__(self, element_id: str | None, reason: str, message: str | None = None):
        super().__init__(message or N_("the procedure stopped at element '%(element)s' (%(reason)s): your answers are "
                                       "kept and an admin was told", element=element_id, reason=reason))
        self.element_id, self.reason = element_id, reason

    def to_dict(self) -> dict:
        body = super().to_dict()
        body["error"]["element_id"] = self.element_id
        return body


class InstanceSuspended(Conflict):
    code = "instance_suspended"


class PayloadTooLarge(ServiceError):
    status, code = 413, "payload_too_large"


class InvalidProcedure(ValidationFailed):
    """Procedure files that were refused: the problems say file and element, one by one."""

    def __init__(self, message: str, problems: list[dict]):
        super().__init__(message, {"files": [_where(p) + p["message"] for p in problems]})
        self.problems = problems

    def to_dict(self) -> dict:
        body = super().to_dict()
        body["error"]["problems"] = self.problems
        return body


def _where(problem: dict) -> str:
    where = ":".join(part for part in (problem.get("file"), problem.get("element_id")) if part)
    return f"{where}: " if where else ""
