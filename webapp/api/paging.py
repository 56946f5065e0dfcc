"""Keyset paging for API lists: where a page starts, and the Link to the next one.

A cursor names the last task of the previous page in the list's own order and says
which order that is, so it wins over `sort`. Its pattern in the schema is exactly what
decode_cursor reads: any other string is a 422, never a page that starts somewhere else.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Query, Request
from fastapi.exceptions import RequestValidationError

from webapp.services.task_service import Sort
from webapp.services.task_service import decode_cursor as decode_keyset

# decode_cursor's forms: created, updated ("u"), manual ("m"), priority ("p" and a rank).
_STAMP_ID = r"[0-9]{1,17}-[0-9]{1,10}"
_RANK_ID = r"-?[0-9]{1,19}_[0-9]{1,10}"
CURSOR_PATTERN = f"^({_STAMP_ID}|u{_STAMP_ID}|m{_RANK_ID}|p[0-2]\\.{_RANK_ID})$"
_PREFIXES = {"u": Sort.updated, "m": Sort.manual, "p": Sort.priority}

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


# RFC 3339 as the schema's date-time format has it, narrowed to what Python and PostgreSQL
# both read: years 1970-2999, no leap second, at most microseconds, an offset required.
SINCE_PATTERN = (
    r"^(19[7-9][0-9]|2[0-9]{3})-[0-9]{2}-[0-9]{2}[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(\.[0-9]{1,6})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)
Since = Annotated[
    str | None,
    Query(
        pattern=SINCE_PATTERN,
        json_schema_extra={"format": "date-time"},
        description="Changed at or after this time, inclusive (RFC 3339 with an offset): pass "
        "the Sync-Since header of your previous read",
    ),
]


SYNC_SINCE_HEADER = {
    "Sync-Since": {
        "description": "Where your next read may start and miss nothing (RFC 3339, UTC): pass "
        "it as updated_since, and as the deletions list's since, next time. The newest "
        "timestamp you saw is not as safe: a writer that started earlier may commit later.",
        "schema": {"type": "string", "format": "date-time"},
        "required": True,
    }
}


def sync_since_header(moment: datetime) -> dict[str, str]:
    text = moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    return {"Sync-Since": text}


def parse_since(value: str | None) -> datetime | None:
    """A `Since` value as a datetime; its pattern and format already ruled out the rest."""
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:  # a day the month has not (30 February)
        raise RequestValidationError(
            [{"type": "value_error", "loc": ("query", "since"), "msg": "Not a date-time"}]
        ) from None


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
        Query(
            pattern=CURSOR_PATTERN,
            description="From the previous page's Link header: it names its own order, "
            "which wins over `sort`",
        ),
    ] = None,
) -> PageStart:
    """Where the page starts, in the cursor's order; a string that is none of ours is a 422."""
    if cursor is None:
        return PageStart(sort, None)
    sort = _PREFIXES.get(cursor[:1], Sort.created)
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
