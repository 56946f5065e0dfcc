"""Write the app's icons (static/icons/icon-192.png, icon-512.png): the brand mark, a
white tick on the accent colour, as PNG by hand (zlib + struct), so no image library is
needed. Run again after changing the colour or the shape; the output is committed.

    .venv/bin/python scripts/make_icons.py
"""

import struct
import zlib
from pathlib import Path

ACCENT = (0x2A, 0x56, 0xC6)  # static/app.css --accent (light)
TICK = (0xFF, 0xFF, 0xFF)
# The tick as two strokes, in units of the icon's side (0..1); kept inside the central
# 80 % so a maskable icon cropped to a circle still shows all of it.
STROKES = (((0.29, 0.52), (0.44, 0.67)), ((0.44, 0.67), (0.72, 0.37)))
WIDTH = 0.085  # half the stroke's thickness
OUT = Path(__file__).resolve().parent.parent / "static" / "icons"


def _distance(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return ((px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2) ** 0.5


def _pixel(x: int, y: int, size: int) -> bytes:
    # Four samples per pixel: smooth edges without an anti-aliasing library.
    hits = 0
    for sx, sy in ((0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)):
        p = ((x + sx) / size, (y + sy) / size)
        hits += any(_distance(p, a, b) <= WIDTH for a, b in STROKES)
    mix = hits / 4
    return bytes(round(c * (1 - mix) + t * mix) for c, t in zip(ACCENT, TICK, strict=True))


def png(size: int) -> bytes:
    rows = b"".join(
        b"\x00" + b"".join(_pixel(x, y, size) for x in range(size)) for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        (OUT / f"icon-{size}.png").write_bytes(png(size))
        print(OUT / f"icon-{size}.png")
