"""The baseline: our paths and rows served by raw Starlette + an asyncpg pool + Jinja2.

No framework, ORM, auth or CSRF (the shape of TechEmpower's "Fortunes"); the user is a plain
`uid` cookie or query value, so it does the same data work as the app. bench.py runs it beside
the app with the same uvicorn settings: its numbers are what this stack allows on this machine.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

import asyncpg
from jinja2 import DictLoader, Environment
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

COLS = "id, user_id, title, description, completed, priority, version, created_at, updated_at"
ROW = """<li id="task-{{ t.id }}" class="task{{ ' is-done' if t.completed }}">
<form method="post" action="/tasks/{{ t.id }}/toggle"><input type="checkbox" name="completed"
 value="true"{{ ' checked' if t.completed }}><button>Toggle</button></form>
<span class="title">{{ t.title }}</span>{% if t.description %}<p>{{ t.description }}</p>{% endif %}
<span class="priority">{{ t.priority }}</span> <time>{{ t.created_at.isoformat() }}</time></li>
"""
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tasks</title></head>
<body><h1>Tasks</h1><ul id="task-list">
{% for t in tasks %}{% include "row" %}{% endfor %}</ul></body></html>"""
jinja = Environment(loader=DictLoader({"row": ROW, "page": PAGE}), autoescape=True)


def uid(request: Request) -> int:
    return int(request.cookies.get("uid") or request.query_params["uid"])


def html(name: str, **ctx: object) -> HTMLResponse:
    return HTMLResponse(jinja.get_template(name).render(ctx))


async def list_page(request: Request) -> Response:
    sql = f"SELECT {COLS} FROM tasks WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 50"
    return html("page", tasks=await request.app.state.pool.fetch(sql, uid(request)))


async def one_row(request: Request, sql: str, *args: object) -> Response:
    row = await request.app.state.pool.fetchrow(sql, *args)
    return html("row", t=row) if row else Response(status_code=404)


async def show(request: Request) -> Response:
    sql = f"SELECT {COLS} FROM tasks WHERE id = $1 AND user_id = $2"
    return await one_row(request, sql, request.path_params["id"], uid(request))


async def create(request: Request) -> Response:
    title = str((await request.form()).get("title", ""))[:200]
    # Into the Inbox, on top of the manual order: the row ours writes.
    sql = (
        "INSERT INTO tasks (user_id, title, project_id, position) SELECT $1, $2, id,"
        " (SELECT coalesce(min(position), 4294967296) - 4294967296 FROM tasks"
        f" WHERE user_id = $1) FROM projects WHERE user_id = $1 AND is_inbox RETURNING {COLS}"
    )
    return await one_row(request, sql, uid(request), title)


async def toggle(request: Request) -> Response:
    done = (await request.form()).get("completed") == "true"
    sql = (
        "UPDATE tasks SET completed = $3, version = version + 1, updated_at = now()"
        f" WHERE id = $1 AND user_id = $2 RETURNING {COLS}"
    )
    return await one_row(request, sql, request.path_params["id"], uid(request), done)


async def api_list(request: Request) -> Response:
    sql = f"SELECT {COLS} FROM tasks WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 50"
    rows = await request.app.state.pool.fetch(sql, request.path_params["user_id"])
    iso = [{k: v.isoformat() if isinstance(v, datetime) else v for k, v in r.items()} for r in rows]
    return JSONResponse(iso)


def create_app() -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(os.environ["BASELINE_DSN"], max_size=15)
        yield
        await app.state.pool.close()

    routes = [
        Route("/tasks", list_page),
        Route("/tasks", create, methods=["POST"]),
        Route("/tasks/{id:int}", show),
        Route("/tasks/{id:int}/toggle", toggle, methods=["POST"]),
        Route("/api/{user_id:int}/tasks/", api_list),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
