"""A local stand-in for an OpenAI-compatible chat endpoint (``POST /v1/chat/completions``) for the real ``openai``."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import Any

from ._http import AppHandler, LocalServer
from .gemini_server import ChineseWriter, estimate_tokens, technical_terms

_ROUTE = "/v1/chat/completions"
_MESSAGES = {
    400: ("invalid_request_error", "invalid_request_error", "Invalid request."),
    403: ("invalid_request_error", "permission_denied", "You are not allowed to use this model."),
    404: ("invalid_request_error", "model_not_found", "The model does not exist or you do not have access to it."),
    429: ("requests", "rate_limit_exceeded", "Rate limit reached for requests. Please try again later."),
    500: ("server_error", None, "The server had an error while processing your request. Sorry about that!"),
    503: ("server_error", None, "The engine is currently overloaded, please try again later."),
}
# What DeepSeek answers when asked for json_schema; vLLM and others word it differently.
SCHEMA_UNSUPPORTED = "This response_format type is unavailable now"
JSON_WORD_MISSING = (
    "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'."
)


@dataclass
class OpenAIReply:
    """One scripted answer: a choice (text, finish reason, hidden reasoning) or an HTTP error."""

    text: str | None = None  # None: the default responder's valid JSON (cut short when finish_reason is "length")
    finish_reason: str = "stop"
    status: int = 200
    retry_after: str | None = None  # the ``retry-after`` header of an error
    reasoning: str | None = None  # put before the answer as ``<think>…</think>``, as R1-style models do
    reasoning_content: str | None = None  # the separate ``message.reasoning_content`` field (DeepSeek, vLLM)
    refusal: str | None = None  # ``message.refusal`` with no content
    prompt_tokens: int = 100
    output_tokens: int = 200


Responder = Callable[[dict[str, Any]], "dict[str, Any] | OpenAIReply"]


def _text(content: Any) -> str:
    """The text of a message ``content``: a string or a list of ``{"type": "text", "text": …}`` parts."""
    if isinstance(content, str):
        return content
    return "\n".join(p.get("text", "") for p in content or [] if isinstance(p, dict))


def message_text(body: dict[str, Any], role: str) -> str:
    """All text of the request's messages with ``role``, joined by newlines."""
    return "\n".join(_text(m.get("content")) for m in body.get("messages", []) if m.get("role") == role)


def embedded_schema(text: str) -> dict[str, Any] | None:
    """The first JSON Schema object written into ``text`` (how a client asks for a shape in json_object mode)."""
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1:
        try:
            value, _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            value = None
        if isinstance(value, dict) and ("properties" in value or "type" in value):
            return value
        start = text.find("{", start + 1)
    return None


def requested_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON Schema the request asks for: ``response_format.json_schema.schema``, or one in the messages."""
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return (fmt.get("json_schema") or {}).get("schema")
    if fmt.get("type") == "json_object":
        return embedded_schema(message_text(body, "system") + "\n" + message_text(body, "user"))
    return None


def default_responder(call: dict[str, Any]) -> OpenAIReply:
    """A valid Chinese answer to any request: JSON for the requested schema, else a paragraph."""
    body, prompt = call["body"], call["prompt_text"]
    seed = int(hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:12], 16)
    writer = ChineseWriter(seed, technical_terms(prompt), prompt)
    schema = requested_schema(body)
    text = json.dumps(writer.instance(schema, schema), ensure_ascii=False) if schema else writer.paragraph()
    return OpenAIReply(text=text, prompt_tokens=estimate_tokens(prompt), output_tokens=estimate_tokens(text))


def error_body(status: int, message: str | None = None, code: str | None = None) -> dict[str, Any]:
    """An OpenAI error document."""
    kind, default_code, default_message = _MESSAGES.get(status, ("api_error", None, HTTPStatus(status).phrase))
    return {"error": {"message": message or default_message, "type": kind, "param": None,
                      "code": code or default_code}}


def reply_body(reply: OpenAIReply, model: str, number: int) -> dict[str, Any]:
    """The ``chat.completion`` document for a successful ``reply``."""
    content = reply.text
    if content is not None and reply.reasoning is not None:
        content = f"<think>\n{reply.reasoning}\n</think>\n\n{content}"
    message: dict[str, Any] = {"role": "assistant", "content": None if reply.refusal else content,
                               "refusal": reply.refusal}
    if reply.reasoning_content is not None:
        message["reasoning_content"] = reply.reasoning_content
    return {
        "id": f"chatcmpl-local{number:06d}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": reply.finish_reason}],
        "usage": {"prompt_tokens": reply.prompt_tokens, "completion_tokens": reply.output_tokens,
                  "total_tokens": reply.prompt_tokens + reply.output_tokens},
        "system_fingerprint": "fp_local",
    }


class _Handler(AppHandler):
    """Routes ``POST /v1/chat/completions`` to the owning :class:`OpenAIServer`."""

    app: OpenAIServer

    def _send(self, status: int, document: dict[str, Any], headers: dict[str, str]) -> None:
        """Write a JSON response with extra ``headers``."""
        body = json.dumps(document, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        """Answer chat completions."""
        path = self.path.split("?", 1)[0]
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if path != _ROUTE:
            self._send(404, error_body(404, f"Unknown request URL: POST {path}.", "unknown_url"), {})
            return
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._send(400, error_body(400, "We could not parse the JSON body of your request."), {})
            return
        auth = self.headers.get("Authorization", "")
        call = {"model": body.get("model"), "body": body, "prompt_text": message_text(body, "user"),
                "system_text": message_text(body, "system"), "api_key": auth.removeprefix("Bearer ")}
        self._send(*self.app.answer(call))


class OpenAIServer(LocalServer):
    """An OpenAI-compatible chat endpoint on an ephemeral 127.0.0.1 port; use as a context manager.

    Point the client at ``base_url`` (``…/v1``). ``calls`` records every chat request as ``{"model", "body",
    "prompt_text", "system_text", "api_key"}``; each is answered by the next ``script`` entry if any, else by
    ``responder`` (default: valid Chinese JSON for the requested schema). With ``json_schema=False`` the server
    rejects ``response_format`` json_schema with a 400, as DeepSeek does. A wrong key gets a 401 that echoes it,
    as some proxies do, so tests can prove the client never passes it on.
    """

    def __init__(self, *, api_key: str = "test-key", json_schema: bool = True, responder: Responder | None = None):
        self.api_key, self.json_schema = api_key, json_schema
        self.responder: Responder = responder or default_responder
        self.calls: list[dict[str, Any]] = []
        self.script: list[OpenAIReply | dict[str, Any]] = []
        super().__init__(_Handler, "openai-server")
        self.base_url = self.root_url + "/v1"

    def answer(self, call: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Status, response document and extra headers for one recorded call."""
        with self._lock:
            self.calls.append(call)
            number = len(self.calls)
            if call["api_key"] != self.api_key:
                message = f"Incorrect API key provided: {call['api_key']}."
                return 401, error_body(401, message, "invalid_api_key"), {}
            fmt = (call["body"].get("response_format") or {}).get("type")
            if fmt == "json_schema" and not self.json_schema:
                return 400, error_body(400, SCHEMA_UNSUPPORTED), {}
            if fmt == "json_object" and "json" not in (call["system_text"] + call["prompt_text"]).lower():
                return 400, error_body(400, JSON_WORD_MISSING), {}
            scripted = self.script.pop(0) if self.script else None
        reply = scripted or self.responder(call)
        if isinstance(reply, dict):
            return 200, reply, {}
        if reply.status != 200:
            headers = {"retry-after": reply.retry_after} if reply.retry_after else {}
            return reply.status, error_body(reply.status), headers
        if reply.text is None and not reply.refusal:
            text = default_responder(call).text or ""
            reply = replace(reply, text=text[: len(text) // 2] if reply.finish_reason == "length" else text)
        return 200, reply_body(reply, str(call["model"]), number), {}
