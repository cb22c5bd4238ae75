"""The LLM provider seam: one structured-output call, with the answer's metadata kept for validation."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel


class LLMConfigError(Exception):
    """The provider refused us for a reason retrying will not fix (bad key, unknown model, no permission)."""


@dataclass
class LLMAnswer:
    """What came back from one call: text plus everything the validator needs to judge it."""

    text: str | None
    finish_reason: str | None
    block_reason: str | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    seconds: float = 0.0
    error: str | None = None
    transient: bool = False
    retry_after: float | None = None

    def data(self) -> dict[str, Any] | None:
        """The answer parsed as a JSON object, or None when it is not one."""
        if not self.text:
            return None
        raw = self.text.strip()
        fenced = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", raw, re.S)
        if fenced:
            raw = fenced.group(1)
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            return None
        return value if isinstance(value, dict) else None


class LLM(Protocol):
    """A provider that answers one prompt with JSON matching ``schema``."""

    def generate(
        self,
        *,
        model: str,
        system: str,
        prompt: str,
        schema: type[BaseModel],
        temperature: float,
        max_output_tokens: int,
    ) -> LLMAnswer: ...


_RETRY_DELAY = re.compile(r"^(\d+(?:\.\d+)?)s$")


def _retry_delay(body: Any) -> float | None:
    """Seconds from a google.rpc.RetryInfo in an error body (``{"error": {"details": [...]}}``), if any."""
    error = body.get("error", body) if isinstance(body, dict) else {}
    for d in error.get("details") or []:
        if isinstance(d, dict) and str(d.get("@type", "")).endswith("RetryInfo"):
            m = _RETRY_DELAY.match(str(d.get("retryDelay", "")))
            if m:
                return float(m.group(1))
    return None


class GeminiLLM:
    """Gemini through google-genai; the client is passed in so tests can aim it at a local server."""

    def __init__(self, client: Any):
        self.client = client

    def generate(
        self,
        *,
        model: str,
        system: str,
        prompt: str,
        schema: type[BaseModel],
        temperature: float,
        max_output_tokens: int,
    ) -> LLMAnswer:
        from google.genai import errors, types

        config = types.GenerateContentConfig(
            system_instruction=system,
            temperature=temperature,
            max_output_tokens=max_output_tokens,
            response_mime_type="application/json",
            response_schema=schema,
        )
        started = time.monotonic()
        try:
            resp = self.client.models.generate_content(model=model, contents=prompt, config=config)
        except errors.APIError as exc:
            elapsed = time.monotonic() - started
            error = f"{exc.code} {exc.status}: {exc.message}"
            if exc.code in (429, 500, 502, 503, 504):
                return LLMAnswer(None, None, seconds=elapsed, error=error, transient=True,
                                 retry_after=_retry_delay(exc.details))
            raise LLMConfigError(f"Gemini refused the request ({error}); check GEMINI_API_KEY and the model") from None
        elapsed = time.monotonic() - started
        usage = resp.usage_metadata
        tokens_in = (usage.prompt_token_count or 0) if usage else 0
        tokens_out = (usage.candidates_token_count or 0) if usage else 0
        if not resp.candidates:
            block = resp.prompt_feedback.block_reason if resp.prompt_feedback else None
            return LLMAnswer(None, None, block_reason=str(getattr(block, "value", block) or "NO_CANDIDATES"),
                             tokens_in=tokens_in, seconds=elapsed)
        cand = resp.candidates[0]
        finish = getattr(cand.finish_reason, "value", cand.finish_reason)
        parts = cand.content.parts if cand.content and cand.content.parts else []
        text = "".join(p.text for p in parts if p.text and not getattr(p, "thought", False)) or None
        return LLMAnswer(text, str(finish) if finish else None, tokens_in=tokens_in, tokens_out=tokens_out,
                         seconds=elapsed)


def gemini_client(api_key: str, *, base_url: str | None = None, timeout: float = 120.0) -> Any:
    """A google-genai client with its own retries off: the review loop retries and honours RetryInfo."""
    from google import genai
    from google.genai import types

    options = types.HttpOptions(
        base_url=base_url,
        timeout=int(timeout * 1000),
        retry_options=types.HttpRetryOptions(attempts=1),
    )
    return genai.Client(api_key=api_key, http_options=options)
