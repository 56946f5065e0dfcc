"""The task list and the actions on the list as a whole: add, mark all, clear, undo.

Every action is a plain form POST answered by a 303 back to the same filtered view with a
one-time flash, so it all works with JavaScript off. With htmx the same URL answers with
the fragment to swap, plus out-of-band pieces (see task_views.py).
"""

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from webapp.db import SessionDep
from webapp.schemas.task import QUICK_MAX, TaskCreate
from webapp.services import task_undo
from webapp.services.quick_add_service import ignored_spans, read_quick
from webapp.services.task_service import Changed, ProjectNotFound, TaskService
from webapp.web import drafts
from webapp.web.deps import CsrfProtected, CurrentUser
from webapp.web.flash import Notice, clear_flash, read_flash, read_undo_token, undo_token
from webapp.web.forms import form_values, parse_form, read_form
from webapp.web.htmx import Part, is_fragment_request, render_parts
from webapp.web.listview import ListView
from webapp.web.task_views import (
    TASK_FIELDS,
    FormState,
    action_view,
    context,
    done,
    errors_sentence,
    list_answer,
    list_page,
    list_view,
    new_task_defaults,
    page_and_shell,
    shell_after_change,
    shell_of,
    status_parts_for,
)

router = APIRouter(include_in_schema=False, dependencies=[CsrfProtected])

# Sent by app.js while a search is still being typed: the history entry is replaced, so
# Back goes to the view before the search, not one step per keystroke.
SEARCH_TYPING_HEADER = "X-Search-Typing"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _history_header(request: Request, view: ListView) -> str:
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    here = current.path + (f"?{current.query}" if current.query else "")
    if request.headers.get(SEARCH_TYPING_HEADER) or here == view.url():
        return "HX-Replace-Url"
    return "HX-Push-Url"


@router.get("/tasks")
async def list_tasks(request: Request, user: CurrentUser, session: SessionDep) -> HTMLResponse:
    view = list_view(request, ListView.from_params(request.query_params))
    service = TaskService(session)
    if not is_fragment_request(request):
        notice = read_flash(request)
        draft = drafts.peek(request)
        new_task = None
        if draft is not None and draft.path == drafts.NEW_TASK:
            new_task = FormState(draft.values)
            notice = Notice("Welcome back. Your new task is still here: press Enter to add it.")
        response = await list_page(
            request, service, user.id, view, new_task=new_task, notice=notice
        )
        clear_flash(request, response)
        if new_task is not None:
            drafts.take(request, response, drafts.NEW_TASK)
        return response
    if view.after:
        page, shell = await page_and_shell(service, user.id, view)
        # "Load more": rows appended to the list, and the next "Load more" in place.
        parts: list[Part] = [
            ("_rows.html", {"tasks": page.tasks}),
            ("_load_more.html", {"next_cursor": page.next_cursor, "oob": True}),
        ]
        return render_parts(request, parts, context(view, shell))
    page, shell = await page_and_shell(service, user.id, view)
    list_ctx = {"tasks": page.tasks, "next_cursor": page.next_cursor, "oob_controls": True}
    parts = [("_list.html", list_ctx), *status_parts_for(shell)]
    shown = _plural(len(page.tasks), "task") + (" and more" if page.next_cursor else "")
    response = render_parts(
        request, parts, context(view, shell), title=view.title(shell), message=f"{shown} shown."
    )
    # The address bar gets the tidy URL ("?q=x", not "?q=x&priority=").
    response.headers[_history_header(request, view)] = view.url()
    return response


@router.post("/tasks")
async def create_task(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    form = await read_form(request)
    view = action_view(request, form.get("return_to"))
    values = form_values(form, TASK_FIELDS)
    service = TaskService(session)
    fields: dict = values
    # The title is quick-add text ("Buy milk tomorrow 5pm #Home"); chips the preview
    # dismissed come as `ignore` spans and stay literal.
    text = values.get("title", "")
    # Refused, the form comes back as sent: its text, and the chips it had dismissed.
    shown = values | {"ignore": str(form.get("ignore", ""))[:500]}
    if text.strip() and len(text) <= QUICK_MAX:
        ignore = ignored_spans(form.get("ignore"))
        quick = await read_quick(session, user.id, text, clock=view.clock, ignore=ignore)
        fields = quick.fields(values)
    data, errors = parse_form(TaskCreate, fields)
    if data is None:
        return await _not_added(request, service, user.id, view, FormState(shown, errors))
    try:
        task = await service.create_task(user.id, data, clock=view.clock)
    except ProjectNotFound:
        errors = {"project_id": "That project no longer exists. Choose another."}
        return await _not_added(request, service, user.id, view, FormState(shown, errors))
    shown = view.matches(task)
    notice = Notice("Task added." if shown else "Task added. It is not shown in this view.")
    if answer := done(request, view, notice):
        return answer
    shell = await shell_after_change(service, user.id, view)
    parts: list[Part] = []
    if shell is not None:  # else the form stays as it is (app.js emptied it on sending)
        fresh = FormState(new_task_defaults(view, shell))
        parts.append(("_new_task_form.html", {"new": fresh, "focus_new": True}))
    if shown:
        parts.append(("_new_row.html", {"task": task}))
    parts += status_parts_for(shell, notice)
    return render_parts(request, parts, context(view, shell), message=notice.message)


async def _not_added(
    request: Request, service: TaskService, user_id: int, view: ListView, new_task: FormState
) -> Response:
    """The new-task form again, with what was typed and why it was refused (422)."""
    if not is_fragment_request(request):
        return await list_page(request, service, user_id, view, new_task=new_task, status_code=422)
    shell = await shell_of(service, user_id, view)
    parts: list[Part] = [("_new_task_form.html", {"new": new_task, "focus_new": True})]
    message = f"Task not added. {errors_sentence(new_task.errors)}"
    return render_parts(request, parts, context(view, shell), status_code=422, message=message)


async def _bulk_answer(
    request: Request, service: TaskService, user_id: int, view: ListView, notice: Notice
) -> Response:
    return done(request, view, notice) or await list_answer(request, service, user_id, view, notice)


def _undo_notice(request: Request, user_id: int, message: str, changed: Changed) -> Notice:
    token = undo_token(request, user_id, changed.undo_id) if changed.undo_id else None
    return Notice(message, undo=token)


@router.post("/tasks/complete-all")
async def complete_all(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    view = action_view(request, (await read_form(request)).get("return_to"))
    service = TaskService(session)
    changed = await service.complete_matching(user.id, view.filter, view.clock)
    message = f"Marked {_plural(changed.count, 'task')} complete."
    if changed.repeated == 1:
        message += " 1 of them repeats and moved on to its next date."
    elif changed.repeated:
        message += f" {changed.repeated} of them repeat and moved on to their next dates."
    notice = _undo_notice(request, user.id, message, changed)
    return await _bulk_answer(request, service, user.id, view, notice)


@router.post("/tasks/clear-completed")
async def clear_completed(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    view = action_view(request, (await read_form(request)).get("return_to"))
    service = TaskService(session)
    changed = await service.delete_completed_matching(user.id, view.filter)
    message = f"Cleared {_plural(changed.count, 'completed task')}."
    notice = _undo_notice(request, user.id, message, changed)
    return await _bulk_answer(request, service, user.id, view, notice)


@router.post("/tasks/undo")
async def undo(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    form = await read_form(request)
    view = action_view(request, form.get("return_to"))
    service = TaskService(session)
    undo_id = read_undo_token(request, form.get("token"), user.id)
    changed = await service.undo(user.id, undo_id) if undo_id is not None else None
    if changed is None:
        notice = Notice("That can no longer be undone.")
    else:
        verb = "Reopened" if changed.kind == task_undo.COMPLETE else "Restored"
        what = (
            f"“{changed.tasks[0].title}”" if changed.count == 1 else _plural(changed.count, "task")
        )
        if changed.kind == task_undo.PROJECT:
            what = f"the project and its {what}"
        notice = Notice(f"{verb} {what}.")
    focus = changed.tasks[0].id if changed and changed.tasks else None
    return done(request, view, notice) or await list_answer(
        request, service, user.id, view, notice, focus_task_id=focus
    )
