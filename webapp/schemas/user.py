"""Account input: registration, login and password change, for forms and the API alike."""

import re
from functools import cache
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, WithJsonSchema

from webapp.config import PROJECT_ROOT

MIN_PASSWORD_CHARS = 8
# Bytes, not characters: argon2 hashes whatever it is given, but a megabyte
# "password" would only be a way to make the server spend memory and time.
MAX_PASSWORD_BYTES = 1024
MAX_EMAIL_CHARS = 254
COMMON_PASSWORDS_FILE = PROJECT_ROOT / "webapp" / "data" / "common_passwords.txt"

# Deliberately loose: the only real test of an address is a mail to it. This
# catches typos (no "@", spaces, no dot in the domain) without refusing the
# odd-but-valid addresses a strict RFC 5322 parser would have to accept.
_LOCAL = r"[^\s\x00-\x1f\x7f@\"(),:;<>\[\]\\]{1,64}"
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_EMAIL_RE = re.compile(rf"{_LOCAL}@{_LABEL}(?:\.{_LABEL})+")


@cache
def common_passwords() -> frozenset[str]:
    """The 1,000 most common passwords (lowercase), read once on first use."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _normalize_email(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


def _check_email(value: str) -> str:
    if not value:
        raise ValueError("Enter your email address.")
    if len(value) > MAX_EMAIL_CHARS or not _EMAIL_RE.fullmatch(value):
        raise ValueError("Enter an email address like name@example.com.")
    return value


def _check_new_password(value: str) -> str:
    if len(value) < MIN_PASSWORD_CHARS:
        raise ValueError(f"Use at least {MIN_PASSWORD_CHARS} characters.")
    if len(value.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise ValueError(f"Use at most {MAX_PASSWORD_BYTES} bytes.")
    # Compared the way the list was built (lowercased), so "Password1" is caught too.
    if value.strip().lower() in common_passwords():
        raise ValueError("This password is too common. Choose one that is harder to guess.")
    return value


def _check_login_password(value: str) -> str:
    # Too long to be any account's password: refused before hashing it.
    if not value or len(value.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise ValueError("Invalid password.")
    return value


Email = Annotated[str, BeforeValidator(_normalize_email), AfterValidator(_check_email)]
NewPassword = Annotated[str, AfterValidator(_check_new_password)]
LoginPassword = Annotated[str, AfterValidator(_check_login_password)]


class _Form(BaseModel):
    # Extra fields (the CSRF token, `next`) belong to the page, not the schema.
    model_config = ConfigDict(extra="ignore")


class UserRegister(_Form):
    email: Email
    password: NewPassword


class UserLogin(_Form):
    """What a login needs; a failure of any kind is reported as the same generic error."""

    email: Email
    password: LoginPassword


class PasswordChange(_Form):
    current_password: LoginPassword
    new_password: NewPassword


def _check_timezone(value: str) -> str:
    """An IANA zone this server knows ("Europe/Berlin"); "UTC" is one too."""
    if not zone_names_include(value):
        raise ValueError("Choose a time zone from the list, such as Europe/Berlin or UTC.")
    return value


def zone_names_include(name: str) -> bool:
    return name in zone_names()


@cache
def zone_names() -> tuple[str, ...]:
    """Every zone name zoneinfo can load here, sorted: what Settings offers."""
    return tuple(sorted(available_timezones() | {"UTC"}))


TimeZoneName = Annotated[
    str,
    BeforeValidator(lambda v: v.strip() if isinstance(v, str) else v),
    AfterValidator(_check_timezone),
    # The schema names them all, so a generated client offers exactly what is accepted.
    WithJsonSchema({"type": "string", "enum": list(zone_names())}),
]
DateOrder = Literal["DMY", "MDY", "YMD"]


class ClockSettings(_Form):
    """The user's zone and date order (Settings and PUT /api/me): a partial update."""

    timezone: TimeZoneName | None = None
    date_order: DateOrder | None = None
