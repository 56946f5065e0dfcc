"""The one Jinja2 environment every HTML response renders with, and its filters."""

from datetime import UTC, datetime

from fastapi.templating import Jinja2Templates

from webapp.config import PROJECT_ROOT
from webapp.models.base import utcnow
from webapp.models.task import Priority
from webapp.web.cookies import csrf_token

templates = Jinja2Templates(directory=PROJECT_ROOT / "templates")


def relative_time(moment: datetime, now: datetime | None = None) -> str:
    """ "just now", "5 min ago", "3 hours ago", "yesterday", "4 days ago", else the date."""
    now = now or utcnow()
    seconds = (now - moment).total_seconds()
    if seconds < 45:
        return "just now"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min ago"
    hours = round(seconds / 3600)
    if hours < 24:
        return "1 hour ago" if hours == 1 else f"{hours} hours ago"
    days = (now.date() - moment.astimezone(now.tzinfo).date()).days
    if days <= 1:
        return "yesterday"
    if days < 7:
        return f"{days} days ago"
    if moment.year == now.year:
        return f"{moment.day} {moment:%b}"
    return f"{moment.day} {moment:%b %Y}"


def exact_time(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


templates.env.globals["csrf_token"] = csrf_token
templates.env.globals["priorities"] = list(Priority)
templates.env.filters["since"] = relative_time
templates.env.filters["exact_time"] = exact_time
templates.env.filters["iso"] = lambda moment: moment.isoformat(timespec="seconds")
