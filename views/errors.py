"""One JSON error shape for every API error, so a client needs one error path, not six.

Every error under ``/api`` answers with::

    {"error": {"status": 400, "code": "bad-parameter", "message": "...",
               "parameter": "radius", "allowed": "a number from 0.1 to 100"}}

``parameter`` and ``allowed`` appear only when one parameter is at fault. The handlers are
registered on the API blueprint, so the site's friendly HTML error pages are untouched, and
(because Flask looks at blueprint handlers before the app's) they win for API requests even
where the app has its own handler for the same status.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response
from werkzeug.exceptions import HTTPException

from search.snapshot import NoIndex

JSON_TYPE = "application/json"
# The code a client can switch on, by status; messages are for people and may change.
CODES = {
    400: "bad-request",
    401: "unauthorised",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    413: "too-large",
    414: "uri-too-long",
    429: "too-many-requests",
    431: "headers-too-large",
    500: "server-error",
    501: "not-implemented",
    503: "unavailable",
}
MESSAGES = {
    404: "There is nothing at this address. The API's endpoints are listed at /api/v1.",
    429: "Too many requests. Wait a minute, then try again more slowly.",
    500: "Something went wrong on our side. Please try again; if it keeps happening, tell us.",
}
RETRY_AFTER_SECONDS = {429: 60, 503: 60}


class ApiError(Exception):
    """An error to send in the API's shape; raise it anywhere inside an API view."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        parameter: str | None = None,
        allowed: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or CODES.get(status, "error")
        self.parameter = parameter
        self.allowed = allowed
        self.headers = headers or {}
        self.extra = extra


def error_body(error: ApiError) -> dict[str, Any]:
    body: dict[str, Any] = {"status": error.status, "code": error.code, "message": error.message}
    if error.parameter is not None:
        body["parameter"] = error.parameter
    if error.allowed is not None:
        body["allowed"] = error.allowed
    body.update(error.extra)
    return {"error": body}


def error_response(error: ApiError) -> Response:
    response = Response(
        json.dumps(error_body(error), ensure_ascii=False),
        status=error.status,
        mimetype=JSON_TYPE,
    )
    response.headers["Cache-Control"] = "no-store"
    if error.status in RETRY_AFTER_SECONDS:
        response.headers.setdefault("Retry-After", str(RETRY_AFTER_SECONDS[error.status]))
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def from_http(error: HTTPException) -> ApiError:
    """A werkzeug HTTP error (404, 405, 429 from a rate limiter, ...) in the API's shape."""
    status = error.code or 500
    message = MESSAGES.get(status) or (error.description or error.name or "Error").strip()
    headers = {}
    if error.response is None:
        for name, value in error.get_headers():
            if name.lower() in ("allow", "retry-after"):
                headers[name] = value
    else:
        for name in ("Allow", "Retry-After"):
            if name in error.response.headers:
                headers[name] = error.response.headers[name]
    return ApiError(status, message, headers=headers)


def register(bp: Blueprint) -> None:
    """Answer every error raised while handling ``bp``'s requests in the JSON shape."""

    @bp.errorhandler(ApiError)
    def api_error(error: ApiError) -> Response:
        return error_response(error)

    @bp.errorhandler(NoIndex)
    def no_index(_error: NoIndex) -> Response:
        return error_response(
            ApiError(
                503,
                "The directory is not ready yet: its search index has not been built. "
                "Try again in a few minutes.",
                code="no-index",
            )
        )

    def http_error(error: HTTPException) -> Response:
        # Flask has already logged an unhandled exception before calling this for the 500.
        return error_response(from_http(error))

    # By status as well as by class: Flask prefers any handler registered for the status
    # (such as the app's HTML 404 page) over a class handler, blueprint or not.
    for status in CODES:
        bp.register_error_handler(status, http_error)
    bp.register_error_handler(HTTPException, http_error)
