"""API token input and output: the token endpoint and the settings page's form."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from webapp.schemas.task import NO_NUL
from webapp.schemas.user import MAX_EMAIL_CHARS, MAX_PASSWORD_BYTES, UserLogin

TokenName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=NO_NUL)
]


class TokenRequest(BaseModel):
    """Email and password, exchanged for a bearer token.

    Only their shape is checked here; whether they make a valid login is the
    login form's own rules (UserLogin), and any failure there is the same 401.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"email": "alice@example.com", "password": "correct horse battery"}]
        }
    )

    email: Annotated[str, Field(max_length=MAX_EMAIL_CHARS, pattern=NO_NUL)]
    password: Annotated[str, Field(max_length=MAX_PASSWORD_BYTES)]

    def as_login(self) -> UserLogin:
        """The same credentials under the login form's rules; raises ValidationError."""
        return UserLogin.model_validate(self.model_dump())


class TokenResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"access_token": "tm_…", "token_type": "bearer", "user_id": 1}]
        }
    )

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    user_id: int


class TokenCreate(BaseModel):
    """A personal token made on the settings page."""

    name: TokenName
    # None: the token lasts until it is revoked.
    expires_in_days: Annotated[int, Field(ge=1, le=3650)] | None = None
