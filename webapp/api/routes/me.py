"""GET /api/me: who the token belongs to, so a script needs nothing but its token."""

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from webapp.api.deps import UNAUTHORIZED, ApiUser
from webapp.api.routing import ApiRoute

router = APIRouter(prefix="/api", tags=["me"], route_class=ApiRoute)


class Me(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"user_id": 1, "email": "alice@example.com"}]}
    )

    user_id: int
    email: str


@router.get("/me", response_model=Me, responses={401: UNAUTHORIZED}, summary="Who am I")
async def me(user: ApiUser) -> Me:
    """The token's user: its `user_id` goes into every other path."""
    return Me(user_id=user.id, email=user.email)
