"""Keyset paging for API lists: where a page starts, and the Link to the next one.

A cursor names the last task of the previous page in the list's own order, so it is
only good with the `sort` it was made for: any other string is a 422, never a page
that starts somewhere else.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Query, Request
from fastapi.exceptions import RequestValidationError

from webapp.services.task_service import Sort
from webapp.services.task_service import decode_cursor as decode_keyset

LINK_HEADER = {
    "Link": {
        "description": 'The next page, when there may be one: <url>; rel="next"',
        "schema": {"type": "string"},
    }
}


def _bad_cursor(cursor: str) -> RequestValidationError:
    return RequestValidationError(
        [
            {
                "type": "value_error",
                "loc": ("query", "cursor"),
                "msg": "Value error, not a cursor from this API's Link header",
                "input": cursor,
            }
        ]
    )


@dataclass(frozen=True)
class PageStart:
    sort: Sort
    after: tuple | None  # the keyset of the previous page's last task, in `sort` order


async def page_start(
    sort: Annotated[
        Sort,
        Query(
            description="created: newest first; manual: the user's own order (see /move); "
            "priority: high first, then the manual order; due: soonest due first, undated last"
        ),
    ] = Sort.created,
    cursor: Annotated[
        str | None,
        Query(max_length=200, description="From the previous page's Link header; opaque"),
    ] = None,
) -> PageStart:
    """Where the page starts in its order; a cursor of another order, or none of ours, is
    a 422."""
    if cursor is None:
        return PageStart(sort, None)
    key = decode_keyset(cursor, sort)
    if key is None:
        raise _bad_cursor(cursor)
    return PageStart(sort, key)


def next_link(request: Request, cursor: str) -> str:
    """The Link header's value for the page after this one: this request with `cursor`."""
    # A path, not an absolute URL: the request's Host header is not ours to echo.
    next_url = request.url.include_query_params(cursor=cursor)
    query = f"?{next_url.query}" if next_url.query else ""
    return f'<{next_url.path}{query}>; rel="next"'
