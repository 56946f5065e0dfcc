"""The route class of every JSON API router, and the 405s and OPTIONS of its paths."""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

# FastAPI's words for a body json.loads could not take (bad UTF-8, nesting too deep,
# a number of thousands of digits): everything but a plain JSONDecodeError.
_PARSE_FAILED = "There was an error parsing the body"


class ApiRoute(APIRoute):
    """An APIRoute on which every body that is not usable JSON is a 422, like any other
    invalid body: API clients see one kind of error, never a bare 400."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except HTTPException as exc:  # Starlette's: FastAPI raises the base class here
                if exc.status_code == 400 and exc.detail == _PARSE_FAILED:
                    raise RequestValidationError(
                        [
                            {
                                "type": "json_invalid",
                                "loc": ("body",),
                                "msg": "JSON decode error: not valid JSON text",
                            }
                        ]
                    ) from exc
                raise

        return handle


def answer_405(router: APIRouter, path: str, allowed: tuple[str, ...]) -> None:
    """Hidden routes answering OPTIONS with a 204 and every other method on `path` with a
    405, both naming all of `allowed` (and OPTIONS) in Allow: Starlette answers 405 from
    the first route whose path matches, so its Allow header would name only that route's
    methods. OPTIONS needs no token: which methods a path has is no secret."""
    allow = {"Allow": ", ".join((*allowed, "OPTIONS"))}

    async def refuse() -> None:
        raise HTTPException(status_code=405, headers=allow)

    async def options() -> Response:
        return Response(status_code=204, headers=allow)

    others = sorted({"GET", "POST", "PUT", "PATCH", "DELETE"} - set(allowed))
    if others:
        router.add_api_route(path, refuse, methods=others, include_in_schema=False)
    router.add_api_route(path, options, methods=["OPTIONS"], include_in_schema=False)
