"""`GET /calendar/{secret}.ics`: the private calendar feed (services/calendar_feed.py).

No session: calendar apps fetch it on their own. An unknown or revoked secret is a 404,
the same as any address that does not exist.
"""

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

from webapp.db import SessionDep
from webapp.services.calendar_feed import CalendarService

router = APIRouter(include_in_schema=False)


@router.get("/calendar/{secret}.ics")
async def calendar_feed(secret: str, session: SessionDep) -> Response:
    body = await CalendarService(session).feed(secret)
    if body is None:
        raise HTTPException(status_code=404, detail="There is no calendar at this address.")
    headers = {"Cache-Control": "private, max-age=300", "Content-Disposition": "inline"}
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)
