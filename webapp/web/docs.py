"""/docs: Swagger UI for the JSON API, served from our own static files.

FastAPI's built-in page loads Swagger UI from a CDN and starts it with an
inline script; the site's Content-Security-Policy (scripts and styles from
'self' only) blocks both, and the app must work offline.
"""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from webapp.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
async def api_docs(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "api_docs.html", {"openapi_url": request.app.openapi_url}
    )
