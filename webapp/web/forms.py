"""HTML form data parsed by the same schemas as the JSON API, with one message per bad field."""

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from fastapi import HTTPException, Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

SchemaT = TypeVar("SchemaT", bound=BaseModel)

# Our forms have a handful of small fields and no files (the import page asks for its own):
# the parser refuses anything bigger before building it in memory.
FORM_LIMITS = {"max_fields": 50, "max_files": 0, "max_part_size": 64 * 1024}


URLENCODED = "application/x-www-form-urlencoded"
_FORM = "webapp.form"


async def read_form(request: Request, **limits: int) -> FormData:
    """The request's form, parsed once (later calls get the same), within FORM_LIMITS.

    A urlencoded body (every form of ours) is split here: Starlette's general parser costs
    more than the rest of a toggle. Bytes that are not UTF-8 become U+FFFD.
    """
    form = request.scope.get(_FORM)
    if form is not None:
        return form
    if request.headers.get("content-type", "").startswith(URLENCODED):
        try:
            body = await request.body()
        except RuntimeError:  # FastAPI already parsed it for a route's Form() parameters
            return await request.form()
        text = body.decode(errors="replace")
        try:
            pairs = parse_qsl(
                text,
                keep_blank_values=True,
                max_num_fields=FORM_LIMITS["max_fields"],
                errors="replace",
            )
        except ValueError:
            raise HTTPException(status_code=400, detail="Too many fields in the form.") from None
        form = FormData(pairs)
    else:
        form = await request.form(**(FORM_LIMITS | limits))
    request.scope[_FORM] = form
    return form


def field_errors(exc: ValidationError) -> dict[str, str]:
    """{field name: a sentence for the person who typed it}; the first problem per field wins."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "form"
        errors.setdefault(field, _message(error))
    return errors


def _message(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return "This can't be empty."
    if kind == "string_too_short":
        return f"Use at least {ctx['min_length']} characters."
    if kind == "string_too_long":
        return f"Use at most {ctx['max_length']} characters."
    if kind == "string_pattern_mismatch":
        # The only patterns on our fields refuse characters that cannot be stored.
        return "Remove the invisible control character (NUL) from this text."
    if kind == "enum":
        return f"Choose one of {ctx.get('expected', 'the listed values')}."
    if kind == "bool_parsing":
        return "Choose yes or no."
    if kind == "value_error" and ctx.get("error"):
        # A validator's own ValueError already speaks to the user; drop pydantic's prefix.
        return str(ctx["error"])
    if kind == "string_type":
        return "Enter text here."
    return str(error["msg"])


def form_values(form: FormData, fields: Iterable[str]) -> dict[str, str]:
    """The text sent for each of `fields`; a field that was not sent is left out, not blank.

    A field sent more than once counts by its last value (a checkbox after its hidden
    "off" value, a submit button after both).
    """
    values: dict[str, str] = {}
    for name in fields:
        sent = [value for value in form.getlist(name) if isinstance(value, str)]
        if sent:
            values[name] = sent[-1]
    return values


def parse_form(
    schema: type[SchemaT], values: Mapping[str, str]
) -> tuple[SchemaT | None, dict[str, str]]:
    """(the parsed schema, {}) or (None, per-field messages)."""
    try:
        return schema.model_validate(values), {}
    except ValidationError as exc:
        return None, field_errors(exc)
