"""/api/me: who the token belongs to, so a script needs nothing but its token; and PUT
/api/me for the user's time zone and date order (what quick add and "today" read)."""

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from webapp.api.deps import INVALID, TOO_LARGE, UNAUTHORIZED, UNAVAILABLE, ApiUser
from webapp.api.routing import ApiRoute, answer_405
from webapp.db import SessionDep
from webapp.schemas.user import ClockSettings
from webapp.services.user_service import UserService

router = APIRouter(prefix="/api", tags=["me"], route_class=ApiRoute)

_EXAMPLE = {
    "user_id": 1,
    "email": "alice@example.com",
    "timezone": "Europe/Berlin",
    "date_order": "DMY",
}


class Me(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    user_id: int
    email: str
    timezone: str
    date_order: str


READ = {401: UNAUTHORIZED, 503: UNAVAILABLE}
CHANGE = {**READ, 413: TOO_LARGE, 422: INVALID}


@router.get("/me", response_model=Me, responses=READ, summary="Who am I")
async def me(user: ApiUser) -> Me:
    """The token's user: its `user_id` goes into every other path."""
    return Me(user_id=user.id, email=user.email, timezone=user.timezone, date_order=user.date_order)


@router.put("/me", response_model=Me, responses=CHANGE, summary="Set my clock")
@router.patch("/me", response_model=Me, responses=CHANGE, summary="Set my clock (the same as PUT)")
async def set_me(user: ApiUser, changes: ClockSettings, session: SessionDep) -> Me:
    """`timezone` (an IANA name) and `date_order` (DMY, MDY or YMD); either may be left out."""
    await UserService(session).set_clock(
        user.id, timezone=changes.timezone, date_order=changes.date_order
    )
    return Me(
        user_id=user.id,
        email=user.email,
        timezone=changes.timezone or user.timezone,
        date_order=changes.date_order or user.date_order,
    )


answer_405(router, "/me", ("GET", "HEAD", "PUT", "PATCH"))
