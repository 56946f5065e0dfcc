"""ETags for the JSON API: what If-Match (412) and If-None-Match (304) compare.

A task's tag is strong, from its version ("<id>-<version>"), so If-Match can pin a
change to it (the version is a condition of the UPDATE itself). A list's tag is weak,
from the user's tasks_version and the query. The database bumps tasks_version as it
commits any change to the user's tasks, projects or labels (migration 0010), and it is
read with the bearer token, before the list: no statement of its own, and a 304 needs
none but the token's. A change between the two reads leaves the tag older than the
list, which only costs the next conditional GET a full answer, never a wrong 304; a
change to a project or a label makes a new tag for a list that may not have changed,
which costs the same. Projects and labels are small: their tags hash what is sent.
"""

import hashlib
import json
from typing import Annotated, Any

from fastapi import Header, HTTPException, Request, Response

ETAG = {
    "ETag": {
        "description": "This answer's version: send it back as If-None-Match (304 while "
        "unchanged) or, on a task, as If-Match (412 once it has changed)",
        "schema": {"type": "string"},
        "required": True,
    }
}
# `str`, not `str | None`: a header is absent or text, never null (the default None is
# what FastAPI passes for an absent one).
IfMatch = Annotated[
    str,
    Header(
        description="Refuse the change (412) unless the task still has one of these ETags "
        "(any other text matches none)",
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


def task_etag(task: Any) -> str:
    return f'"{task.id}-{task.version}"'


def list_etag(request: Request, version: int) -> str:
    digest = hashlib.sha256(f"{version}?{request.url.query}".encode()).hexdigest()[:20]
    return f'W/"{digest}"'


def content_etag(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return f'"{hashlib.sha256(text.encode()).hexdigest()[:20]}"'


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


def expected_version(task: Any, if_match: str | None) -> int | None:
    """The version an If-Match pins the change to; 412 when it names another one.

    If-Match uses the strong comparison (RFC 9110 13.1.1): a weak tag never matches.
    """
    if if_match is None:
        return None
    tags = _tags(if_match)
    if "*" in tags or task_etag(task) in tags:
        return task.version
    raise precondition_failed(task)


def precondition_failed(current: Any) -> HTTPException:
    return HTTPException(
        status_code=412,
        detail="The task has changed since you read it; GET it again",
        headers={"ETag": task_etag(current)},
    )
