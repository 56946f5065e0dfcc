"""The app factory: `create_app()` wires settings, database, routes and static files."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from webapp.api import docs as api_docs
from webapp.api.limits import ApiBodyLimit
from webapp.api.routes import auth as api_auth
from webapp.api.routes import tasks as api_tasks
from webapp.config import PROJECT_ROOT, Settings, get_settings
from webapp.db import create_engine, create_sessionmaker, embedded_url, start_embedded
from webapp.web import account, auth, pages, tasks, tokens
from webapp.web.deps import LoginRequired, login_url
from webapp.web.errors import install_error_handlers
from webapp.web.security import SecurityHeadersMiddleware

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

    # /docs is our own page (webapp/api/docs.py): FastAPI's loads Swagger UI from a CDN
    # with an inline script, which the CSP blocks. ReDoc would need the same, so it is off.
    app = FastAPI(
        title="Tasks",
        summary="A self-hosted task manager: its JSON API",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
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
    app.include_router(api_docs.router)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_middleware(ApiBodyLimit)
    install_error_handlers(app)
    # Added last, so outermost: its headers reach every response the app sends.
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.is_production)
    return app


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    target = login_url(exc.next_path)
    if request.headers.get("HX-Request"):
        # A login page must not land inside a fragment: htmx navigates instead.
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
