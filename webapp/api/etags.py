"""ETags for the JSON API: what If-Match (412) and If-None-Match (304) compare.

One task's, project's or label's tag is strong, from its version ("<id>-<version>"),
so If-Match can pin a change to it (the service checks the version under the row's
lock, so two changes against one version cannot both pass). A task list's tag is weak,
from the user's tasks_version and the query. The database bumps tasks_version as it
commits any change to the user's tasks, projects or labels (migration 0010), and it is
read with the bearer token, before the list: no statement of its own, and a 304 needs
none but the token's. A change between the two reads leaves the tag older than the
list, which only costs the next conditional GET a full answer, never a wrong 304; a
change to a project or a label makes a new tag for a list that may not have changed,
which costs the same. Lists of projects and labels are small: their tags hash what is
sent.
"""

import hashlib
import json
from typing import Annotated, Any

from fastapi import Header, HTTPException, Request, Response

ETAG = {
    "ETag": {
        "description": "This answer's version: send it back as If-None-Match (304 while "
        "unchanged) or, on one task, project or label, as If-Match (412 once it has changed)",
        "schema": {"type": "string"},
        "required": True,
    }
}
# `str`, not `str | None`: a header is absent or text, never null (the default None is
# what FastAPI passes for an absent one).
IfMatch = Annotated[
    str,
    Header(
        description="Refuse the change (412) unless the task, project or label still has "
        "one of these ETags, or any for `*` (any other text matches none)",
        examples=['"1-1"'],
    ),
]
IfNoneMatch = Annotated[
    str,
    Header(
        description="Answer 304 with no body while the ETag is still one of these (any other "
        "text matches none)",
        examples=['"1-1"'],
    ),
]


def _tags(header: str) -> set[str]:
    return {tag.strip() for tag in header.split(",")}


def row_etag(row: Any) -> str:
    """The strong tag of one task, project or label: its id and version."""
    return f'"{row.id}-{row.version}"'


def list_etag(request: Request, version: int) -> str:
    digest = hashlib.sha256(f"{version}?{request.url.query}".encode()).hexdigest()[:20]
    return f'W/"{digest}"'


def content_etag(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return f'"{hashlib.sha256(text.encode()).hexdigest()[:20]}"'


def tag_row(row: Any, response: Response, if_none_match: str | None = None) -> None:
    """`row`'s ETag on `response`, or a 304 when If-None-Match already names it."""
    tag = row_etag(row)
    check_not_modified(if_none_match, tag)
    response.headers["ETag"] = tag


def tagged(payload: Any, response: Response, if_none_match: str | None) -> Any:
    """`payload` with its content's ETag, or a 304 when If-None-Match already names it."""
    tag = content_etag(payload)
    check_not_modified(if_none_match, tag)
    response.headers["ETag"] = tag
    return payload


def check_not_modified(if_none_match: str | None, etag: str) -> None:
    """304 when If-None-Match names `etag` (the weak comparison, RFC 9110 13.1.2)."""
    if if_none_match is None:
        return
    tags = {tag.removeprefix("W/") for tag in _tags(if_none_match)}
    if "*" in tags or etag.removeprefix("W/") in tags:
        raise HTTPException(status_code=304, headers={"ETag": etag})


def expected_version(row: Any, if_match: str | None, what: str = "task") -> int | None:
    """The version an If-Match pins the change to `row` to; 412 when it names another.

    If-Match uses the strong comparison (RFC 9110 13.1.1): a weak tag never matches.
    `what` ("task", "project", "label") names the row in the 412's detail.
    """
    if if_match is None:
        return None
    tags = _tags(if_match)
    if "*" in tags or row_etag(row) in tags:
        return row.version
    raise precondition_failed(row, what)


def changed_detail(what: str) -> str:
    return f"The {what} has changed since you read it; GET it again"


def precondition_failed(current: Any, what: str = "task") -> HTTPException:
    """The 412 for a change refused because `current` (a task, project or label) has
    another version: its ETag is sent, so the caller can compare."""
    return HTTPException(
        status_code=412, detail=changed_detail(what), headers={"ETag": row_etag(current)}
    )
