"""Local receivers for alerts: an SMTP server (aiosmtpd) and a Slack-style incoming webhook."""

from __future__ import annotations

import email
import email.policy
import json
import socket
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from ._http import AppHandler, LocalServer


class _Inbox:
    """aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's API
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"


class SmtpCapture:
    """A real SMTP server on 127.0.0.1 (free port) that stores what it receives; use as a context manager."""

    def __init__(self) -> None:
        self.inbox = _Inbox()
        with socket.socket() as probe:  # aiosmtpd's start-up check cannot use port 0: pick a free port first
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[EmailMessage]:
        return self.inbox.messages

    def __enter__(self) -> SmtpCapture:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

    def connection_json(self, from_email: str = "digest@example.org") -> str:
        """AIRFLOW_CONN_* value for the smtp provider pointing at this server (plain SMTP, no TLS)."""
        return json.dumps({"conn_type": "smtp", "host": "127.0.0.1", "port": self.port,
                           "extra": {"disable_ssl": True, "disable_tls": True, "from_email": from_email,
                                     "timeout": 10, "retry_limit": 1}})


class _WebhookHandler(AppHandler):
    app: WebhookCapture

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.app.posts.append({"path": self.path, "json": json.loads(body or b"{}")})
        self.send_body(200, "text/plain", b"ok")


class WebhookCapture(LocalServer):
    """An incoming-webhook endpoint like Slack's: answers 'ok' and records each JSON payload."""

    def __init__(self) -> None:
        super().__init__(_WebhookHandler, "webhook-capture")
        self.posts: list[dict[str, Any]] = []
        self.url = f"{self.root_url}/services/T000/B000/XXXX"

    def connection_json(self) -> str:
        """AIRFLOW_CONN_* value for the slack provider's webhook connection."""
        return json.dumps({"conn_type": "slackwebhook", "password": self.url})
