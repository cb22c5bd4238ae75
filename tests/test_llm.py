"""llm.py: both providers through their real clients (google-genai, openai) against local protocol servers."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from arxiv_digest.llm import (
    LLM,
    GeminiLLM,
    LLMAnswer,
    LLMConfigError,
    OpenAICompatLLM,
    gemini_client,
    make_llm,
    openai_client,
    strip_reasoning,
)
from arxiv_digest.models import Paper, SectionName
from arxiv_digest.review import PromptBook, Reviewer, SummaryContent
from arxiv_digest.storage import LocalStorage
from servers.gemini_server import GeminiReply, GeminiServer
from servers.openai_server import OpenAIReply, OpenAIServer

ROOT = Path(__file__).resolve().parents[1]
KEY = "sk-local-0123456789abcdef"
MODEL = "deepseek-chat"


class Verdict(BaseModel):
    """A small schema for the calls in these tests."""

    summary: str = Field(max_length=60)
    points: list[str] = Field(min_length=2, max_length=4)


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    with OpenAIServer(api_key=KEY) as server:
        yield server


@pytest.fixture
def llm(openai_server: OpenAIServer) -> OpenAICompatLLM:
    return OpenAICompatLLM(openai_client(KEY, base_url=openai_server.base_url, timeout=5))


def ask(llm: LLM, model: str = MODEL, max_output_tokens: int = 512) -> LLMAnswer:
    return llm.generate(model=model, system="你是审稿助手。", prompt="请总结这篇关于LoRA的论文。", schema=Verdict,
                        temperature=0.3, max_output_tokens=max_output_tokens)


def valid(answer: LLMAnswer) -> Verdict:
    """The answer parsed and validated against the schema."""
    data = answer.data()
    assert data is not None, answer.text
    return Verdict.model_validate(data)


# --- OpenAI-compatible -----------------------------------------------------------------------------------------


def test_openai_success_sends_json_schema_and_returns_parsed_json(
    llm: OpenAICompatLLM, openai_server: OpenAIServer
) -> None:
    answer = ask(llm, max_output_tokens=777)

    assert answer.finish_reason == "STOP" and answer.error is None and not answer.transient
    assert "。" in valid(answer).summary
    assert answer.tokens_in > 0 and answer.tokens_out > 0 and answer.seconds > 0
    [call] = openai_server.calls
    body = call["body"]
    assert call["api_key"] == KEY and body["model"] == MODEL
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert body["messages"][0]["content"] == "你是审稿助手。"
    assert body["max_tokens"] == 777 and body["temperature"] == 0.3
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "Verdict", "schema": Verdict.model_json_schema(), "strict": False},
    }


def test_openai_think_block_and_reasoning_content_are_not_the_answer(
    llm: OpenAICompatLLM, openai_server: OpenAIServer
) -> None:
    openai_server.script = [OpenAIReply(reasoning="THINK-MARK 先想一想。{草稿}", reasoning_content="HIDDEN-MARK")]

    answer = ask(llm)

    assert answer.text is not None and answer.text.startswith("{")
    assert all(mark not in answer.text for mark in ("<think>", "THINK-MARK", "HIDDEN-MARK"))
    valid(answer)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<think>a</think>\n{}", "{}"),
        ("<THINK>a\nb</THINK>{}<think>c</think>", "{}"),
        ("reasoning whose opening tag was in the template</think>\n{}", "{}"),
        ("<think>cut off before it closed", None),
        ("{} <think>trailing", "{}"),
        ("", None),
        (None, None),
    ],
)
def test_strip_reasoning(text: str | None, expected: str | None) -> None:
    assert strip_reasoning(text) == expected


@pytest.mark.parametrize(("finish", "expected"), [("length", "MAX_TOKENS"), ("content_filter", "SAFETY")])
def test_openai_finish_reasons_map_to_the_validators_vocabulary(
    llm: OpenAICompatLLM, openai_server: OpenAIServer, finish: str, expected: str
) -> None:
    openai_server.script = [OpenAIReply(finish_reason=finish)]

    answer = ask(llm)

    assert answer.finish_reason == expected and not answer.transient


def test_openai_refusal_field_is_a_block(llm: OpenAICompatLLM, openai_server: OpenAIServer) -> None:
    openai_server.script = [OpenAIReply(refusal="I'm sorry, I cannot help with that.")]

    answer = ask(llm)

    assert answer.text is None and answer.block_reason == "REFUSAL"


def test_openai_no_choices_is_a_block(llm: OpenAICompatLLM, openai_server: OpenAIServer) -> None:
    openai_server.script = [{"id": "x", "object": "chat.completion", "created": 0, "model": MODEL, "choices": []}]

    assert ask(llm).block_reason == "NO_CANDIDATES"


def test_openai_429_is_transient_with_the_servers_retry_after(
    llm: OpenAICompatLLM, openai_server: OpenAIServer
) -> None:
    openai_server.script = [OpenAIReply(status=429, retry_after="7")]

    answer = ask(llm)

    assert answer.transient and answer.retry_after == 7.0
    assert answer.text is None and answer.error is not None and "429" in answer.error
    assert len(openai_server.calls) == 1  # the client's own retries are off: the review loop decides


def test_openai_retry_after_as_an_http_date(llm: OpenAICompatLLM, openai_server: OpenAIServer) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    openai_server.script = [OpenAIReply(status=429, retry_after=when)]

    answer = ask(llm)

    assert answer.transient and answer.retry_after is not None and 25 <= answer.retry_after <= 30


@pytest.mark.parametrize("status", [500, 503])
def test_openai_5xx_is_transient(llm: OpenAICompatLLM, openai_server: OpenAIServer, status: int) -> None:
    openai_server.script = [OpenAIReply(status=status)]

    answer = ask(llm)

    assert answer.transient and answer.retry_after is None and str(status) in (answer.error or "")
    assert len(openai_server.calls) == 1


def test_openai_unreachable_server_is_transient() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens there
    llm = OpenAICompatLLM(openai_client(KEY, base_url=f"http://127.0.0.1:{port}/v1", timeout=2))

    answer = ask(llm)

    assert answer.transient and "APIConnectionError" in (answer.error or "")


def test_openai_bad_key_is_a_config_error_that_never_shows_the_key(openai_server: OpenAIServer) -> None:
    wrong = "sk-wrong-fedcba9876543210"
    llm = OpenAICompatLLM(openai_client(wrong, base_url=openai_server.base_url, timeout=5))

    with pytest.raises(LLMConfigError) as caught:
        ask(llm)

    message = str(caught.value)
    assert "401" in message and wrong not in message and "***" in message  # the server echoed it; we blanked it
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


@pytest.mark.parametrize("status", [403, 404])
def test_openai_other_client_errors_are_config_errors(
    llm: OpenAICompatLLM, openai_server: OpenAIServer, status: int
) -> None:
    openai_server.script = [OpenAIReply(status=status)]

    with pytest.raises(LLMConfigError, match=str(status)):
        ask(llm)


def test_openai_json_schema_rejected_falls_back_to_json_object_and_remembers() -> None:
    with OpenAIServer(api_key=KEY, json_schema=False) as server:
        llm = OpenAICompatLLM(openai_client(KEY, base_url=server.base_url, timeout=5))

        first, second = ask(llm), ask(llm)
        fresh = ask(OpenAICompatLLM(openai_client(KEY, base_url=server.base_url, timeout=5)))

    formats = [c["body"]["response_format"]["type"] for c in server.calls]
    assert formats == ["json_schema", "json_object", "json_object", "json_schema", "json_object"]
    for answer in (first, second, fresh):
        assert answer.finish_reason == "STOP"
        valid(answer)  # the schema travelled in the system message instead
    assert "JSON" in server.calls[1]["system_text"] and '"points"' in server.calls[1]["system_text"]


def test_openai_a_400_that_is_not_about_the_format_stays_a_config_error(
    llm: OpenAICompatLLM, openai_server: OpenAIServer
) -> None:
    openai_server.script = [OpenAIReply(status=400), OpenAIReply(status=400)]

    with pytest.raises(LLMConfigError, match="400"):
        ask(llm)

    assert llm.json_schema_supported  # both formats were refused: the format was not the problem
    ask(llm)
    assert openai_server.calls[-1]["body"]["response_format"]["type"] == "json_schema"


# --- Gemini ----------------------------------------------------------------------------------------------------


@pytest.fixture
def gemini(gemini_server: GeminiServer) -> GeminiLLM:
    return GeminiLLM(gemini_client("test-key", base_url=gemini_server.base_url, timeout=5))


def test_gemini_success_returns_parsed_json(gemini: GeminiLLM, gemini_server: GeminiServer) -> None:
    answer = ask(gemini, model="gemini-2.5-flash")

    assert answer.finish_reason == "STOP" and answer.tokens_in > 0 and answer.tokens_out > 0
    valid(answer)
    assert gemini_server.calls[0]["body"]["generationConfig"]["maxOutputTokens"] == 512


def test_gemini_429_retry_info_becomes_retry_after(gemini: GeminiLLM, gemini_server: GeminiServer) -> None:
    gemini_server.script = [GeminiReply(status=429, retry_delay="17s")]

    answer = ask(gemini, model="gemini-2.5-flash")

    assert answer.transient and answer.retry_after == 17.0 and "429" in (answer.error or "")
    assert len(gemini_server.calls) == 1


def test_gemini_500_is_transient(gemini: GeminiLLM, gemini_server: GeminiServer) -> None:
    gemini_server.script = [GeminiReply(status=500)]

    answer = ask(gemini, model="gemini-2.5-flash")

    assert answer.transient and answer.retry_after is None


def test_gemini_bad_key_is_a_config_error_without_the_key(gemini_server: GeminiServer) -> None:
    wrong = "AIza-wrong-key-0123456789"
    llm = GeminiLLM(gemini_client(wrong, base_url=gemini_server.base_url, timeout=5))

    with pytest.raises(LLMConfigError) as caught:
        ask(llm, model="gemini-2.5-flash")

    assert "400" in str(caught.value) and wrong not in str(caught.value)


@pytest.mark.parametrize(("finish", "expected"), [("MAX_TOKENS", "MAX_TOKENS"), ("SAFETY", "SAFETY")])
def test_gemini_finish_reasons_pass_through(
    gemini: GeminiLLM, gemini_server: GeminiServer, finish: str, expected: str
) -> None:
    gemini_server.script = [GeminiReply(text='{"summary": "半', finish_reason=finish)]

    assert ask(gemini, model="gemini-2.5-flash").finish_reason == expected


# --- make_llm and the review loop ------------------------------------------------------------------------------


def test_make_llm_builds_each_provider(openai_server: OpenAIServer, gemini_server: GeminiServer) -> None:
    oa = make_llm("openai", api_key=KEY, base_url=openai_server.base_url, timeout=5)
    gm = make_llm("gemini", api_key="test-key", base_url=gemini_server.base_url, timeout=5)

    assert isinstance(oa, OpenAICompatLLM) and isinstance(gm, GeminiLLM)
    assert oa.client.max_retries == 0
    valid(ask(oa))
    valid(ask(gm, model="gemini-2.5-flash"))
    with pytest.raises(LLMConfigError, match="unknown LLM provider 'anthropic'"):
        make_llm("anthropic", api_key=KEY, base_url=None, timeout=5)
    with pytest.raises(LLMConfigError, match="needs an API key"):
        make_llm("gemini", api_key=None, base_url=None, timeout=5)


def test_openai_keyless_local_server_gets_a_placeholder_key() -> None:
    with OpenAIServer(api_key="EMPTY") as server:
        answer = ask(make_llm("openai", api_key=None, base_url=server.base_url, timeout=5))

    valid(answer)


def test_reviewer_end_to_end_with_openai_compat(
    llm: OpenAICompatLLM, openai_server: OpenAIServer, paper: Paper, tmp_path: Path
) -> None:
    refusal = {"summary": "抱歉，我无法访问这篇论文的全文，只能根据标题作答。",
               "key_takeaways": ["请参考相关网站。", "无法获取全文内容。", "建议阅读原文。"]}
    openai_server.script = [OpenAIReply(text=json.dumps(refusal, ensure_ascii=False))]
    sleeps: list[float] = []
    reviewer = Reviewer(llm=llm, prompts=PromptBook(ROOT / "include" / "prompts"), cache=LocalStorage(tmp_path),
                        model=MODEL, language="zh-CN", max_attempts=3, sleep=sleeps.append)

    section = reviewer.section(paper, SectionName.SUMMARY, source_text=paper.summary, paper_text=paper.summary)

    assert section.ok and len(openai_server.calls) == 2 and sleeps == []
    assert "REFUSAL" in {f.code for f in section.attempts[0].findings}
    assert section.attempts[1].findings == [] and section.attempts[1].finish_reason == "STOP"
    SummaryContent.model_validate(section.content)
    assert "REFUSAL" in openai_server.calls[1]["prompt_text"]  # the re-ask quoted the finding back
