"""One format for every error of the API (docs/api.md, "Errors"):

    {"status": 400, "code": "invalid", "detail": "Some fields are not valid.",
     "errors": {"note": ["This field may not be blank."]}}

``errors`` (field → messages) only for 400; a 409 carries ``current``: the referral as it is
now. ``code`` is stable and meant for programs; ``detail`` is for people.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
    422: "idempotency_key_reused",
    429: "throttled",
}


class Conflict(exceptions.APIException):
    """409: the referral is not as the client believes (``stale``: it changed since the ETag the
    client sent; ``not_allowed``: its state does not allow the move). Carries the referral now."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    def __init__(self, detail: str, *, code: str, current: dict):
        super().__init__(detail=detail, code=code)
        self.error_code = code
        self.current = current


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was used with another request body or path."


def _messages(detail) -> list[str]:
    if isinstance(detail, list):
        return [str(item) for item in detail]
    if isinstance(detail, dict):
        return [f"{key}: {message}" for key, value in detail.items() for message in _messages(value)]
    return [str(detail)]


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = CODES.get(response.status_code, "error")
    body: dict = {"status": response.status_code, "code": code}
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body["detail"] = "Some fields are not valid."
        body["errors"] = {str(field): _messages(messages) for field, messages in detail.items()}
    elif isinstance(exc, exceptions.ParseError):
        body["detail"] = str(exc.detail)
        body["errors"] = {"non_field_errors": [str(exc.detail)]}
    elif isinstance(exc, Conflict):
        body.update(code=exc.error_code, detail=str(exc.detail), current=exc.current)
    else:
        body["detail"] = " ".join(_messages(exc.detail)) if hasattr(exc, "detail") else str(exc)
        if isinstance(exc, exceptions.AuthenticationFailed):
            body["code"] = "authentication_failed" if response.status_code == 401 else code
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            body["retry_after"] = int(exc.wait + 0.999)
    response.data = body
    return response


def error_response(status_code: int, *, code: str | None = None, detail: str) -> Response:
    return Response({"status": status_code, "code": code or CODES.get(status_code, "error"), "detail": detail},
                    status=status_code)
