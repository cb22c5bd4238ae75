"""The LLM provider seam: one structured-output call, with the answer's metadata kept for validation."""

from __future__ import annotations

import functools
import importlib
import json
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import BaseModel

from .errors import LLMConfigError  # noqa: F401 - part of this module's interface
from .redaction import redact

if TYPE_CHECKING:
    from openai import OpenAI
    from openai.types.chat import ChatCompletion, ChatCompletionMessageParam
    from openai.types.chat.completion_create_params import ResponseFormat



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


@functools.cache
def _transport_errors() -> tuple[type[BaseException], ...]:
    """Connection and timeout errors of the HTTP clients google-genai may use (httpx, httpx2)."""
    found: list[type[BaseException]] = []
    for name in ("httpx", "httpx2"):
        try:
            found.append(importlib.import_module(name).TransportError)
        except (ImportError, AttributeError):
            continue
    return tuple(found) or (OSError,)


def _gemini_key(client: Any) -> str | None:
    """The API key a google-genai client sends, to blank it out of error messages."""
    key = getattr(getattr(client, "_api_client", None), "api_key", None)
    return key if isinstance(key, str) else None


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
        from google.genai import errors

        config = gemini_config(system, schema, temperature=temperature, max_output_tokens=max_output_tokens)
        started = time.monotonic()
        try:
            resp = self.client.models.generate_content(model=model, contents=prompt, config=config)
        except errors.APIError as exc:
            elapsed = time.monotonic() - started
            error = redact(f"{exc.code} {exc.status}: {exc.message}", [_gemini_key(self.client)])
            if exc.code in (429, 500, 502, 503, 504):
                return LLMAnswer(None, None, seconds=elapsed, error=error, transient=True,
                                 retry_after=_retry_delay(exc.details))
            raise LLMConfigError(f"Gemini refused the request ({error}); check GEMINI_API_KEY and the model") from None
        except _transport_errors() as exc:  # cannot connect, DNS, timeout: an outage, retried like a 5xx
            options = getattr(getattr(self.client, "_api_client", None), "_http_options", None)
            where = getattr(options, "base_url", None) or "Google's endpoint"
            error = redact(f"cannot reach Gemini at {where}: {type(exc).__name__}: {exc}; check the network or "
                           "GOOGLE_GEMINI_BASE_URL", [_gemini_key(self.client)])
            return LLMAnswer(None, None, seconds=time.monotonic() - started, error=error, transient=True)
        return gemini_answer(resp, time.monotonic() - started)


def gemini_config(system: str, schema: type[BaseModel], *, temperature: float, max_output_tokens: int) -> Any:
    """The google-genai request config of one section ask (shared by synchronous and Batch API requests)."""
    from google.genai import types

    return types.GenerateContentConfig(
        system_instruction=system,
        temperature=temperature,
        max_output_tokens=max_output_tokens,
        response_mime_type="application/json",
        response_schema=schema,
    )


def gemini_answer(resp: Any, elapsed: float) -> LLMAnswer:
    """A google-genai GenerateContentResponse as an LLMAnswer; thinking tokens are billed as output."""
    usage = resp.usage_metadata
    tokens_in = (usage.prompt_token_count or 0) if usage else 0
    tokens_out = ((usage.candidates_token_count or 0) + (usage.thoughts_token_count or 0)) if usage else 0
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


# OpenAI finish reasons in the Gemini vocabulary the validator speaks; others are passed on upper-cased.
_FINISH = {"stop": "STOP", "length": "MAX_TOKENS", "content_filter": "SAFETY"}
_THINK = re.compile(r"<think>.*?</think>", re.S | re.I)
_TRANSIENT_STATUS = frozenset({408, 409, 429})
_NO_KEY = "EMPTY"  # what vLLM's docs send to servers without authentication


def strip_reasoning(text: str | None) -> str | None:
    """``text`` without ``<think>…</think>`` blocks; None when nothing but reasoning is left."""
    if not text:
        return None
    text = _THINK.sub("", text)
    if "</think>" in text.lower():  # the opening tag was in the chat template, not the output
        text = text[text.lower().rindex("</think>") + len("</think>"):]
    if "<think>" in text.lower():  # reasoning cut off before it closed
        text = text[: text.lower().index("<think>")]
    return text.strip() or None


def _retry_after(headers: Any) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date), if any."""
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    raw = headers.get("retry-after")
    try:
        if ms is not None:
            return max(0.0, float(ms) / 1000)
        if raw is not None:
            return max(0.0, float(raw))
    except ValueError:
        pass
    if raw:
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        return max(0.0, (when - datetime.now(UTC)).total_seconds())
    return None


class OpenAICompatLLM:
    """Any OpenAI-compatible chat endpoint (OpenAI, DeepSeek, Qwen, vLLM, Ollama) through the ``openai`` package."""

    def __init__(self, client: OpenAI):
        self.client = client
        # Cleared when the server rejects json_schema with a 400: from then on this instance asks for
        # json_object and puts the schema in the system message.
        self.json_schema_supported = True

    def _redact(self, message: str) -> str:
        """``message`` with the client's API key and any URL credentials blanked out."""
        key = self.client.api_key
        return redact(message, [key if isinstance(key, str) and key != _NO_KEY else None])

    def _create(
        self, *, model: str, system: str, prompt: str, schema: type[BaseModel], temperature: float, max_tokens: int
    ) -> ChatCompletion:
        """One chat completion request in the current response-format mode."""
        json_schema = schema.model_json_schema()
        response_format: ResponseFormat
        if self.json_schema_supported:
            response_format = {
                "type": "json_schema",
                "json_schema": {"name": schema.__name__, "schema": json_schema, "strict": False},
            }
        else:
            system = (f"{system}\n\nAnswer with a single JSON object, and nothing else, that matches this JSON "
                      f"Schema:\n{json.dumps(json_schema, ensure_ascii=False)}")
            response_format = {"type": "json_object"}
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": system},
            {"role": "user", "content": prompt},
        ]
        return self.client.chat.completions.create(
            model=model, messages=messages, response_format=response_format,
            temperature=temperature, max_tokens=max_tokens,
        )

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
        import openai

        ask = functools.partial(self._create, model=model, system=system, prompt=prompt, schema=schema,
                                temperature=temperature, max_tokens=max_output_tokens)
        started = time.monotonic()
        try:
            try:
                resp = ask()
            except openai.BadRequestError:
                if not self.json_schema_supported:
                    raise
                self.json_schema_supported = False
                try:
                    resp = ask()
                except openai.BadRequestError:  # the request was wrong for another reason
                    self.json_schema_supported = True
                    raise
        except openai.APIConnectionError as exc:  # includes APITimeoutError
            return LLMAnswer(None, None, seconds=time.monotonic() - started, transient=True,
                             error=self._redact(f"{type(exc).__name__}: {exc}"))
        except openai.APIStatusError as exc:
            error = self._redact(f"{exc.status_code} {type(exc).__name__}: {exc.message}")
            if exc.status_code in _TRANSIENT_STATUS or exc.status_code >= 500:  # 429, InternalServerError, ...
                return LLMAnswer(None, None, seconds=time.monotonic() - started, error=error, transient=True,
                                 retry_after=_retry_after(exc.response.headers))
            raise LLMConfigError(  # 400, 401, 403, 404, 422
                f"the OpenAI-compatible endpoint refused the request ({error}); check its API key, base URL and "
                f"the model name {model!r}"
            ) from None
        elapsed = time.monotonic() - started
        usage = resp.usage
        tokens_in = usage.prompt_tokens if usage else 0
        tokens_out = usage.completion_tokens if usage else 0
        if not resp.choices:
            return LLMAnswer(None, None, block_reason="NO_CANDIDATES", tokens_in=tokens_in, seconds=elapsed)
        choice = resp.choices[0]
        finish = _FINISH.get(choice.finish_reason, str(choice.finish_reason).upper()) if choice.finish_reason else None
        if choice.message.refusal:
            return LLMAnswer(None, finish, block_reason="REFUSAL", tokens_in=tokens_in, tokens_out=tokens_out,
                             seconds=elapsed)
        # ``reasoning_content`` (DeepSeek, Qwen, vLLM) is a separate field and never part of the answer.
        return LLMAnswer(strip_reasoning(choice.message.content), finish, tokens_in=tokens_in,
                         tokens_out=tokens_out, seconds=elapsed)


def openai_client(api_key: str | None, *, base_url: str | None = None, timeout: float = 120.0) -> OpenAI:
    """An ``openai`` client with its own retries off: the review loop retries and honours ``retry-after``."""
    from openai import OpenAI

    # Servers without authentication (vLLM, Ollama) take any key, but the client insists on one.
    return OpenAI(api_key=api_key or _NO_KEY, base_url=base_url, timeout=timeout, max_retries=0)


Provider = Literal["gemini", "openai"]
PROVIDERS: tuple[Provider, ...] = ("gemini", "openai")


def make_llm(provider: str, *, api_key: str | None, base_url: str | None = None, timeout: float = 120.0) -> LLM:
    """The :class:`LLM` for ``provider`` ("gemini" or "openai"), talking to ``base_url`` (None: the default)."""
    if provider == "gemini":
        if not api_key:
            raise LLMConfigError("the Gemini provider needs an API key")
        return GeminiLLM(gemini_client(api_key, base_url=base_url, timeout=timeout))
    if provider == "openai":
        return OpenAICompatLLM(openai_client(api_key, base_url=base_url, timeout=timeout))
    raise LLMConfigError(f"unknown LLM provider {provider!r}; choose one of {', '.join(PROVIDERS)}")
