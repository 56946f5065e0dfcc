"""The JSON API over the caller's labels: `/api/{user_id}/labels/`.

Labels are made by naming them on a task (POST or PUT `labels`), so there is no
create here: only listing, renaming, recolouring and deleting. A rename or a delete
reaches every task with the label (LabelService); renaming onto another label's
name is a 409, as on the labels page, never a silent merge. As on tasks, If-Match pins
a change or a delete to the version read (412 once the label has another).
"""

from fastapi import APIRouter, HTTPException, Response

from webapp.api.deps import (
    COMMON,
    LABEL_CHANGED,
    LABEL_NOT_FOUND,
    NOT_MODIFIED,
    TOO_LARGE,
    OwnedApiLabel,
    PathOwner,
    error_doc,
    label_not_found,
)
from webapp.api.etags import (
    ETAG,
    IfMatch,
    IfNoneMatch,
    expected_version,
    precondition_failed,
    row_etag,
    tag_row,
    tagged,
)
from webapp.api.routing import ApiRoute, answer_405
from webapp.db import SessionDep
from webapp.schemas import api as body
from webapp.schemas.project import LabelResponse
from webapp.services.label_service import (
    LabelChange,
    LabelNameTaken,
    LabelNotFound,
    LabelService,
    StaleLabelError,
)

router = APIRouter(prefix="/api/{user_id:id}/labels", tags=["labels"], route_class=ApiRoute)

NAME_TAKEN = "You already have a label with this name"
RENAME_CONFLICT = error_doc(
    "Another of the caller's labels has this name (whatever its case)", NAME_TAKEN, "conflict"
)


READ = {200: {"headers": ETAG}, 304: NOT_MODIFIED, **COMMON}


@router.get("/", response_model=list[LabelResponse], responses=READ, summary="List labels, by name")
@router.get("", response_model=list[LabelResponse], include_in_schema=False)
async def list_labels(
    owner: PathOwner, session: SessionDep, response: Response, if_none_match: IfNoneMatch = None
) -> list[dict]:
    labels = await LabelService(session).list_labels(owner.id)
    payload = [LabelResponse.model_validate(label).model_dump(mode="json") for label in labels]
    return tagged(payload, response, if_none_match)


@router.get(
    "/{label_id:id}",
    response_model=LabelResponse,
    responses={**READ, 404: LABEL_NOT_FOUND},
    summary="Get a label",
)
async def get_label(
    label: OwnedApiLabel, response: Response, if_none_match: IfNoneMatch = None
) -> LabelResponse:
    tag_row(label, response, if_none_match)
    return LabelResponse.model_validate(label)


UPDATE_RESPONSES = {
    200: {"headers": ETAG},
    **COMMON,
    404: LABEL_NOT_FOUND,
    409: RENAME_CONFLICT,
    412: LABEL_CHANGED,
    413: TOO_LARGE,
}


def _changed(exc: StaleLabelError) -> HTTPException:
    return precondition_failed(exc.current, "label")


@router.put(
    "/{label_id:id}",
    response_model=LabelResponse,
    responses=UPDATE_RESPONSES,
    summary="Rename or recolour a label",
)
@router.patch(
    "/{label_id:id}",
    response_model=LabelResponse,
    responses=UPDATE_RESPONSES,
    summary="Rename or recolour a label (the same as PUT)",
)
async def update_label(
    label: OwnedApiLabel,
    data: body.LabelUpdate,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> LabelResponse:
    """A partial update: fields left out (or null) keep their value. A new name is given
    to every task that has the label."""
    version = expected_version(label, if_match, "label")
    try:
        updated = await LabelService(session).update_label(
            label.user_id,
            label.id,
            LabelChange(name=data.name, color=data.color),
            expected_version=version,
        )
    except StaleLabelError as exc:
        raise _changed(exc) from None
    except LabelNotFound:
        raise label_not_found() from None
    except LabelNameTaken:
        raise HTTPException(status_code=409, detail=NAME_TAKEN) from None
    response.headers["ETag"] = row_etag(updated)
    return LabelResponse.model_validate(updated)


@router.delete(
    "/{label_id:id}",
    status_code=204,
    response_class=Response,
    responses={**COMMON, 404: LABEL_NOT_FOUND, 412: LABEL_CHANGED},
    summary="Delete a label",
)
async def delete_label(
    label: OwnedApiLabel, session: SessionDep, if_match: IfMatch = None
) -> Response:
    """The label goes, and so does its name from every task that had it (the tasks stay)."""
    version = expected_version(label, if_match, "label")
    try:
        await LabelService(session).delete_label(label.user_id, label.id, expected_version=version)
    except StaleLabelError as exc:
        raise _changed(exc) from None
    except LabelNotFound:
        raise label_not_found() from None
    return Response(status_code=204)


# Every method each path has, named in its 405s.
for _path, _methods in (
    ("/", ("GET", "HEAD")),
    ("", ("GET", "HEAD")),
    ("/{label_id:id}", ("GET", "HEAD", "PUT", "PATCH", "DELETE")),
):
    answer_405(router, _path, _methods)
