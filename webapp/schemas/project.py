"""Project and label input and output, shared by the JSON API and the HTML forms."""

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from webapp.models.base import MAX_ID
from webapp.models.project import COLORS
from webapp.schemas.task import LABEL_LENGTH, trimmed

ProjectName = trimmed(1, 100)
Color = Literal[COLORS]  # type: ignore[valid-type]


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [{"name": "Home"}]})

    name: ProjectName


class ProjectUpdate(BaseModel):
    """A partial update: only the fields sent are changed."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [{"name": "Garden"}]})

    name: ProjectName | None = None
    archived: bool | None = None


class ProjectResponse(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 2,
                    "name": "Home",
                    "is_inbox": False,
                    "archived": False,
                    "position": 4294967296,
                    "created_at": "2026-01-01T09:00:00Z",
                    "updated_at": "2026-01-01T09:00:00Z",
                }
            ]
        },
    )

    id: int
    name: str
    is_inbox: bool
    archived: bool
    position: int
    created_at: AwareDatetime
    updated_at: AwareDatetime


class LabelUpdate(BaseModel):
    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [{"color": "red"}]})

    name: trimmed(1, LABEL_LENGTH, r"\x00,") | None = None
    color: Color | None = None


class LabelResponse(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [{"id": 1, "name": "errands", "color": "grey"}]},
    )

    id: int
    name: str
    color: Color


class TaskMove(BaseModel):
    """Where a task goes in the manual order: right after one task, or right before one."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"after": 12}]})

    after: int | None = Field(default=None, ge=1, le=MAX_ID)
    before: int | None = Field(default=None, ge=1, le=MAX_ID)

    @model_validator(mode="after")
    def _one_anchor(self) -> "TaskMove":
        # Both or neither would leave the place unsaid: refused rather than guessed.
        if (self.after is None) == (self.before is None):
            raise ValueError("give exactly one of after and before")
        return self
