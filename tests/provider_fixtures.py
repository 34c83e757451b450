"""Identity providers on loopback for the single sign-on setup check: none listening, or a wrong one.

:func:`closed_port_url` is an address on 127.0.0.1 where nothing listens (the
connection is refused at once); :func:`serving` answers every GET with a fixed
body on a free port of 127.0.0.1 and counts the requests. Nothing leaves the machine.
"""

from __future__ import annotations

import json
import socket
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DISCOVERY = "/.well-known/openid-configuration"
#: What a real provider's discovery document holds, as far as the check reads it.
GOOD_METADATA = json.dumps({"issuer": "http://127.0.0.1", "authorization_endpoint": "http://127.0.0.1/auth",
                            "token_endpoint": "http://127.0.0.1/token", "jwks_uri": "http://127.0.0.1/jwks"})


def closed_port_url() -> str:
    """A discovery address on a loopback port that was free a moment ago and has no listener."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{DISCOVERY}"


@contextmanager
def serving(body: str, content_type: str = "text/html", status: int = 200):
    """A loopback HTTP server answering ``body``; yields ``(discovery_url, requests)``, a list of paths asked."""
    requests: list[str] = []

    class Answer(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            requests.append(self.path)
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{DISCOVERY}", requests
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def silent():
    """A loopback port that takes connections but never answers; yields its discovery address."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}{DISCOVERY}"
