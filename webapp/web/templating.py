"""The one Jinja2 environment every HTML response renders with."""

from fastapi.templating import Jinja2Templates

from webapp.config import PROJECT_ROOT

templates = Jinja2Templates(directory=PROJECT_ROOT / "templates")
