"""What every local stand-in shares: a threaded HTTP server on an ephemeral 127.0.0.1 port."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class AppHandler(BaseHTTPRequestHandler):
    """A request handler that knows the server object (``app``) it answers for."""

    def __init__(self, app: Any, *args: Any) -> None:
        self.app = app
        super().__init__(*args)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def send_body(self, status: int, content_type: str, body: bytes) -> None:
        """Write a complete response."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class LocalServer:
    """Serves ``handler`` in a background thread; use as a context manager."""

    def __init__(self, handler: type[AppHandler], name: str):
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), lambda *args: handler(self, *args))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True
        )
        self.root_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
