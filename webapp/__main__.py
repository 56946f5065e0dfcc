"""`python -m webapp`: start the database if embedded, migrate to head, serve."""

import signal
import sys

import uvicorn

from webapp.config import ConfigError, get_settings
from webapp.db import embedded_url, start_embedded
from webapp.migrate import migrate


def _stop(signum: int, frame: object) -> None:
    # uvicorn finishes the requests in flight, then raises the signal again: ending here
    # makes a requested stop exit 0 (and run atexit hooks, which leave the embedded server).
    raise SystemExit(0)


def main() -> None:
    if sys.argv[1:2] == ["admin"]:  # the administrator's command line, webapp/admin.py
        from webapp.admin import main as admin

        sys.exit(admin(sys.argv[2:]))
    settings = get_settings()
    try:
        settings.check()
        settings.resolved_secret_key()
    except ConfigError as exc:
        sys.exit(f"error: {exc}")
    # Started here so migrations and the app share one server; the app's
    # lifespan joins it and stops it on shutdown.
    url = settings.database_url or embedded_url(start_embedded(settings.pgdata_dir))
    migrate(url)
    signal.signal(signal.SIGTERM, _stop)
    uvicorn.run(
        "webapp.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        access_log=settings.access_log,
        log_level=settings.log_level,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        workers=settings.web_concurrency,
        # Requests in flight get this long to finish after SIGTERM; then the rest is closed.
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main()
