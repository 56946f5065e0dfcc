"""Error answers for scripts: always `{"detail": ..., "code": ...}`, JSON that serialises.

`detail` is for people, `code` for programs (stable, documented per operation). A 422
lists what was wrong without echoing the input back: input may hold a lone surrogate,
NaN or a megabyte of text, none of which belongs in (or survives) an error body.
"""

import math
from http import HTTPStatus
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from webapp.schemas.task import BODY_SHAPE_TAGS

CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    412: "precondition_failed",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_attempts",
    500: "internal_error",
    503: "unavailable",
}


def code_for(status_code: int) -> str:
    return CODES.get(status_code, HTTPStatus(status_code).phrase.lower().replace(" ", "_"))


def error_body(status_code: int, detail: object, **extra: Any) -> dict[str, Any]:
    return {"detail": detail, "code": code_for(status_code), **extra}


async def http_error(request: Request, exc: HTTPException) -> Response:
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=exc.headers)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return JSONResponse(
        error_body(exc.status_code, _text(detail)), status_code=exc.status_code, headers=exc.headers
    )


def _text(value: object) -> str:
    """Any value as text that encodes: lone surrogates become U+FFFD."""
    return str(value).encode("utf-8", "replace").decode("utf-8")


def _loc_part(part: object) -> str | int:
    if isinstance(part, int) and not isinstance(part, bool):
        return part
    if isinstance(part, float) and not math.isfinite(part):
        return "?"
    return _text(part)[:100]


def _loc(loc: tuple | list) -> list[str | int]:
    """The place of an error as the client wrote it: a body that is one of two shapes
    (schemas.api.TaskCreateBody) has its shape's tag left out of the path."""
    parts = list(loc)
    if len(parts) > 1 and parts[0] == "body" and parts[1] in BODY_SHAPE_TAGS:
        del parts[1]
    return [_loc_part(part) for part in parts][:10]


def validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Where and what, never the input: [{"loc": [...], "msg": ..., "type": ...}]."""
    return [
        {
            "loc": _loc(error.get("loc", ())),
            "msg": _text(error.get("msg", "Invalid value"))[:300],
            "type": _text(error.get("type", "value_error"))[:50],
        }
        for error in exc.errors()[:50]
    ]


async def validation_error(request: Request, exc: RequestValidationError) -> Response:
    return JSONResponse(error_body(422, validation_errors(exc)), status_code=422)


async def task_not_found(request: Request, exc: Exception) -> Response:
    return JSONResponse(error_body(404, "Task not found"), status_code=404)


def unavailable(request: Request, retry_after: int) -> Response:
    body = error_body(503, "The database is temporarily unavailable; try again shortly")
    return JSONResponse(body, status_code=503, headers={"Retry-After": str(retry_after)})


def server_error(request: Request, request_id: str) -> Response:
    body = error_body(500, "Internal server error", request_id=request_id)
    return JSONResponse(body, status_code=500)
