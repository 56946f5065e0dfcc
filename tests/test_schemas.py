"""The schemas shared by the API and the forms: trimming, lengths, priorities."""

import pytest
from pydantic import ValidationError

from webapp.models import Priority
from webapp.schemas import TaskCreate, TaskUpdate


@pytest.mark.parametrize("title", ["", "   ", "\t\n"])
def test_blank_titles_are_rejected(title: str) -> None:
    with pytest.raises(ValidationError) as raised:
        TaskCreate(title=title)
    assert raised.value.errors()[0]["loc"] == ("title",)


def test_title_length_is_checked_after_trimming() -> None:
    assert len(TaskCreate(title="x" * 200).title) == 200
    assert TaskCreate(title="  " + "x" * 200 + "  ").title == "x" * 200
    with pytest.raises(ValidationError):
        TaskCreate(title="x" * 201)


def test_description_limit_and_blank_means_none() -> None:
    assert TaskCreate(title="t", description="d" * 1000).description == "d" * 1000
    assert TaskCreate(title="t", description="   ").description is None
    with pytest.raises(ValidationError):
        TaskCreate(title="t", description="d" * 1001)


@pytest.mark.parametrize("priority", ["urgent", "HIGH", "", None])
def test_bad_priority_is_rejected(priority: object) -> None:
    with pytest.raises(ValidationError) as raised:
        TaskCreate(title="t", priority=priority)
    assert raised.value.errors()[0]["loc"] == ("priority",)


def test_defaults() -> None:
    task = TaskCreate(title="t")
    assert task.priority == Priority.medium and task.description is None


def test_update_keeps_only_what_was_sent() -> None:
    assert TaskUpdate(completed=True).model_dump(exclude_unset=True) == {"completed": True}
    with pytest.raises(ValidationError):
        TaskUpdate(title="   ")
    with pytest.raises(ValidationError):
        TaskUpdate(title=None)
    with pytest.raises(ValidationError):
        TaskUpdate(priority="urgent")
