"""The task list: one page, and a small fragment answering each htmx action.

Every action is a plain form POST answered by a 303 back to the same filtered view with a
one-time flash, so it all works with JavaScript off. With htmx the same URL answers with
the fragment to swap, plus out-of-band pieces (counter, bulk actions, notices).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from webapp.db import SessionDep
from webapp.models.base import utcnow
from webapp.models.task import Priority, Task
from webapp.schemas.task import TaskCreate, TaskUpdate
from webapp.services.task_service import StaleTaskError, TaskService, encode_cursor
from webapp.web.deps import CsrfProtected, CurrentUser, OwnedTask
from webapp.web.flash import Notice, clear_flash, read_flash, read_undo_token, set_flash, undo_token
from webapp.web.forms import form_values, parse_form
from webapp.web.listview import ListView, exact_time, relative_time
from webapp.web.templating import templates

PAGE_SIZE = 50
VARY = "HX-Request, HX-Request-Type"
TASK_FIELDS = ("title", "description", "priority")

router = APIRouter(include_in_schema=False, dependencies=[CsrfProtected])

Part = tuple[str, Mapping[str, Any]]


@dataclass
class FormState:
    """What a form shows: the user's input (kept on errors) and a message per field."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    version: int | None = None


def is_fragment_request(request: Request) -> bool:
    # htmx 4 sends back/forward restores without HX-Request and with type "full":
    # those, like plain browser requests, get the whole page.
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Request-Type") == "partial"
    )


def action_view(request: Request, return_to: object) -> ListView:
    """The list view an action came from, to answer with or redirect back to.

    htmx tells us the address bar (always current, even after hx-push-url); a plain
    form carries `return_to`. Either way only a /tasks view comes out.
    """
    if is_fragment_request(request):
        view = ListView.from_url(request.headers.get("HX-Current-URL"), host=request.url.netloc)
        if view is not None:
            return view
    return ListView.from_url(return_to if isinstance(return_to, str) else None) or ListView()


def _context(request: Request, view: ListView) -> dict[str, Any]:
    now = utcnow()
    return {
        "request": request,
        "view": view,
        "return_to": view.url(after=None),
        "since": lambda moment: relative_time(moment, now),
        "exact_time": exact_time,
        "priorities": list(Priority),
    }


def _render(
    request: Request, view: ListView, parts: list[Part], *, status_code: int = 200
) -> HTMLResponse:
    """Fragments, each its own template, concatenated into one htmx answer."""
    base = _context(request, view)
    html = "".join(templates.get_template(name).render({**base, **ctx}) for name, ctx in parts)
    return HTMLResponse(html, status_code=status_code, headers={"Vary": VARY})


def _page(
    request: Request, view: ListView, name: str, ctx: Mapping[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    response = templates.TemplateResponse(
        request, name, {**_context(request, view), **ctx}, status_code=status_code
    )
    response.headers["Vary"] = VARY
    return response


def _back(request: Request, view: ListView, notice: Notice) -> RedirectResponse:
    """Post/redirect/get for a plain form: back to the same view, with a one-time message."""
    response = RedirectResponse(view.url(after=None), status_code=303)
    response.headers["Vary"] = VARY
    set_flash(request, response, notice)
    return response


async def _page_of(service: TaskService, user_id: int, view: ListView) -> tuple[list[Task], str]:
    """One page of the view and the cursor of the next page ("" when this is the last)."""
    tasks = await service.get_tasks(
        user_id,
        completed=view.completed,
        priority=view.priority,
        search=view.q or None,
        after=view.cursor,
        limit=PAGE_SIZE + 1,
    )
    if len(tasks) > PAGE_SIZE:
        tasks = tasks[:PAGE_SIZE]
        return tasks, encode_cursor(tasks[-1])
    return tasks, ""


async def _list_page(
    request: Request,
    user_id: int,
    service: TaskService,
    view: ListView,
    *,
    new_task: FormState | None = None,
    notice: Notice | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    tasks, next_cursor = await _page_of(service, user_id, view)
    active, completed = await service.count_tasks(user_id)
    ctx = {
        "tasks": tasks,
        "next_cursor": next_cursor,
        "active": active,
        "completed": completed,
        "new": new_task or FormState(),
        "notice": notice,
    }
    return _page(request, view, "tasks.html", ctx, status_code=status_code)


async def _status_parts(
    service: TaskService, user_id: int, notice: Notice | None = None
) -> list[Part]:
    """Out-of-band pieces that follow every change: counter, bulk actions, a notice."""
    active, completed = await service.count_tasks(user_id)
    parts: list[Part] = [
        ("_counter.html", {"active": active, "oob": True}),
        ("_bulk_actions.html", {"active": active, "completed": completed, "oob": True}),
    ]
    if notice is not None:
        parts.append(("_toast.html", {"notice": notice, "oob": True}))
    return parts


async def _row_answer(
    request: Request, service: TaskService, user_id: int, view: ListView, task: Task, *, focus: bool
) -> HTMLResponse:
    # A task that no longer fits the view (completed while showing Active) leaves the
    # list: an empty main swap, which the rows' hx-swap allows with swapEmpty.
    parts: list[Part] = []
    if view.matches(task):
        parts.append(("_row.html", {"task": task, "focus": focus}))
    return _render(request, view, parts + await _status_parts(service, user_id))


async def _list_answer(
    request: Request,
    service: TaskService,
    user_id: int,
    view: ListView,
    notice: Notice,
    *,
    focus_task_id: int | None = None,
) -> HTMLResponse:
    tasks, next_cursor = await _page_of(service, user_id, view)
    list_ctx = {"tasks": tasks, "next_cursor": next_cursor, "focus_task_id": focus_task_id}
    parts: list[Part] = [("_list.html", list_ctx)]
    return _render(request, view, parts + await _status_parts(service, user_id, notice))


def _task_values(task: Task) -> dict[str, str]:
    return {
        "title": task.title,
        "description": task.description or "",
        "priority": str(task.priority),
    }


def _edit_answer(
    request: Request,
    view: ListView,
    task: Task,
    form: FormState,
    *,
    conflict: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    ctx = {"task": task, "edit": form, "conflict": conflict}
    if is_fragment_request(request):
        return _render(
            request, view, [("_edit_form.html", {**ctx, "as_row": True})], status_code=status_code
        )
    return _page(request, view, "task_edit.html", ctx, status_code=status_code)


def _int_or_none(value: object) -> int | None:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


async def _form(request: Request) -> FormData:
    return await request.form()


@router.get("/tasks")
async def list_tasks(request: Request, user: CurrentUser, session: SessionDep) -> HTMLResponse:
    view = ListView.from_params(request.query_params)
    service = TaskService(session)
    if is_fragment_request(request):
        tasks, next_cursor = await _page_of(service, user.id, view)
        if view.after:
            # "Load more": rows appended to the list, and the next "Load more" in place.
            return _render(
                request,
                view,
                [
                    ("_rows.html", {"tasks": tasks}),
                    ("_load_more.html", {"next_cursor": next_cursor, "oob": True}),
                ],
            )
        list_ctx = {"tasks": tasks, "next_cursor": next_cursor, "oob_controls": True}
        response = _render(request, view, [("_list.html", list_ctx)])
        # The address bar gets the tidy URL ("?q=x", not "?q=x&priority="). Filter links
        # push it; typing a search replaces it, so Back is not one step per keystroke.
        from_search = request.headers.get("HX-Source", "").startswith("form#search-form")
        response.headers["HX-Replace-Url" if from_search else "HX-Push-Url"] = view.url()
        return response
    response = await _list_page(request, user.id, service, view, notice=read_flash(request))
    clear_flash(request, response)
    return response


@router.post("/tasks")
async def create_task(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    form = await _form(request)
    view = action_view(request, form.get("return_to"))
    values = form_values(form, TASK_FIELDS)
    data, errors = parse_form(TaskCreate, values)
    service = TaskService(session)
    if data is None:
        new_task = FormState(values, errors)
        if is_fragment_request(request):
            parts: list[Part] = [("_new_task_form.html", {"new": new_task, "focus_new": True})]
            return _render(request, view, parts, status_code=422)
        return await _list_page(request, user.id, service, view, new_task=new_task, status_code=422)
    task = await service.create_task(user.id, data)
    if not is_fragment_request(request):
        return _back(request, view, Notice("Task added."))
    parts = [("_new_task_form.html", {"new": FormState(), "focus_new": True})]
    if view.matches(task):
        parts.append(("_new_row.html", {"task": task}))
    parts += await _status_parts(service, user.id, Notice("Task added."))
    return _render(request, view, parts)


@router.post("/tasks/complete-all")
async def complete_all(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    form = await _form(request)
    view = action_view(request, form.get("return_to"))
    service = TaskService(session)
    changed = await service.complete_all(user.id)
    notice = Notice(f"Marked {changed} {'task' if changed == 1 else 'tasks'} complete.")
    if not is_fragment_request(request):
        return _back(request, view, notice)
    return await _list_answer(request, service, user.id, view, notice)


@router.post("/tasks/clear-completed")
async def clear_completed(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    form = await _form(request)
    view = action_view(request, form.get("return_to"))
    service = TaskService(session)
    cleared = len(await service.clear_completed(user.id))
    notice = Notice(f"Cleared {cleared} completed {'task' if cleared == 1 else 'tasks'}.")
    if not is_fragment_request(request):
        return _back(request, view, notice)
    return await _list_answer(request, service, user.id, view, notice)


@router.post("/tasks/undo")
async def undo_delete(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    form = await _form(request)
    view = action_view(request, form.get("return_to"))
    token = form.get("token")
    snapshot = read_undo_token(request, token, user.id) if isinstance(token, str) else None
    service = TaskService(session)
    restored = await service.restore_task(user.id, **snapshot) if snapshot else None
    if restored is not None:
        notice = Notice(f"Restored “{restored.title}”.")
    else:
        notice = Notice("That task can no longer be restored.")
    if not is_fragment_request(request):
        return _back(request, view, notice)
    return await _list_answer(
        request, service, user.id, view, notice, focus_task_id=restored.id if restored else None
    )


@router.get("/tasks/{task_id:int}")
async def show_task(request: Request, task: OwnedTask) -> Response:
    """The row alone (an edit's Cancel); a plain visit goes to the list."""
    view = action_view(request, request.query_params.get("return_to"))
    if not is_fragment_request(request):
        return RedirectResponse(view.url(), status_code=303, headers={"Vary": VARY})
    return _render(request, view, [("_row.html", {"task": task, "focus": True})])


@router.get("/tasks/{task_id:int}/edit")
async def edit_task(request: Request, task: OwnedTask) -> HTMLResponse:
    view = action_view(request, request.query_params.get("return_to"))
    return _edit_answer(request, view, task, FormState(_task_values(task), version=task.version))


@router.post("/tasks/{task_id:int}")
async def update_task(
    request: Request, task: OwnedTask, user: CurrentUser, session: SessionDep
) -> Response:
    form = await _form(request)
    view = action_view(request, form.get("return_to"))
    values = form_values(form, (*TASK_FIELDS, "completed"))
    version = _int_or_none(form.get("version"))
    shown = {**_task_values(task), **values}
    data, errors = parse_form(TaskUpdate, values)
    if data is None:
        return _edit_answer(request, view, task, FormState(shown, errors, version), status_code=422)
    service = TaskService(session)
    try:
        updated = await service.update_task(user.id, task.id, data, expected_version=version)
    except StaleTaskError as exc:
        # Someone saved first: show their version beside this input and let the user choose.
        # The form now carries their version, so "Save mine anyway" overwrites knowingly.
        current = exc.current
        return _edit_answer(
            request,
            view,
            current,
            FormState(shown, {}, current.version),
            conflict=True,
            status_code=409,
        )
    if updated is None:
        raise HTTPException(status_code=404, detail="There is no such task.")
    if not is_fragment_request(request):
        return _back(request, view, Notice("Task saved."))
    return await _row_answer(request, service, user.id, view, updated, focus=True)


@router.post("/tasks/{task_id:int}/toggle")
async def toggle_task(
    request: Request, task: OwnedTask, user: CurrentUser, session: SessionDep
) -> Response:
    form = await _form(request)
    view = action_view(request, form.get("return_to"))
    service = TaskService(session)
    updated = await service.update_task(user.id, task.id, TaskUpdate(completed=not task.completed))
    if updated is None:
        raise HTTPException(status_code=404, detail="There is no such task.")
    if not is_fragment_request(request):
        done = "Marked done" if updated.completed else "Marked not done"
        return _back(request, view, Notice(f"{done}: “{updated.title}”."))
    return await _row_answer(request, service, user.id, view, updated, focus=False)


@router.post("/tasks/{task_id:int}/delete")
async def delete_task(
    request: Request, task: OwnedTask, user: CurrentUser, session: SessionDep
) -> Response:
    form = await _form(request)
    view = action_view(request, form.get("return_to"))
    service = TaskService(session)
    deleted = await service.delete_task(user.id, task.id)
    if deleted is None:
        raise HTTPException(status_code=404, detail="There is no such task.")
    notice = Notice(f"Deleted “{deleted.title}”.", undo=undo_token(request, deleted))
    if not is_fragment_request(request):
        return _back(request, view, notice)
    # Only out-of-band parts: the row's hx-swap="delete" removes it whatever the body.
    return _render(request, view, await _status_parts(service, user.id, notice))
