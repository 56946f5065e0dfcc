"""Bring a database to the newest schema: Alembic's upgrade to head, the one way the schema
changes. Used at start-up (`python -m webapp`) and after a restore (`admin restore`)."""

from alembic import command
from alembic.config import Config

from webapp.config import PROJECT_ROOT


def migrate(database_url: str) -> None:
    config = Config(PROJECT_ROOT / "alembic.ini")
    config.attributes["database_url"] = database_url
    command.upgrade(config, "head")
