"""What the task list is showing (filter, priority, search, page) and how it is written in a URL.

The view is rebuilt from query parameters on every request, and every URL we emit or
redirect to is rebuilt from a view, so a tampered `return_to` can only ever name /tasks.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

from webapp.models.task import Priority, Task
from webapp.services.task_service import TaskFilter, decode_cursor

Status = Literal["all", "active", "completed"]
STATUSES: tuple[Status, ...] = ("all", "active", "completed")
LIST_PATH = "/tasks"
MAX_QUERY_LENGTH = 200
STATUS_TITLES = {"all": "Tasks", "active": "Active tasks", "completed": "Completed tasks"}


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
    def filter(self) -> TaskFilter:
        return TaskFilter(completed=self.completed, priority=self.priority, search=self.q or None)

    @property
    def narrowed(self) -> bool:
        """Does the view show fewer tasks than the whole list (other than by status)?"""
        return self.priority is not None or bool(self.q)

    @property
    def title(self) -> str:
        """The tab's title: which view this is, so history and tabs can be told apart."""
        title = STATUS_TITLES[self.status]
        if self.priority is not None:
            title += f", {self.priority.value} priority"
        if self.q:
            title += f" matching “{self.q}”"
        return f"{title} · Tasks" if title != "Tasks" else title

    def matches(self, task: Task) -> bool:
        """Would `task` be listed in this view?"""
        return self.filter.matches(task)

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
