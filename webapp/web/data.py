"""Settings → Your data: export every task (JSON or CSV, streamed), import an export
(this app's, a Todoist CSV or a Vikunja export; services/import_formats reads them).

An import is two steps, both plain forms: the upload answers with a preview (how many
tasks are new, how many are already there) and writes nothing of the user's; only
"Import" on that page writes, all of it in one transaction, then sends the browser to
the list with a notice. A file that cannot be imported is refused whole, on the same
page, with a sentence saying why (always a 4xx, whatever the file holds).

The upload is the one form of the app with a file: its path has its own body limit
(IMPORT_MAX_BODY, given to BodyLimit in main.py) and its form is read with room for one
file before the CSRF check reads the token from it.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from webapp.db import SessionDep
from webapp.models.base import utcnow
from webapp.services.due_dates import Clock
from webapp.services.import_formats import FORMATS, NAMES, ImportOptions, parse_file
from webapp.services.import_service import ImportService, Preview
from webapp.services.task_export import start_export
from webapp.services.task_import import ImportRefused, ParsedFile
from webapp.web.deps import CsrfProtected, CurrentUser
from webapp.web.flash import Notice
from webapp.web.forms import read_form
from webapp.web.htmx import redirect_back, render_page
from webapp.web.limits import describe

router = APIRouter(include_in_schema=False)

IMPORT_PATH = "/settings/import"
IMPORT_MAX_BODY = 20 * 1024 * 1024
NO_FILE = "Choose a file to import: an export of this app, of Todoist (CSV) or of Vikunja."
BAD_FORMAT = "Choose the file's format from the list, or “Find out from the file”."
PENDING_GONE = (
    "This import is no longer waiting: it was done already, or it expired after an hour. "
    "Choose the file again to see a new preview."
)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


@router.get("/settings/export.json")
async def export_json(user: CurrentUser, session: SessionDep) -> Response:
    export = await start_export(session, user.id)
    return StreamingResponse(
        export.json_chunks(),
        media_type="application/json",
        headers=_attachment(f"tasks-{export.exported_at:%Y-%m-%d}.json"),
    )


@router.get("/settings/export.csv")
async def export_csv(user: CurrentUser, session: SessionDep) -> Response:
    export = await start_export(session, user.id)
    return StreamingResponse(
        export.csv_chunks(),
        media_type="text/csv; charset=utf-8",
        headers=_attachment(f"tasks-{export.exported_at:%Y-%m-%d}.csv"),
    )


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def _import_page(
    request: Request,
    *,
    error: str | None = None,
    preview: Preview | None = None,
    parsed: ParsedFile | None = None,
    sent: FormData | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "error": error,
        "preview": preview,
        "parsed": parsed,
        "formats": FORMATS,
        "format_names": NAMES,
        "chosen": _text(sent, "format"),
        "project": _text(sent, "project"),
        "max_size": describe(IMPORT_MAX_BODY),
        "plural": _plural,
    }
    return render_page(request, "import.html", context, status_code=status_code)


@router.get(IMPORT_PATH)
async def import_page(request: Request, user: CurrentUser) -> Response:
    return _import_page(request)


async def _upload_form(request: Request, user: CurrentUser) -> FormData:
    """The upload's form, with room for its one file; read (only for a logged-in user)
    before the CSRF check, which then finds its token in it."""
    return await read_form(request, max_files=1)


UploadForm = Annotated[FormData, Depends(_upload_form)]


@router.post(IMPORT_PATH, dependencies=[Depends(_upload_form), CsrfProtected])
async def upload(
    request: Request, user: CurrentUser, session: SessionDep, form: UploadForm
) -> Response:
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return _import_page(request, error=NO_FILE, sent=form, status_code=400)
    chosen = _text(form, "format")
    if chosen not in ("", *FORMATS):
        return _import_page(request, error=BAD_FORMAT, sent=form, status_code=400)
    options = ImportOptions(
        clock=Clock(user.timezone, user.date_order),
        now=utcnow(),
        format=chosen or None,
        filename=upload.filename,
        project=_text(form, "project") or None,
    )
    data = await upload.read()
    try:
        # In a thread: 20 MB of JSON, or a CSV of many dates, is seconds of work, and the
        # other requests of this process go on meanwhile.
        parsed = await run_in_threadpool(parse_file, data, options)
    except ImportRefused as exc:
        return _import_page(request, error=exc.message, sent=form, status_code=422)
    preview = await ImportService(session).preview(user.id, parsed.tasks)
    return _import_page(request, preview=preview, parsed=parsed, sent=form)


def _text(form: FormData | None, name: str) -> str:
    value = form.get(name) if form is not None else None
    return value.strip() if isinstance(value, str) else ""


@router.post(IMPORT_PATH + "/confirm", dependencies=[CsrfProtected])
async def confirm(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    sent = (await read_form(request)).get("pending")
    digits = isinstance(sent, str) and sent.isascii() and sent.isdigit() and len(sent) <= 10
    pending_id = int(sent) if digits else 0  # type: ignore[arg-type]
    added = await ImportService(session).confirm(user.id, pending_id)
    if added is None:
        # Someone else's pending import looks exactly like one that is gone.
        return _import_page(request, error=PENDING_GONE, status_code=404)
    return redirect_back(request, "/tasks", Notice(f"Imported {_plural(added, 'task')}."))
