"""The web app manifest: installable from a phone's browser, with icons of our own."""

import struct

import httpx


async def test_manifest_is_linked_and_names_the_app_icons_and_start_page(
    client: httpx.AsyncClient,
) -> None:
    page = (await client.get("/login")).text
    assert '<link rel="manifest" href="/static/manifest.webmanifest">' in page
    assert page.count('name="theme-color"') == 2  # light and dark
    response = await client.get("/static/manifest.webmanifest")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["name"] == "Tasks"
    assert manifest["start_url"] == "/tasks"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] and manifest["background_color"]
    for icon in manifest["icons"]:
        png = (await client.get(icon["src"])).content
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png[16:24])
        assert icon["sizes"] == f"{width}x{height}"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
