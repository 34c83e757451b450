"""A stand-in WMS on loopback: answers every GetMap with a small PNG and records what was asked.

The browser tests point a base-map preset at it (``BEDARFSATLAS_BASEMAP_URL``), so
that they see the requests Leaflet really makes for the preset (layer, format,
CRS, version) without any request leaving the machine.
"""

from __future__ import annotations

import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

TILE_PX = 256
TILE_RGB = (170, 210, 160)  # a light green nobody would mistake for an area colour


def solid_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A PNG of one colour, written by hand (8-bit RGB, no filter)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * height))
            + chunk(b"IEND", b""))


class StubWms:
    """``with StubWms() as wms:`` serves ``wms.url``; ``wms.requests`` holds every request's path and query."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        png = solid_png(TILE_PX, TILE_PX, TILE_RGB)
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                # WMS parameter names are case-insensitive; Leaflet sends them upper-case.
                query = {key.upper(): value for key, value in parse_qsl(parts.query, keep_blank_values=True)}
                with stub._lock:
                    stub.requests.append((parts.path, query))
                if query.get("REQUEST") != "GetMap":
                    self.send_error(400, "only GetMap")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(png)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(png)

            def log_message(self, *args) -> None:  # the requests are recorded, not printed
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def get_maps(self, path: str | None = None) -> list[dict[str, str]]:
        """The queries of the GetMap requests received (under ``path``, if given)."""
        with self._lock:
            return [q for p, q in self.requests if q.get("REQUEST") == "GetMap" and (path is None or p == path)]

    def __enter__(self) -> "StubWms":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
