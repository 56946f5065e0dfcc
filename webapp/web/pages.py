"""Site-wide pages: the front door and the health check."""

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse

from webapp.db import SessionDep, ping
from webapp.web.deps import OptionalUser

router = APIRouter(include_in_schema=False)


HEALTH_TIMEOUT = 1.5


@router.get("/healthz")
async def healthz(request: Request, session: SessionDep) -> JSONResponse:
    """200 when the database answers within HEALTH_TIMEOUT seconds, else 503 (never a hang:
    a load balancer asks this to decide where to send traffic)."""
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT):
            await ping(session)
    except Exception:  # any failure to reach the database means "not healthy"
        return JSONResponse(
            {"status": "unavailable"}, status_code=503, headers={"Retry-After": "5"}
        )
    return JSONResponse({"status": "ok"})


@router.get("/")
async def home(user: OptionalUser) -> RedirectResponse:
    return RedirectResponse("/tasks" if user else "/login", status_code=303)
