"""The task list's answers: the whole page, and the fragments each action swaps in.

Routes in tasks.py and task_actions.py decide what happened; this module decides
what the browser gets back for it: a page, a fragment plus out-of-band pieces
(counter, bulk actions, a notice), or a redirect with a flash for a plain form.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from webapp.availability import database_unavailable
from webapp.models.base import utcnow
from webapp.models.task import Task
from webapp.services import due_form
from webapp.services.due_dates import Clock, DueRange
from webapp.services.overview import Overview, overview
from webapp.services.task_service import Page, TaskNotFound, TaskService
from webapp.web.errors import error_page
from webapp.web.flash import Notice, clear_flash, read_flash
from webapp.web.forms import read_form
from webapp.web.htmx import Part, is_fragment_request, redirect_back, render_page, render_parts
from webapp.web.listview import ListView

PAGE_SIZE = 50
TASK_FIELDS = ("title", "description", "priority", "project_id", "labels")
# The edit form's due fields, turned into the task's by services/due_form.py.
DUE_FORM_FIELDS = ("due_date", "due_time", "repeat")
FIELD_LABELS = {
    "title": "Title",
    "description": "Description",
    "priority": "Priority",
    "project_id": "Project",
    "labels": "Labels",
    "due_date": "Due date",
    "due_time": "Due time",
    "repeat": "Repeat",
}
TASK_GONE = "This task was deleted elsewhere."


@dataclass
class FormState:
    """What a form shows: the user's input (kept on errors) and a message per field."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    version: int | None = None


def task_values(task: Task, clock: Clock = Clock()) -> dict[str, str]:  # noqa: B008
    return {
        "title": task.title,
        "description": task.description or "",
        "priority": task.priority,
        "project_id": str(task.project_id),
        "labels": ", ".join(sorted(task.labels, key=str.casefold)),
    } | due_form.form_values(task, clock)


def user_clock(request: Request) -> Clock:
    """The logged-in user's zone and date order (read with their session)."""
    user = getattr(request.state, "user", None)
    return Clock(user.timezone, user.date_order) if user is not None else Clock()


def list_view(request: Request, view: ListView) -> ListView:
    """The view as this user sees it: their "today"."""
    return replace(view, clock=user_clock(request))


def action_view(request: Request, return_to: object) -> ListView:
    """The list view an action came from, to answer with or redirect back to.

    htmx tells us the address bar (always current, even after hx-push-url); a plain
    form carries `return_to`. Either way only a /tasks view comes out.
    """
    if is_fragment_request(request):
        host = request.headers.get("host")
        view = ListView.from_url(request.headers.get("HX-Current-URL"), host=host)
        if view is not None:
            return list_view(request, view)
    back = return_to if isinstance(return_to, str) else None
    return list_view(request, ListView.from_url(back) or ListView())


def row_part(task: Task, *, focus: bool = False) -> Part:
    """One row: the list's own row template over a list of one task."""
    focus_id = task.id if focus else None
    return ("_rows.html", {"tasks": [task], "focus_task_id": focus_id, "one_row": True})


def context(view: ListView, shell: Overview | None = None) -> dict[str, Any]:
    """What every template of the list needs: the view, where to come back to, and (when
    the answer shows them) the counts, projects and labels around it."""
    ctx: dict[str, Any] = {
        "view": view,
        "return_to": view.url(after=None),
        "project_names": {},
        "label_colors": {},
        "clock": view.clock,
        "now": utcnow(),
    }
    if shell is not None:
        ctx |= {
            "shell": shell,
            "active": shell.active,
            "completed": shell.completed,
            "project_names": shell.project_names(),
            "label_colors": {label.name.casefold(): label.color for label in shell.labels},
        }
    return ctx


def errors_sentence(errors: Mapping[str, str]) -> str:
    """ "Title: This can't be empty." — what a screen reader hears about a refused form."""
    return " ".join(
        f"{FIELD_LABELS.get(name, name.title())}: {text}" for name, text in errors.items()
    )


async def page_of(service: TaskService, user_id: int, view: ListView) -> Page:
    return await service.list_tasks(
        user_id, view.filter, sort=view.order, after=view.cursor, limit=PAGE_SIZE
    )


async def shell_of(service: TaskService, user_id: int, view: ListView) -> Overview:
    """The counts, projects and labels around the view; a project or label that is not
    the user's is a 404, like a task."""
    shell = await overview(service.session, user_id, view.filter, DueRange.today(view.clock))
    if view.project is not None and shell.project(view.project) is None:
        raise HTTPException(status_code=404, detail="There is no such project (any more).")
    if view.label and shell.label(view.label) is None:
        raise HTTPException(status_code=404, detail="There is no such label (any more).")
    return shell


async def shell_after_change(service: TaskService, user_id: int, view: ListView) -> Overview | None:
    """The overview for the answer to a change already stored. Should the database stop
    answering just now, the answer goes without the counts (None) rather than saying
    that what was stored failed, which would have the user send it twice."""
    try:
        return await shell_of(service, user_id, view)
    except Exception as exc:
        if not database_unavailable(exc):
            raise
        return None


async def page_and_shell(
    service: TaskService, user_id: int, view: ListView
) -> tuple[Page, Overview]:
    shell = await shell_of(service, user_id, view)
    return await page_of(service, user_id, view), shell


def status_parts_for(shell: Overview | None, notice: Notice | None = None) -> list[Part]:
    """Out-of-band pieces that follow every change: counter, bulk actions, sidebar, notice
    (the notice alone when the counts could not be read: see shell_after_change)."""
    parts: list[Part] = []
    if shell is not None:
        parts += [("_status.html", {"oob": True}), ("_sidebar.html", {"oob": True})]
    if notice is not None:
        parts.append(("_toast.html", {"notice": notice, "oob": True}))
    return parts


async def list_page(
    request: Request,
    service: TaskService,
    user_id: int,
    view: ListView,
    *,
    new_task: FormState | None = None,
    notice: Notice | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    page, shell = await page_and_shell(service, user_id, view)
    ctx = {
        **context(view, shell),
        "tasks": page.tasks,
        "next_cursor": page.next_cursor,
        "new": new_task or FormState(new_task_defaults(view, shell)),
        "notice": notice,
    }
    return render_page(request, "tasks.html", ctx, status_code=status_code)


def new_task_defaults(view: ListView, shell: Overview) -> dict[str, str]:
    """A task added in a project's or a label's view goes there."""
    label = shell.label(view.label)
    return {
        "project_id": str(view.project or shell.inbox.id),
        "labels": label.name if label else "",
    }


async def status_parts(
    service: TaskService, user_id: int, view: ListView, notice: Notice | None = None
) -> list[Part]:
    """The out-of-band parts after a change, each with the counts it shows."""
    shell = await shell_after_change(service, user_id, view)
    ctx = context(view, shell)
    return [(name, {**ctx, **part}) for name, part in status_parts_for(shell, notice)]


async def row_answer(
    request: Request,
    service: TaskService,
    user_id: int,
    view: ListView,
    task: Task,
    *,
    message: str,
    focus: bool,
    notice: Notice | None = None,
) -> HTMLResponse:
    # A task that no longer fits the view (completed while showing Active, moved to
    # another project) leaves the list: an empty main swap, which the rows' hx-swap
    # allows with swapEmpty. A `notice` (one with an Undo) shows as a toast too.
    shell = await shell_after_change(service, user_id, view)
    parts: list[Part] = []
    if view.matches(task):
        parts.append(row_part(task, focus=focus))
    parts += status_parts_for(shell, notice)
    return render_parts(request, parts, context(view, shell), message=message)


async def row_result(
    request: Request,
    service: TaskService,
    user_id: int,
    view: ListView,
    task: Task,
    *,
    message: str,
    focus: bool,
    notice: Notice | None = None,
) -> Response:
    """After a change to one task: back to the list for a plain form, the row for htmx."""
    if answer := done(request, view, notice or Notice(message)):
        return answer
    return await row_answer(
        request, service, user_id, view, task, message=message, focus=focus, notice=notice
    )


async def list_answer(
    request: Request,
    service: TaskService,
    user_id: int,
    view: ListView,
    notice: Notice,
    *,
    focus_task_id: int | None = None,
) -> HTMLResponse:
    try:
        page, shell = await page_and_shell(service, user_id, view)
    except Exception as exc:  # the change is stored: say so, not that it failed
        if not database_unavailable(exc):
            raise
        later = Notice(f"{notice.message} The list could not be shown again: reload soon.")
        parts = status_parts_for(None, later)
        return render_parts(request, parts, context(view), message=later.message)
    list_ctx = {
        "tasks": page.tasks,
        "next_cursor": page.next_cursor,
        "focus_task_id": focus_task_id,
    }
    parts: list[Part] = [("_list.html", list_ctx), *status_parts_for(shell, notice)]
    return render_parts(request, parts, context(view, shell), message=notice.message)


def done(request: Request, view: ListView, notice: Notice) -> Response | None:
    """Post/redirect/get for a plain form; None for htmx, which gets a fragment instead."""
    if is_fragment_request(request):
        return None
    return redirect_back(request, view.url(after=None), notice)


def edit_answer(
    request: Request,
    view: ListView,
    shell: Overview,
    task: Task,
    form: FormState,
    *,
    conflict: bool = False,
    status_code: int = 200,
    message: str | None = None,
) -> HTMLResponse:
    ctx = {**context(view, shell), "task": task, "edit": form, "conflict": conflict}
    if is_fragment_request(request):
        parts: list[Part] = [("_edit_form.html", {"as_row": True})]
        return render_parts(request, parts, ctx, status_code=status_code, message=message)
    # A plain form that came back here (Move up / Move down) says what it did.
    notice = read_flash(request)
    response = render_page(
        request, "task_edit.html", ctx | {"notice": notice}, status_code=status_code
    )
    if notice is not None:
        clear_flash(request, response)
    return response


async def task_gone(request: Request, exc: TaskNotFound) -> Response:
    """A task that was deleted meanwhile (another tab, another device), or never was ours.

    Only its row says so: the rest of the list stays as it is. A plain form gets the
    list back with the same words; a plain visit to its address is a 404 page. Always
    a 404, as for any task that is not the user's.
    """
    return_to = request.query_params.get("return_to")
    if request.method == "POST":
        return_to = (await read_form(request)).get("return_to")
    view = action_view(request, return_to)
    user = getattr(request.state, "user", None)
    if user is None or (request.method != "POST" and not is_fragment_request(request)):
        return error_page(request, 404, message="This task was deleted, or never existed.")
    async with request.app.state.sessionmaker() as session:
        service = TaskService(session)
        if not is_fragment_request(request):
            return await list_page(
                request, service, user.id, view, notice=Notice(TASK_GONE), status_code=404
            )
        parts: list[Part] = [("_row_gone.html", {"task_id": request.path_params.get("task_id")})]
        if request.method == "POST":
            parts += await status_parts(service, user.id, view)
    return render_parts(request, parts, context(view), status_code=404, message=TASK_GONE)
