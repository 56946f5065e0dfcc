"""Settings: the only place that reads the environment."""

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import computed_field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(Exception):
    """Start-up cannot go on; the message is one line for the operator."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    # postgresql+asyncpg://...; unset means an embedded server under var/pgdata.
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: str | None = None
    var_dir: Path = PROJECT_ROOT / "var"

    # Per worker: the connections its requests share (asyncpg's pool; a request holds one
    # while it runs), and the most its ORM transactions may open besides (SQLAlchemy's
    # pool keeps two of those). At most DB_POOL_SIZE + DB_MAX_OVERFLOW + 2 in all.
    db_pool_size: int = 16
    db_max_overflow: int = 4
    db_pool_timeout: float = 10.0
    # Seconds to open a connection before giving up: a database that is down or
    # unreachable is a quick 503, not a request hanging on a dead address.
    db_connect_timeout: float = 1.5
    # Behind PgBouncer in transaction mode: no prepared statements kept across transactions.
    db_pgbouncer: bool = False
    # Live updates (webapp/live): the listener's own connection, straight to PostgreSQL.
    # LISTEN does not work through PgBouncer in transaction mode, so behind one
    # (DB_PGBOUNCER) name the server itself here; unset means DATABASE_URL, or with
    # DB_PGBOUNCER no listener at all (pages then catch up at each ping instead).
    listen_database_url: str | None = None
    # Seconds between a stream's pings, each of which re-checks its session.
    live_ping_seconds: float = 15.0
    # Seconds between the listener's health checks (SELECT 1 on its connection).
    live_health_seconds: float = 15.0
    # Open streams per user and process; one more closes the oldest.
    live_max_streams: int = 8
    # uvicorn worker processes; each has its own pool (see README, "Running in production").
    web_concurrency: int = 1
    access_log: bool = False
    log_level: str = "info"
    # The proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (comma-separated
    # addresses or networks, or "*"): login limits count per client, so behind a proxy
    # this must name it, or every user shares the proxy's address.
    forwarded_allow_ips: str = "127.0.0.1,::1"
    # "closed": nobody can register from the login page; an administrator makes accounts.
    registration: Literal["open", "closed"] = "open"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def pgdata_dir(self) -> Path:
        return self.var_dir / "pgdata"

    def check(self) -> None:
        """Refuse to start production without the values it must not guess."""
        if not self.is_production:
            return
        required = ("SECRET_KEY", "DATABASE_URL")
        missing = [name for name in required if not getattr(self, name.lower())]
        if missing:
            raise ConfigError(f"{' and '.join(missing)} must be set when ENVIRONMENT=production")

    def resolved_secret_key(self) -> str:
        """SECRET_KEY, or in development one generated once and kept in var/."""
        if self.secret_key:
            return self.secret_key
        self.check()
        path = self.var_dir / "secret_key"
        if not path.exists():
            self.var_dir.mkdir(parents=True, exist_ok=True)
            # O_EXCL: two processes starting together must agree on one key.
            try:
                with path.open("x") as fh:
                    fh.write(secrets.token_urlsafe(48))
                path.chmod(0o600)
            except FileExistsError:
                pass
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
