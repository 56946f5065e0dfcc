"""Pages for organising tasks: the projects page and the labels page, and their forms.

Plain forms answered by a 303 back to the page with a one-time notice, so all of it
works with JavaScript off. A project or label that is not the user's is a 404.
"""

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from webapp.db import SessionDep
from webapp.schemas.project import LabelUpdate, ProjectCreate, ProjectUpdate
from webapp.services.due_dates import DueRange
from webapp.services.label_service import LabelChange, LabelNameTaken, LabelNotFound, LabelService
from webapp.services.overview import overview
from webapp.services.project_service import (
    InboxProtected,
    ProjectNameTaken,
    ProjectNotEmpty,
    ProjectNotFound,
    ProjectService,
)
from webapp.services.task_query import TaskFilter
from webapp.web.deps import CsrfProtected, CurrentUser
from webapp.web.flash import Notice, clear_flash, read_flash, undo_token
from webapp.web.forms import form_values, parse_form, read_form
from webapp.web.htmx import redirect_back, render_page
from webapp.web.task_views import errors_sentence, user_clock

router = APIRouter(include_in_schema=False, dependencies=[CsrfProtected])

PROJECTS_PAGE, LABELS_PAGE = "/projects", "/labels"
TAKEN = "You already have a project with this name."
LABEL_TAKEN = "You already have a label with this name."
INBOX_FIXED = "The Inbox stays as it is: it cannot be renamed, archived or deleted."


def _not_found(what: str) -> HTTPException:
    return HTTPException(status_code=404, detail=f"There is no such {what} (any more).")


async def _page(
    request: Request,
    session: SessionDep,
    user_id: int,
    template: str,
    status_code: int = 200,
    **ctx: Any,
) -> Response:
    notice = ctx.pop("notice", None) or read_flash(request)
    shell = await overview(session, user_id, TaskFilter(), DueRange.today(user_clock(request)))
    response = render_page(
        request, template, {"shell": shell, "notice": notice, **ctx}, status_code=status_code
    )
    clear_flash(request, response)
    return response


async def _not_saved(
    request: Request,
    session: SessionDep,
    user_id: int,
    template: str,
    item_id: int,
    errors: dict[str, str],
    values: dict[str, str],
) -> Response:
    """A rename refused: the list page again, that one item's field as typed, and why."""
    return await _page(
        request,
        session,
        user_id,
        template,
        422,
        errors={item_id: errors},
        values={item_id: values},
        notice=Notice(f"Not saved. {errors_sentence(errors)}"),
    )


@router.get("/projects")
async def projects_page(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    return await _page(request, session, user.id, "projects.html", errors={}, values={})


@router.post("/projects")
async def create_project(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    values = form_values(await read_form(request), ("name",))
    data, errors = parse_form(ProjectCreate, values)
    if data is not None:
        try:
            project = await ProjectService(session).create_project(user.id, data.name)
        except ProjectNameTaken:
            errors = {"name": TAKEN}
        else:
            notice = Notice(f"Project “{project.name}” added. New tasks here go into it.")
            return redirect_back(request, f"/tasks?project={project.id}", notice)
    return await _page(
        request,
        session,
        user.id,
        "projects.html",
        422,
        errors=errors,
        values=values,
        notice=Notice(f"Project not added. {errors_sentence(errors)}"),
    )


@router.post("/projects/{project_id:id}")
async def update_project(
    request: Request, project_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    """Rename (`name`) and/or archive or restore (`archived=true|false`)."""
    values = form_values(await read_form(request), ("name", "archived"))
    data, errors = parse_form(ProjectUpdate, values)
    service = ProjectService(session)
    if data is not None:
        try:
            project = await service.update_project(
                user.id, project_id, name=data.name, archived=data.archived
            )
        except ProjectNotFound:
            raise _not_found("project") from None
        except InboxProtected:
            errors = {"name": INBOX_FIXED}
        except ProjectNameTaken:
            errors = {"name": TAKEN}
        else:
            if data.archived is not None and "name" not in values:
                done = "archived" if project.archived else "restored"
                return redirect_back(request, PROJECTS_PAGE, Notice(f"“{project.name}” {done}."))
            return redirect_back(request, PROJECTS_PAGE, Notice(f"Saved “{project.name}”."))
    return await _not_saved(request, session, user.id, "projects.html", project_id, errors, values)


@router.post("/projects/{project_id:id}/move")
async def move_project(
    request: Request, project_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    direction = form_values(await read_form(request), ("direction",)).get("direction")
    try:
        project = await ProjectService(session).move_project(
            user.id, project_id, up=direction != "down"
        )
    except ProjectNotFound:
        raise _not_found("project") from None
    except InboxProtected:
        return redirect_back(request, PROJECTS_PAGE, Notice("The Inbox always comes first."))
    moved = "up" if direction != "down" else "down"
    return redirect_back(request, PROJECTS_PAGE, Notice(f"Moved “{project.name}” {moved}."))


@router.get("/projects/{project_id:id}/delete")
async def confirm_delete(
    request: Request, project_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    service = ProjectService(session)
    try:
        project = await service.get_project(user.id, project_id)
    except ProjectNotFound:
        raise _not_found("project") from None
    count = await service.task_count(user.id, project_id)
    return await _page(
        request, session, user.id, "project_delete.html", project=project, count=count
    )


@router.post("/projects/{project_id:id}/delete")
async def delete_project(
    request: Request, project_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    """Delete; with tasks, `tasks=inbox` moves them there, `tasks=delete` deletes them too
    (undoable). Without a choice the question is asked (409)."""
    choice = form_values(await read_form(request), ("tasks",)).get("tasks")
    service = ProjectService(session)
    try:
        project, count, undo_id = await service.delete_project(
            user.id,
            project_id,
            choice if choice in ("inbox", "delete") else None,  # type: ignore[arg-type]
        )
    except ProjectNotFound:
        raise _not_found("project") from None
    except InboxProtected:
        return redirect_back(request, PROJECTS_PAGE, Notice(INBOX_FIXED))
    except ProjectNotEmpty as exc:
        project = await service.get_project(user.id, project_id)
        return await _page(
            request,
            session,
            user.id,
            "project_delete.html",
            409,
            project=project,
            count=exc.count,
            notice=Notice("Choose what happens to its tasks."),
        )
    if undo_id is not None:
        token = undo_token(request, user.id, undo_id)
        notice = Notice(f"Deleted “{project.name}” and its {_tasks(count)}.", undo=token)
    elif count:
        notice = Notice(f"Deleted “{project.name}”; its {_tasks(count)} moved to the Inbox.")
    else:
        notice = Notice(f"Deleted “{project.name}”.")
    return redirect_back(request, "/tasks", notice)


def _tasks(count: int) -> str:
    return "task" if count == 1 else f"{count} tasks"


@router.get("/labels")
async def labels_page(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    return await _page(request, session, user.id, "labels.html", errors={}, values={})


@router.post("/labels/{label_id:id}")
async def update_label(
    request: Request, label_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    """Rename (`name`) and/or recolour (`color`); a rename follows onto every task."""
    values = form_values(await read_form(request), ("name", "color"))
    data, errors = parse_form(LabelUpdate, values)
    if data is not None:
        try:
            label = await LabelService(session).update_label(
                user.id, label_id, LabelChange(name=data.name, color=data.color)
            )
        except LabelNotFound:
            raise _not_found("label") from None
        except LabelNameTaken:
            errors = {"name": LABEL_TAKEN}
        else:
            return redirect_back(request, LABELS_PAGE, Notice(f"Saved label “{label.name}”."))
    return await _not_saved(request, session, user.id, "labels.html", label_id, errors, values)


@router.post("/labels/{label_id:id}/delete")
async def delete_label(
    request: Request, label_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    try:
        label = await LabelService(session).delete_label(user.id, label_id)
    except LabelNotFound:
        raise _not_found("label") from None
    notice = Notice(f"Deleted label “{label.name}”; its tasks keep everything else.")
    return redirect_back(request, LABELS_PAGE, notice)
