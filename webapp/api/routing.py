"""The route class of every JSON API router."""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException


class ApiRoute(APIRoute):
    """An APIRoute on which a body that is not UTF-8 is malformed JSON (422), like any other.

    FastAPI answers such a body with a bare 400 "error parsing the body"; API
    clients should see one kind of error, with Pydantic's error list, for every
    body that is not valid JSON.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except HTTPException as exc:  # Starlette's: FastAPI raises the base class here
                if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
                    raise RequestValidationError(
                        [
                            {
                                "type": "json_invalid",
                                "loc": ("body", exc.__cause__.start),
                                "msg": "JSON decode error",
                                "input": {},
                                "ctx": {"error": "Invalid UTF-8"},
                            }
                        ]
                    ) from exc
                raise

        return handle
