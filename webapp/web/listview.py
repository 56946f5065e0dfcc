"""What the task list is showing (filter, priority, search, page) and how it is written in a URL.

The view is rebuilt from query parameters on every request, and every URL we emit or
redirect to is rebuilt from a view, so a tampered `return_to` can only ever name /tasks.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

from webapp.models.task import Priority, Task
from webapp.services.task_service import decode_cursor

Status = Literal["all", "active", "completed"]
STATUSES: tuple[Status, ...] = ("all", "active", "completed")
LIST_PATH = "/tasks"
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class ListView:
    status: Status = "all"
    priority: Priority | None = None
    q: str = ""
    after: str | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> "ListView":
        """Lenient: an unknown value falls back to the default instead of failing the page."""
        status = params.get("status", "all")
        priority = params.get("priority") or None
        after = params.get("after") or None
        return cls(
            status=status if status in STATUSES else "all",  # type: ignore[arg-type]
            priority=Priority(priority) if priority in Priority.__members__ else None,
            # NUL cannot be stored or searched in PostgreSQL text: it is dropped.
            q=" ".join(params.get("q", "").replace("\x00", " ").split())[:MAX_QUERY_LENGTH],
            after=after if decode_cursor(after) else None,
        )

    @classmethod
    def from_url(cls, url: str | None, *, host: str | None = None) -> "ListView | None":
        """The view a /tasks URL shows; None for any other address.

        An absolute URL (htmx's HX-Current-URL) must be on `host`.
        """
        if not url or len(url) > 2000:
            return None
        try:
            parts = urlsplit(url)
        except ValueError:
            return None
        if parts.netloc and parts.netloc != host:
            return None
        if parts.scheme not in ("", "http", "https") or parts.path != LIST_PATH:
            return None
        view = cls.from_params(dict(parse_qsl(parts.query)))
        # An action answers with the list from its start, not the page it was on.
        return replace(view, after=None)

    @property
    def completed(self) -> bool | None:
        return {"all": None, "active": False, "completed": True}[self.status]

    @property
    def cursor(self) -> tuple[datetime, int] | None:
        return decode_cursor(self.after)

    @property
    def is_filtered(self) -> bool:
        return self.status != "all" or self.priority is not None or bool(self.q)

    def matches(self, task: Task) -> bool:
        """Would `task` be listed in this view? (The same rules as TaskService.get_tasks.)"""
        if self.completed is not None and task.completed != self.completed:
            return False
        if self.priority is not None and task.priority != self.priority:
            return False
        if self.q:
            needle = self.q.casefold()
            haystack = f"{task.title}\n{task.description or ''}".casefold()
            return needle in haystack
        return True

    def url(self, **changes: str | None) -> str:
        """This view's address, with some parameters changed; defaults are left out."""
        view = replace(self, **changes) if changes else self
        params = {
            "status": view.status if view.status != "all" else None,
            "priority": view.priority.value if view.priority else None,
            "q": view.q or None,
            "after": view.after,
        }
        query = urlencode({k: v for k, v in params.items() if v})
        return f"{LIST_PATH}?{query}" if query else LIST_PATH


def relative_time(moment: datetime, now: datetime) -> str:
    """ "just now", "5 min ago", "3 hours ago", "yesterday", "4 days ago", else the date."""
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
