"""The app factory: `create_app()` wires settings, database, routes and static files."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from webapp.api.routes import auth as api_auth
from webapp.api.routes import tasks as api_tasks
from webapp.config import PROJECT_ROOT, Settings, get_settings
from webapp.db import create_engine, create_sessionmaker, embedded_url, start_embedded
from webapp.web import account, auth, pages, tasks, tokens
from webapp.web.deps import LoginRequired, login_url

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.check()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        embedded = None
        url = settings.database_url
        if not url:
            embedded = start_embedded(settings.pgdata_dir)
            url = embedded_url(embedded)
        engine = create_engine(url, settings)
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        try:
            yield
        finally:
            await engine.dispose()
            if embedded is not None:
                # uvicorn re-raises SIGTERM after shutting down, so pgserver's own
                # atexit hook never runs: leave the server here (it stops when this
                # was the last process using it).
                embedded.cleanup()

    app = FastAPI(title="Tasks", lifespan=lifespan)
    app.state.settings = settings
    app.state.secret_key = settings.resolved_secret_key()
    app.mount("/static", StaticFiles(directory=PROJECT_ROOT / "static"), name="static")
    app.include_router(pages.router)
    app.include_router(auth.router)
    app.include_router(account.router)
    app.include_router(tokens.router)
    app.include_router(tasks.router)
    app.include_router(api_auth.router)
    app.include_router(api_tasks.router)
    app.add_exception_handler(LoginRequired, _login_required)
    return app


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    target = login_url(exc.next_path if request.method == "GET" else None)
    if request.headers.get("HX-Request"):
        # A login page must not land inside a fragment: htmx navigates instead.
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
