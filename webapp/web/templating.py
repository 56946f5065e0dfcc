"""The one Jinja2 environment every HTML response renders with, and its globals (the task
list's rows are written by webapp/web/rows.py)."""

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from webapp.config import PROJECT_ROOT
from webapp.models.project import COLORS
from webapp.models.task import Priority
from webapp.web.cookies import csrf_token, theme_of
from webapp.web.rows import due_tag, task_rows

templates = Jinja2Templates(directory=PROJECT_ROOT / "templates")
STATIC_PREFIX = "/static/"


def hidden_fields(request: Request, return_to: str) -> Markup:
    """The two hidden fields of every form of the list: the CSRF token, and the view to go
    back to (left out for the plain list, the default)."""
    html = f'<input type=hidden name=csrf_token value="{csrf_token(request)}">'
    if return_to != "/tasks":
        html += f'<input type=hidden name=return_to value="{escape(return_to)}">'
    return Markup(html)


def nav_link(
    href: str, name: str, current: bool, count: int | None = None, extra: str = ""
) -> Markup:
    """A sidebar link: the list's name, aria-current on the one shown, and its number of
    open tasks (said as "3 open"); `extra` is markup of ours (attributes)."""
    html = f'<a href="{escape(href)}"'
    if current:
        html += ' aria-current="page"'
    html += f'{extra}><span class="nav-name">{escape(name)}</span>'
    if count:
        html += f' <span class="count">{count}<span class="sr"> open</span></span>'
    return Markup(html + "</a>")


def static(path: str) -> str:
    """The address of a file in static/ (a plain string: url_for is slow, three times a page)."""
    return STATIC_PREFIX + path


templates.env.globals["csrf_token"] = csrf_token
templates.env.globals["theme_of"] = theme_of
templates.env.globals["static"] = static
templates.env.globals["hidden_fields"] = hidden_fields
templates.env.globals["nav_link"] = nav_link
templates.env.globals["priority_choices"] = [
    (p.value, p.value.capitalize()) for p in reversed(Priority)
]
templates.env.globals["priorities"] = list(Priority)
templates.env.globals["colors"] = COLORS
templates.env.globals["due_tag"] = due_tag
templates.env.globals["task_rows"] = task_rows
