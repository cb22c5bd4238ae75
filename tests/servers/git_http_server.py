"""Git's smart HTTP protocol over `git http-backend` (CGI), behind HTTP basic auth: a blog remote with a token."""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from ._http import AppHandler, LocalServer


class _GitHandler(AppHandler):
    def _serve(self) -> None:
        app: GitHttpServer = self.app
        app.auth_headers.append(self.headers.get("Authorization", ""))
        if self.headers.get("Authorization") != app.expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="blog"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        env = {**os.environ, "GIT_PROJECT_ROOT": str(app.root), "GIT_HTTP_EXPORT_ALL": "1",
               "REQUEST_METHOD": self.command, "PATH_INFO": url.path, "QUERY_STRING": url.query,
               "CONTENT_TYPE": self.headers.get("Content-Type", ""), "CONTENT_LENGTH": str(len(body)),
               "REMOTE_USER": "digest-bot", "GIT_HTTP_MAX_REQUEST_BUFFER": "100M"}
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        out = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, check=False).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        status = 200
        headers = []
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _serve


class GitHttpServer(LocalServer):
    """Serves the bare repositories under ``root`` at ``<url>/<name>``; only user:token may read or push."""

    def __init__(self, root: Path, user: str, token: str):
        super().__init__(_GitHandler, "git-http")
        self.root = root
        self.expected = "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()
        self.auth_headers: list[str] = []
        subprocess.run(["git", "config", "--file", str(root / "config"), "http.receivepack", "true"], check=False)
