"""The one Jinja2 environment every HTML response renders with."""

from fastapi.templating import Jinja2Templates

from webapp.config import PROJECT_ROOT
from webapp.web.cookies import csrf_token

templates = Jinja2Templates(directory=PROJECT_ROOT / "templates")
templates.env.globals["csrf_token"] = csrf_token
