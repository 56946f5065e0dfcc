"""Site-wide pages: the front door and the health check."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import text

from webapp.web.deps import OptionalUser

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    try:
        async with request.app.state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not healthy"
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


@router.get("/")
async def home(user: OptionalUser) -> RedirectResponse:
    return RedirectResponse("/tasks" if user else "/login", status_code=303)
