"""Actions on one task: its row, its edit form, saving, ticking and deleting it.

A task deleted meanwhile raises TaskNotFound here, which task_views.task_gone
answers for the row alone; a change made meanwhile (StaleTaskError) shows both
versions so the user chooses.
"""

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from webapp.db import SessionDep
from webapp.models.base import utcnow, valid_id
from webapp.schemas.task import TaskUpdate
from webapp.services import due_form
from webapp.services.due_dates import due_text
from webapp.services.task_service import (
    AnchorNotFound,
    ProjectNotFound,
    StaleTaskError,
    TaskService,
)
from webapp.web import drafts
from webapp.web.deps import CsrfProtected, CurrentUser, OwnedTask
from webapp.web.flash import Notice, undo_token
from webapp.web.forms import form_values, parse_form, read_form
from webapp.web.htmx import VARY, is_fragment_request, redirect_back, render_parts
from webapp.web.listview import ListView
from webapp.web.task_views import (
    DUE_FORM_FIELDS,
    TASK_FIELDS,
    FormState,
    action_view,
    context,
    done,
    edit_answer,
    errors_sentence,
    list_answer,
    row_part,
    row_result,
    shell_of,
    status_parts,
    task_values,
)

router = APIRouter(include_in_schema=False, dependencies=[CsrfProtected])

CONFLICT = "Not saved: this task was changed elsewhere. Both versions are shown."
TRUE, FALSE = frozenset({"true", "on", "1", "yes"}), frozenset({"false", "off", "0", "no"})


def _version(value: object) -> int | None:
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 10:
        return int(value)
    return None


@router.get("/tasks/{task_id:id}")
async def show_task(
    request: Request, task: OwnedTask, user: CurrentUser, session: SessionDep
) -> Response:
    """The row alone (an edit's Cancel); a plain visit goes to the list."""
    view = action_view(request, request.query_params.get("return_to"))
    if not is_fragment_request(request):
        return RedirectResponse(view.url(), status_code=303, headers={"Vary": VARY})
    shell = await shell_of(TaskService(session), user.id, view)
    return render_parts(request, [row_part(task, focus=True)], context(view, shell))


@router.get("/tasks/{task_id:id}/edit")
async def edit_task(
    request: Request, task: OwnedTask, user: CurrentUser, session: SessionDep
) -> HTMLResponse:
    view = action_view(request, request.query_params.get("return_to"))
    shell = await shell_of(TaskService(session), user.id, view)
    values = task_values(task, view.clock)
    # Typed here before the session ended elsewhere: shown again, not lost.
    draft = drafts.peek(request)
    if draft is not None and draft.path == f"/tasks/{task.id}":
        values |= draft.values
    response = edit_answer(request, view, shell, task, FormState(values, version=task.version))
    if draft is not None:
        drafts.take(request, response, f"/tasks/{task.id}")
    return response


@router.post("/tasks/{task_id:id}")
async def update_task(
    request: Request, task_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    form = await read_form(request)
    view = action_view(request, form.get("return_to"))
    values = form_values(form, (*TASK_FIELDS, "completed"))
    due_sent = form_values(form, DUE_FORM_FIELDS)
    version = _version(form.get("version"))
    service = TaskService(session)
    due, due_errors = {}, {}
    if due_sent:  # the edit form's Due date, Due time, Repeat: read in the user's zone
        current = await service.get_task(user.id, task_id)
        due, due_errors = due_form.due_changes(due_sent, current, view.clock)
    data, errors = parse_form(TaskUpdate, {**values, **due})
    errors = due_errors | errors
    values |= due_sent
    if data is None or errors:
        return await _refused(request, service, user.id, view, task_id, values, errors, version)
    try:
        updated = await service.update_task(
            user.id, task_id, data, expected_version=version, clock=view.clock
        )
    except ProjectNotFound:
        errors = {"project_id": "That project no longer exists. Choose another."}
        return await _refused(request, service, user.id, view, task_id, values, errors, version)
    except StaleTaskError as exc:
        # Someone saved first: show their version beside this input and let the user choose.
        # The form now carries their version, so "Save mine anyway" overwrites knowingly.
        current = exc.current
        shell = await shell_of(service, user.id, view)
        form_state = FormState({**task_values(current, view.clock), **values}, {}, current.version)
        return edit_answer(
            request,
            view,
            shell,
            current,
            form_state,
            conflict=True,
            status_code=409,
            message=CONFLICT,
        )
    if set(values) == {"priority"}:
        message = f"Priority set to {updated.priority}."
    elif set(values) == {"project_id"}:
        message = f"Moved “{updated.title}” to another project."
    else:
        message = "Task saved."
    return await row_result(request, service, user.id, view, updated, message=message, focus=True)


async def _refused(
    request: Request,
    service: TaskService,
    user_id: int,
    view: ListView,
    task_id: int,
    values: dict[str, str],
    errors: dict[str, str],
    version: int | None,
) -> HTMLResponse:
    """The edit form again, with what was typed and a message per bad field (422)."""
    task = await service.get_task(user_id, task_id)
    shell = await shell_of(service, user_id, view)
    form_state = FormState({**task_values(task, view.clock), **values}, errors, version)
    message = f"Not saved. {errors_sentence(errors)}"
    return edit_answer(request, view, shell, task, form_state, status_code=422, message=message)


@router.post("/tasks/{task_id:id}/toggle")
async def toggle_task(
    request: Request, task_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    """Set the status the checkbox (or the no-JS button) asked for; flip when none was sent.

    The desired state, not a flip, so a stale tab ticking a task already done elsewhere
    leaves it done rather than reopening it.
    """
    form = await read_form(request)
    view = action_view(request, form.get("return_to"))
    sent = form_values(form, ("completed",)).get("completed")
    completed = None if sent is None else sent.strip().lower() in TRUE
    service = TaskService(session)
    if sent is not None and sent.strip().lower() not in TRUE | FALSE:
        task = await service.get_task(user.id, task_id)
        shell = await shell_of(service, user.id, view)
        parts = [row_part(task)]
        message = "Not changed: completed must be true or false."
        return render_parts(request, parts, context(view, shell), status_code=422, message=message)
    toggled = await service.complete(user.id, task_id, completed, clock=view.clock)
    updated, notice = toggled.task, None
    done_now = "done" if updated.completed else "not done"
    message = f"Marked “{updated.title}” {done_now}."
    if toggled.repeated:  # a repeating task moved on: it stays, due again later
        when = due_text(updated, view.clock, utcnow())
        message = f"Done: “{updated.title}”. Next due {when}."
        token = undo_token(request, user.id, toggled.undo_id) if toggled.undo_id else None
        notice = Notice(message, undo=token)
    return await row_result(
        request, service, user.id, view, updated, message=message, focus=False, notice=notice
    )


@router.post("/tasks/{task_id:id}/delete")
async def delete_task(
    request: Request, task_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    view = action_view(request, (await read_form(request)).get("return_to"))
    service = TaskService(session)
    deleted = await service.delete_task(user.id, task_id)
    token = undo_token(request, user.id, deleted.undo_id) if deleted.undo_id else None
    notice = Notice(f"Deleted “{deleted.tasks[0].title}”.", undo=token)
    if answer := done(request, view, notice):
        return answer
    # Only out-of-band parts: the row's hx-swap="delete" removes it whatever the body.
    parts = await status_parts(service, user.id, view, notice)
    message = f"{notice.message} Undo available: press u."
    return render_parts(request, parts, context(view), message=message)


def _task_id(value: object) -> int | None:
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 10:
        number = int(value)
        return number if valid_id(number) else None
    return None


@router.post("/tasks/{task_id:id}/move")
async def move_task(
    request: Request, task_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    """Place the task in the manual order: right `after` or `before` another task (what a
    drag or Alt+Arrow saw), or one step `direction=up|down` in the view (the no-JS edit
    page). A plain form from the edit page (`stay=edit`) comes back to it."""
    form = await read_form(request)
    view = action_view(request, form.get("return_to"))
    service = TaskService(session)
    after, before = _task_id(form.get("after")), _task_id(form.get("before"))
    direction = form.get("direction")
    task = await service.get_task(user.id, task_id)
    if after is None and before is None and direction in ("up", "down"):
        up = direction == "up"
        neighbour = await service.neighbour(user.id, task, view.filter, up=up)
        after, before = (None, neighbour) if up else (neighbour, None)
    words = {"up": " up", "down": " down"}.get(direction if isinstance(direction, str) else "", "")
    try:
        if after is None and before is None:
            notice = Notice(
                f"“{task.title}” is already {'first' if direction == 'up' else 'last'}."
            )
        else:
            task = await service.move_task(user.id, task_id, after=after, before=before)
            notice = Notice(f"Moved “{task.title}”{words}.")
    except AnchorNotFound:
        notice = Notice("Not moved: the task it was placed next to is gone. This is the list now.")
    if not is_fragment_request(request):
        if form.get("stay") == "edit":
            url = f"/tasks/{task_id}/edit?return_to={quote(view.url(after=None))}"
            return redirect_back(request, url, notice)
        return redirect_back(request, view.url(after=None), notice)
    return await list_answer(request, service, user.id, view, notice, focus_task_id=task_id)
