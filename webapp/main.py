"""The app factory: `create_app()` wires settings, database, routes, errors and static files.

The one module that sees both surfaces: each error is answered by the HTML side
(webapp/web/errors.py) or the JSON side (webapp/api/errors.py), by path.
"""

import gc
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from webapp.api import errors as api_errors
from webapp.api import quick as api_quick
from webapp.api.routes import auth as api_auth
from webapp.api.routes import deletions as api_deletions
from webapp.api.routes import labels as api_labels
from webapp.api.routes import me as api_me
from webapp.api.routes import projects as api_projects
from webapp.api.routes import tasks as api_tasks
from webapp.availability import RETRY_AFTER, DatabaseUnavailable, database_unavailable
from webapp.config import PROJECT_ROOT, Settings, get_settings
from webapp.db import (
    RequestSessions,
    create_driver_pool,
    create_engine,
    create_sessionmaker,
    driver_dsn,
    embedded_url,
    start_embedded,
)
from webapp.live.bus import LiveBus
from webapp.services.task_service import TaskNotFound
from webapp.web import (
    account,
    auth,
    calendar,
    data,
    docs,
    events,
    pages,
    projects,
    quick_add,
    task_actions,
    tasks,
    tokens,
)
from webapp.web import errors as web_errors
from webapp.web.deps import LoginRequired
from webapp.web.forms import FORM_LIMITS
from webapp.web.limits import BodyLimit
from webapp.web.security import SecurityHeadersMiddleware, apply_security_headers
from webapp.web.task_views import task_gone
from webapp.web.templating import templates

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
# The kinds of error a database that is down or saturated raises (see webapp.availability).
DATABASE_ERRORS = (
    DatabaseUnavailable,
    SQLAlchemyError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,
    TimeoutError,
)
Handler = Callable[[Request, Exception], Awaitable[Response]]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.check()
    # Templates are compiled once; only a developer editing them wants them re-read.
    templates.env.auto_reload = settings.environment == "development"

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        embedded = None
        url = settings.database_url
        if not url:
            embedded = start_embedded(settings.pgdata_dir)
            url = embedded_url(embedded)
        engine = create_engine(url, settings)
        driver_pool = await create_driver_pool(url, settings)
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine, driver_pool, settings.db_pool_timeout)
        app.state.live_bus = bus = LiveBus(
            _listen_dsn(url, settings),
            health_seconds=settings.live_health_seconds,
            max_streams=settings.live_max_streams,
        )
        await bus.start()
        # Everything made so far lives as long as the process: out of the collector's way,
        # so its passes under load stay short (fewer latency spikes).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            # Streams first (they end at once), then the listener, then the pools.
            await bus.stop()
            await driver_pool.close()
            await engine.dispose()
            if embedded is not None:
                # uvicorn re-raises SIGTERM after shutting down, so pgserver's own
                # atexit hook never runs: leave the server here (it stops when this
                # was the last process using it).
                embedded.cleanup()

    # /docs is our own page (webapp/web/docs.py): FastAPI's loads Swagger UI from a CDN
    # with an inline script, which the CSP blocks. ReDoc would need the same, so it is off.
    app = FastAPI(
        title="Tasks",
        summary="A self-hosted task manager: its JSON API",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        form_limits=FORM_LIMITS,
    )
    app.state.settings = settings
    app.state.secret_key = settings.resolved_secret_key()
    app.mount("/static", StaticFiles(directory=PROJECT_ROOT / "static"), name="static")
    # The busiest routes first: a request is matched against the routes in this order.
    routers = (tasks, task_actions, quick_add, api_tasks, pages, auth, account, tokens, projects)
    routers += (data, docs, calendar, events)
    for router in routers:
        app.include_router(router.router)
    for router in (api_auth, api_me, api_deletions, api_projects, api_labels, api_quick):
        app.include_router(router.router)
    _install_error_handlers(app)
    app.add_middleware(RequestSessions)
    # 64 KiB for every form and JSON body; the import's upload may be a 20 MB file.
    app.add_middleware(BodyLimit, paths={data.IMPORT_PATH: data.IMPORT_MAX_BODY})
    # Added last, so outermost: its headers reach every response the app sends.
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.is_production)
    return app


def _listen_dsn(url: str, settings: Settings) -> str | None:
    """Where the live-update listener connects: straight to PostgreSQL, never through
    PgBouncer in transaction mode (which does not carry LISTEN)."""
    if settings.listen_database_url:
        return driver_dsn(settings.listen_database_url)
    if settings.db_pgbouncer:
        log.warning("DB_PGBOUNCER without LISTEN_DATABASE_URL: live updates only at each ping")
        return None
    return driver_dsn(url)


def _by_surface(web: Handler, api: Handler) -> Handler:
    async def handle(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith(API_PREFIX):
            return await api(request, exc)
        return await web(request, exc)

    return handle


async def _database_error(request: Request, exc: Exception) -> Response:
    """503 when the database is not answering; any other error of these kinds is a bug."""
    if not database_unavailable(exc):
        raise exc
    log.warning("Database unavailable: %s %s (%s)", request.method, request.url.path, exc)
    if request.url.path.startswith(API_PREFIX):
        return api_errors.unavailable(request, RETRY_AFTER)
    return await web_errors.unavailable(request, RETRY_AFTER)


async def _server_error(request: Request, exc: Exception) -> Response:
    if database_unavailable(exc):
        response = await _database_error(request, exc)
        apply_security_headers(
            response.headers, request.url.path, hsts=request.app.state.settings.is_production
        )
        return response
    request_id = secrets.token_hex(4)
    # The path only: a query string is user input and may hold things that must not be logged.
    log.error(
        "Unhandled error, request id %s: %s %s",
        request_id,
        request.method,
        request.url.path,
        exc_info=exc,
    )
    if request.url.path.startswith(API_PREFIX):
        response = api_errors.server_error(request, request_id)
    else:
        response = web_errors.server_error(request, request_id)
    # Starlette sends this response from its outermost layer, outside our middleware.
    apply_security_headers(
        response.headers, request.url.path, hsts=request.app.state.settings.is_production
    )
    return response


async def _client_gone(request: Request, exc: Exception) -> Response:
    # The client hung up before its body arrived (a closed tab, a load tester's end):
    # nobody is left to answer, and nothing went wrong here worth a traceback.
    log.info("Client disconnected mid-request: %s %s", request.method, request.url.path)
    return Response(status_code=400)


def _install_error_handlers(app: FastAPI) -> None:
    handlers: dict[type[Exception], Handler] = {
        HTTPException: _by_surface(web_errors.http_error, api_errors.http_error),  # type: ignore[arg-type]
        RequestValidationError: _by_surface(
            web_errors.validation_error,
            api_errors.validation_error,  # type: ignore[arg-type]
        ),
        TaskNotFound: _by_surface(task_gone, api_errors.task_not_found),  # type: ignore[arg-type]
        LoginRequired: web_errors.login_required,  # type: ignore[dict-item]
        ClientDisconnect: _client_gone,
        **dict.fromkeys(DATABASE_ERRORS, _database_error),
        Exception: _server_error,
    }
    for exc_class, handler in handlers.items():
        app.add_exception_handler(exc_class, handler)
