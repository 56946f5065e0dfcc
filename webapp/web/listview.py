"""What the task list is showing (Today or Upcoming, project or label, filter, priority,
search, order, page) and how it is written in a URL.

The view is rebuilt from query parameters on every request, and every URL we emit or
redirect to is rebuilt from a view, so a tampered `return_to` can only ever name /tasks.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

from webapp.models.base import valid_id
from webapp.models.task import Priority, Task
from webapp.services.due_dates import Clock, DueRange
from webapp.services.overview import Overview
from webapp.services.task_service import Sort, TaskFilter, decode_cursor

Status = Literal["all", "active", "completed"]
STATUSES: tuple[Status, ...] = ("all", "active", "completed")
LIST_PATH = "/tasks"
MAX_QUERY_LENGTH = 200
MAX_LABEL_LENGTH = 60
STATUS_WORDS = {"all": "", "active": "active", "completed": "completed"}
STATUS_TITLES = {"all": "Tasks", "active": "Active tasks", "completed": "Completed tasks"}
ALL_TASKS = "All tasks"
# `updated` is the API's order for sync scripts, not one a person picks.
SORTS = {s.value: s for s in Sort if s is not Sort.updated}
# Views by when tasks are due, read in the user's zone (services/due_dates.py).
DUE_VIEWS = {"today": "Today", "upcoming": "Upcoming"}


@dataclass(frozen=True)
class ListView:
    status: Status = "all"
    priority: Priority | None = None
    q: str = ""
    after: str | None = None
    project: int | None = None
    label: str = ""
    sort: Sort | None = None  # None: the manual order (by due in Today and Upcoming)
    view: str = ""  # "today", "upcoming" or "" (every task)
    # The user's zone and date order: what "today" is. Not in the URL: the user's own.
    clock: Clock = Clock()

    @property
    def order(self) -> Sort:
        return self.sort or (Sort.due if self.view else Sort.manual)

    @property
    def due(self) -> DueRange | None:
        if self.view == "today":
            return DueRange.today(self.clock)
        if self.view == "upcoming":
            return DueRange.upcoming(self.clock)
        return None

    @property
    def grouped_by_day(self) -> bool:
        """Upcoming in due order shows a heading per day."""
        return self.view == "upcoming" and self.order is Sort.due

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> "ListView":
        """Lenient: an unknown value falls back to the default instead of failing the page."""
        status = params.get("status", "all")
        priority = params.get("priority") or None
        after = params.get("after") or None
        project = params.get("project", "")
        view = params.get("view", "")
        view = view if view in DUE_VIEWS else ""
        sort = SORTS.get(params.get("sort", ""))
        default = Sort.due if view else Sort.manual
        return cls(
            status=status if status in STATUSES else "all",  # type: ignore[arg-type]
            priority=Priority(priority) if priority in Priority.__members__ else None,
            q=_text(params.get("q", ""))[:MAX_QUERY_LENGTH],
            after=after if decode_cursor(after, sort or default) else None,
            project=int(project) if project.isdigit() and valid_id(int(project)) else None,
            label=_text(params.get("label", "")).removeprefix("@")[:MAX_LABEL_LENGTH],
            sort=sort if sort is not default else None,
            view=view,
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
    def cursor(self) -> tuple | None:
        return decode_cursor(self.after, self.order)

    @property
    def filter(self) -> TaskFilter:
        return TaskFilter(
            completed=self.completed,
            priority=self.priority,
            search=self.q or None,
            project_id=self.project,
            label=self.label or None,
            due=self.due,
        )

    @property
    def narrowed(self) -> bool:
        """Does the view show fewer tasks than its project or label holds (other than by
        status)? Then bulk actions say how many they touch."""
        return self.priority is not None or bool(self.q)

    def heading(self, overview: Overview | None = None) -> str:
        """The view's name: its project's or label's, or "All tasks"."""
        project = overview.project(self.project) if overview else None
        label = overview.label(self.label) if overview else None
        if project is not None:
            return project.name
        if label is not None:
            return f"@{label.name}"
        if self.view:
            return DUE_VIEWS[self.view]
        return ALL_TASKS

    def title(self, overview: Overview | None = None) -> str:
        """The tab's title: which view this is, so history and tabs can be told apart."""
        heading = self.heading(overview)
        if heading == ALL_TASKS:
            title = STATUS_TITLES[self.status]
        else:
            title = heading + (f": {STATUS_WORDS[self.status]}" if self.status != "all" else "")
        if self.priority is not None:
            title += f", {self.priority.value} priority"
        if self.q:
            title += f" matching “{self.q}”"
        return f"{title} · Tasks" if title != "Tasks" else title

    def matches(self, task: Task) -> bool:
        """Would `task` be listed in this view?"""
        return self.filter.matches(task)

    def url(self, **changes: object) -> str:
        """This view's address, with some parameters changed; defaults are left out."""
        view = replace(self, **changes) if changes else self
        params = {
            "view": view.view or None,
            "project": str(view.project) if view.project else None,
            "label": view.label or None,
            "status": view.status if view.status != "all" else None,
            "priority": view.priority.value if view.priority else None,
            "q": view.q or None,
            "sort": view.sort.value if view.sort else None,
            "after": view.after,
        }
        query = urlencode({k: v for k, v in params.items() if v})
        return f"{LIST_PATH}?{query}" if query else LIST_PATH


def _text(value: str) -> str:
    # NUL cannot be stored or searched in PostgreSQL text: it is dropped.
    return " ".join(value.replace("\x00", " ").split())
