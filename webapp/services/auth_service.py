"""The account use cases, written once for the login form, the API's token endpoint
and the settings page: throttle, validate, verify, record.

Whatever was wrong with a login (unknown email, wrong password, input no account
could have), the caller learns only "no": which emails exist is nobody's business.
"""

from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from webapp.models.user import Account, User
from webapp.schemas.user import PasswordChange, UserLogin, UserRegister
from webapp.services.account_service import AccountService
from webapp.services.login_throttle import LoginThrottle, Throttled
from webapp.services.session_service import SessionService
from webapp.services.token_service import TokenService
from webapp.services.user_service import UserService, normalize_email

__all__ = ["AuthService", "Throttled", "WrongPassword"]


class WrongPassword(Exception):
    """The password given to confirm a change (of the password, a deletion) was not the user's."""


class AuthService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.throttle = LoginThrottle(session)
        self.users = UserService(session)

    async def login(
        self, email: str, password: str, *, client: str, trusted: bool = False
    ) -> User | None:
        """The user these credentials belong to, or None; raises Throttled.

        `trusted`: this browser has logged in as this email before, so failures
        made from elsewhere do not hold it back (its own failures still do).
        """
        attempt = await self.throttle.begin_login(normalize_email(email), client, trusted=trusted)
        try:
            credentials = UserLogin.model_validate({"email": email, "password": password})
        except ValidationError:
            return None  # not an address or password anyone could have: a wrong login
        user = await self.users.authenticate(credentials.email, credentials.password)
        if user is not None:
            await self.throttle.succeeded(attempt)
        return user

    async def register(self, data: UserRegister, *, client: str) -> User:
        """Create the account; raises Throttled, or EmailTakenError when it exists."""
        await self.throttle.begin_registration(data.email, client)
        return await self.users.create_user(data.email, data.password)

    async def change_password(
        self, user: Account, change: PasswordChange, *, client: str, keep_session: str | None
    ) -> None:
        """Set the new password, then end every other session and revoke every API token:
        whoever knew the old password, or holds something made with it, is out.
        Raises WrongPassword or Throttled.
        """
        await self.confirm_password(user, change.current_password, client=client)
        await self.users.set_password(user.id, change.new_password)
        await self.end_other_access(user.id, keep_session=keep_session, revoke_tokens=True)

    async def delete_account(self, user: Account, password: str, *, client: str) -> None:
        """Delete the account and everything of it, once its password is given again
        (a session left open on a shared computer is not enough). Raises WrongPassword
        or Throttled, deleting nothing."""
        await self.confirm_password(user, password, client=client)
        await AccountService(self.session).delete_account(user.id)

    async def confirm_password(self, user: Account, password: str, *, client: str) -> None:
        """Check that `password` is the signed-in user's own, before a change that needs it.

        Guessing the password from a stolen session is a login attempt like any other
        (throttled and counted). Raises WrongPassword or Throttled.
        """
        attempt = await self.throttle.begin_login(user.email, client, trusted=True)
        confirmed = await self.users.authenticate(user.email, password)
        if confirmed is None or confirmed.id != user.id:
            raise WrongPassword
        await self.throttle.succeeded(attempt)

    async def end_other_access(
        self, user_id: int, *, keep_session: str | None, revoke_tokens: bool
    ) -> tuple[int, int]:
        """(sessions ended, tokens revoked): every session but `keep_session`, and the
        API tokens too when asked."""
        sessions = await SessionService(self.session).end_other_sessions(user_id, keep_session)
        tokens = await TokenService(self.session).revoke_all(user_id) if revoke_tokens else 0
        return sessions, tokens
