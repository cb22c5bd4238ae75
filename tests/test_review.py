"""review.py: prompt templates and their hashes, and the ask-validate-re-ask loop over the real google-genai client."""

from __future__ import annotations

import dataclasses
import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest
from pydantic import BaseModel, Field

from arxiv_digest.llm import GeminiLLM, LLMConfigError, gemini_client
from arxiv_digest.models import Paper, Section, SectionName
from arxiv_digest.pdf import TransientError
from arxiv_digest.review import SCHEMAS, PromptBook, Reviewer, cache_key
from arxiv_digest.sections import spec
from arxiv_digest.storage import LocalStorage
from servers.gemini_server import GeminiReply, GeminiServer

ROOT = Path(__file__).resolve().parents[1]
PROMPTS = ROOT / "include" / "prompts"
SOURCE = "第一节介绍格点去噪器。OPENING-PAGES-MARKER 我们在规则网格上训练得分网络，并设计新的采样器。"
FEEDBACK = ["REFUSAL: field 'summary' contains a refusal: '抱歉'", "FORMAT: field 'key_takeaways' is too short"]
GOOD_TAKEAWAYS = ["得分网络只在格点处估计噪声。", "采样步数减少一半而质量基本不变。", "格点结构是效率提升的主要来源。"]


def reply(summary: str, takeaways: list[str] | None = None, **kw: object) -> GeminiReply:
    """A scripted JSON answer for the summary section."""
    content = {"summary": summary, "key_takeaways": GOOD_TAKEAWAYS if takeaways is None else takeaways}
    return GeminiReply(text=json.dumps(content, ensure_ascii=False), **kw)  # type: ignore[arg-type]


REFUSAL = reply("抱歉，我无法访问这篇论文的全文，只能根据标题作答。", prompt_tokens=321, output_tokens=45)
CHATTER = reply("好的，以下是根据您提供的摘要写出的一句话总结。")
NOT_JSON = GeminiReply(text="这篇论文让格点扩散模型的采样步数减少了一半。")


@pytest.fixture
def book() -> PromptBook:
    return PromptBook(PROMPTS)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_reviewer(
    gemini_server: GeminiServer, tmp_path: Path, book: PromptBook, sleeps: list[float]
) -> Callable[..., Reviewer]:
    """Reviewers on the real google-genai client aimed at the local server, sharing one cache directory."""

    def make(*, api_key: str = "test-key", prompts: PromptBook | None = None, **kw: object) -> Reviewer:
        options: dict[str, object] = {"model": "gemini-2.5-flash", "language": "zh-CN", "max_attempts": 3}
        options.update(kw)
        llm = GeminiLLM(gemini_client(api_key, base_url=gemini_server.base_url, timeout=10))
        return Reviewer(llm=llm, prompts=prompts or book, cache=LocalStorage(tmp_path / "cache"),
                        sleep=sleeps.append, **options)  # type: ignore[arg-type]

    return make


def summary(reviewer: Reviewer, paper: Paper) -> Section:
    return reviewer.section(paper, SectionName.SUMMARY, source_text=paper.summary, paper_text=paper.summary)


# --- PromptBook ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("section", list(SectionName))
def test_every_section_template_renders_paper_text_and_feedback(
    book: PromptBook, paper: Paper, section: SectionName
) -> None:
    prompt = book.render(f"{section.value}.j2", paper=paper, text=SOURCE, language="zh-CN", feedback=FEEDBACK)
    for fact in (paper.title, paper.arxiv_id, paper.summary, ", ".join(paper.authors), paper.comment):
        assert fact in prompt
    for item in FEEDBACK:
        assert f"- {item}" in prompt
    assert "rejected" in prompt
    if section != SectionName.SUMMARY:  # the summary is written from title and abstract only
        assert "OPENING-PAGES-MARKER" in prompt
    for field in SCHEMAS[section].model_fields:
        assert f'"{field}"' in prompt, f"{section} prompt does not ask for {field}"
    assert "{{" not in prompt and "{%" not in prompt

    first_try = book.render(f"{section.value}.j2", paper=paper, text=SOURCE, language="zh-CN", feedback=[])
    assert "rejected" not in first_try


@pytest.mark.parametrize(("language", "expected"), [("zh-CN", "Simplified Chinese"), ("en", "in English")])
def test_system_prompt_names_the_language(book: PromptBook, language: str, expected: str) -> None:
    assert expected in book.render("system.j2", language=language)


def test_strict_undefined_catches_a_missing_variable(book: PromptBook, paper: Paper) -> None:
    with pytest.raises(jinja2.UndefinedError, match="language"):
        book.render("overview.j2", paper=paper, text=SOURCE, feedback=[])
    with pytest.raises(jinja2.UndefinedError, match="paper"):
        book.render("summary.j2", feedback=[])


@pytest.fixture
def prompt_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "prompts"
    shutil.copytree(PROMPTS, copy)
    return copy


def test_strict_undefined_catches_a_typo_in_a_template(prompt_copy: Path, paper: Paper) -> None:
    _append(prompt_copy / "_paper.j2", "Journal: {{ paper.jounral_ref }}\n")
    with pytest.raises(jinja2.UndefinedError, match="jounral_ref"):
        PromptBook(prompt_copy).render("methods.j2", paper=paper, text=SOURCE, language="zh-CN", feedback=[])


def _hashes(directory: Path) -> dict[SectionName, str]:
    book = PromptBook(directory)
    return {s: book.section_hash(s) for s in SectionName}


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + line, encoding="utf-8")


def test_section_hash_is_stable_for_unchanged_prompts(prompt_copy: Path) -> None:
    assert _hashes(prompt_copy) == _hashes(PROMPTS)
    assert len(set(_hashes(prompt_copy).values())) == len(SectionName)


def test_section_hash_follows_its_own_template_only(prompt_copy: Path) -> None:
    before = _hashes(prompt_copy)
    _append(prompt_copy / "methods.j2", "Keep every step under 40 words.\n")
    after = _hashes(prompt_copy)
    assert after[SectionName.METHODS] != before[SectionName.METHODS]
    assert {s: h for s, h in after.items() if s != SectionName.METHODS} == {
        s: h for s, h in before.items() if s != SectionName.METHODS}


@pytest.mark.parametrize("shared", ["_paper.j2", "_feedback.j2", "system.j2"])
def test_section_hash_follows_shared_parts(prompt_copy: Path, shared: str) -> None:
    before = _hashes(prompt_copy)
    _append(prompt_copy / shared, "Journal reference, if any, is not a fact to repeat.\n")
    after = _hashes(prompt_copy)
    assert all(after[s] != before[s] for s in SectionName)


def test_section_hash_follows_the_schema(prompt_copy: Path) -> None:
    class LongerSummary(BaseModel):
        summary: str = Field(max_length=140, description="one sentence")
        key_takeaways: list[str] = Field(min_length=3, max_length=8)

    book = PromptBook(prompt_copy)
    longer = dataclasses.replace(spec("summary"), schema=LongerSummary)
    assert book.section_hash(longer) != book.section_hash("summary")
    assert book.section_hash(dataclasses.replace(spec("methods"))) == book.section_hash("methods")


# --- Reviewer over HTTP ------------------------------------------------------------------------------------


def test_valid_answer_is_cached_and_reused_without_a_call(
    make_reviewer: Callable[..., Reviewer], gemini_server: GeminiServer, paper: Paper, tmp_path: Path
) -> None:
    first = summary(make_reviewer(), paper)
    assert first.ok and not first.from_cache
    assert len(gemini_server.calls) == 1
    assert first.content["summary"] and len(first.content["key_takeaways"]) >= 3  # type: ignore[arg-type]
    assert LocalStorage(tmp_path / "cache").exists(first.cache_key)
    assert first.cache_key.startswith(f"reviews/{paper.arxiv_id}/summary-")

    call = gemini_server.calls[0]
    assert call["model"] == "gemini-2.5-flash"
    config = call["body"]["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert config.get("responseSchema") or config.get("responseJsonSchema")
    assert "Simplified Chinese" in json.dumps(call["body"]["systemInstruction"], ensure_ascii=False)
    assert paper.title in call["prompt_text"]

    again = summary(make_reviewer(), paper)  # a new reviewer: the cache is in storage, not in memory
    assert len(gemini_server.calls) == 1
    assert again.ok and again.from_cache
    assert again.content == first.content
    assert again.attempts == first.attempts


def test_refusal_is_re_asked_with_its_finding_as_feedback(
    make_reviewer: Callable[..., Reviewer], gemini_server: GeminiServer, paper: Paper, sleeps: list[float]
) -> None:
    gemini_server.script.append(REFUSAL)
    section = summary(make_reviewer(), paper)

    assert len(gemini_server.calls) == 2
    first_prompt, second_prompt = (c["prompt_text"] for c in gemini_server.calls)
    assert "REFUSAL" not in first_prompt and "rejected" not in first_prompt
    assert "REFUSAL" in second_prompt and "抱歉" in second_prompt

    assert section.ok and section.content["summary"] != "抱歉"
    assert [a.model for a in section.attempts] == ["gemini-2.5-flash"] * 2
    refused, accepted = section.attempts
    assert [f.code for f in refused.findings] == ["REFUSAL"]
    assert (refused.tokens_in, refused.tokens_out, refused.finish_reason) == (321, 45, "STOP")
    assert accepted.findings == [] and accepted.tokens_in > 0 and accepted.tokens_out > 0
    assert sleeps == []  # a bad answer is re-asked at once; only transient errors wait


def test_three_bad_answers_give_an_unavailable_section_that_is_not_cached(
    make_reviewer: Callable[..., Reviewer], gemini_server: GeminiServer, paper: Paper, tmp_path: Path
) -> None:
    gemini_server.script.extend([REFUSAL, CHATTER, NOT_JSON])
    section = summary(make_reviewer(max_attempts=3), paper)

    assert not section.ok and section.content == {}
    assert [[f.code for f in a.findings] for a in section.attempts] == [["REFUSAL"], ["CHATTER"], ["FORMAT"]]
    assert [f.code for f in section.findings] == ["FORMAT"]
    assert len(gemini_server.calls) == 3
    assert "CHATTER" in gemini_server.calls[2]["prompt_text"]
    assert "REFUSAL" not in gemini_server.calls[2]["prompt_text"]  # feedback is about the last answer only
    assert LocalStorage(tmp_path / "cache").list("reviews") == []

    retry = summary(make_reviewer(), paper)  # nothing was cached: the next run asks again and now succeeds
    assert retry.ok and not retry.from_cache
    assert len(gemini_server.calls) == 4


def test_rate_limit_honours_retry_delay(
    make_reviewer: Callable[..., Reviewer], gemini_server: GeminiServer, paper: Paper, sleeps: list[float]
) -> None:
    gemini_server.script.append(GeminiReply(status=429, retry_delay="1s"))
    section = summary(make_reviewer(), paper)
    assert section.ok
    assert sleeps == [1.0]
    assert len(gemini_server.calls) == 2
    assert section.attempts[0].error and "429" in section.attempts[0].error
    assert section.attempts[1].error is None


def test_server_errors_on_every_attempt_raise_transient_error(
    make_reviewer: Callable[..., Reviewer], gemini_server: GeminiServer, paper: Paper, tmp_path: Path
) -> None:
    gemini_server.script.extend([GeminiReply(status=500)] * 3)
    with pytest.raises(TransientError, match="500"):
        summary(make_reviewer(max_attempts=3), paper)
    assert len(gemini_server.calls) == 3
    assert LocalStorage(tmp_path / "cache").list("reviews") == []


def test_no_backoff_sleep_after_the_last_attempt(
    make_reviewer: Callable[..., Reviewer], gemini_server: GeminiServer, paper: Paper, sleeps: list[float]
) -> None:
    gemini_server.script.extend([GeminiReply(status=503)] * 3)
    with pytest.raises(TransientError):
        summary(make_reviewer(max_attempts=3), paper)
    assert sleeps == [2.0, 4.0]


def test_wrong_api_key_is_a_config_error_and_not_retried(
    make_reviewer: Callable[..., Reviewer], gemini_server: GeminiServer, paper: Paper, sleeps: list[float],
    tmp_path: Path,
) -> None:
    with pytest.raises(LLMConfigError, match="API key not valid"):
        summary(make_reviewer(api_key="not-the-key"), paper)
    assert len(gemini_server.calls) == 1
    assert sleeps == []
    assert LocalStorage(tmp_path / "cache").list("reviews") == []


def test_editing_a_prompt_asks_again(
    make_reviewer: Callable[..., Reviewer], gemini_server: GeminiServer, paper: Paper, prompt_copy: Path
) -> None:
    assert summary(make_reviewer(prompts=PromptBook(prompt_copy)), paper).ok
    assert summary(make_reviewer(prompts=PromptBook(prompt_copy)), paper).from_cache
    _append(prompt_copy / "summary.j2", "Mention the datasets if the abstract names them.\n")
    fresh = summary(make_reviewer(prompts=PromptBook(prompt_copy)), paper)
    assert not fresh.from_cache and len(gemini_server.calls) == 2
    assert "Mention the datasets" in gemini_server.calls[-1]["prompt_text"]


def test_cache_key_depends_on_model_language_version_section_and_prompt(paper: Paper) -> None:
    v2 = paper.model_copy(update={"arxiv_id": "2406.10001v2"})
    base = (paper, SectionName.SUMMARY, "h1", "gemini-2.5-flash", "zh-CN")
    variants = [
        base,
        (paper, SectionName.SUMMARY, "h1", "gemini-2.5-pro", "zh-CN"),
        (paper, SectionName.SUMMARY, "h1", "gemini-2.5-flash", "en"),
        (v2, SectionName.SUMMARY, "h1", "gemini-2.5-flash", "zh-CN"),
        (paper, SectionName.METHODS, "h1", "gemini-2.5-flash", "zh-CN"),
        (paper, SectionName.SUMMARY, "h2", "gemini-2.5-flash", "zh-CN"),
    ]
    keys = [cache_key(*v) for v in variants]
    assert len(set(keys)) == len(keys)
    assert cache_key(*base) == keys[0]  # deterministic


def test_cached_section_is_not_reused_for_another_model_language_or_version(
    make_reviewer: Callable[..., Reviewer], gemini_server: GeminiServer, paper: Paper
) -> None:
    assert summary(make_reviewer(), paper).ok
    assert summary(make_reviewer(), paper).from_cache
    assert len(gemini_server.calls) == 1

    calls = len(gemini_server.calls)
    for reviewer, which in [
        (make_reviewer(model="gemini-2.5-pro"), paper),
        (make_reviewer(language="en", max_attempts=1), paper),
        (make_reviewer(), paper.model_copy(update={"arxiv_id": "2406.10001v2"})),
    ]:
        section = summary(reviewer, which)
        assert not section.from_cache
        assert len(gemini_server.calls) == calls + 1
        calls = len(gemini_server.calls)
    assert gemini_server.calls[-3]["model"] == "gemini-2.5-pro"


def test_fallback_model_gets_one_try_after_the_primary_is_exhausted(
    make_reviewer: Callable[..., Reviewer], gemini_server: GeminiServer, paper: Paper
) -> None:
    gemini_server.script.extend([REFUSAL, CHATTER, REFUSAL, reply("格点去噪器让扩散模型的采样步数减少一半。")])
    section = summary(make_reviewer(fallback_model="gemini-2.5-pro"), paper)
    assert section.ok
    assert [c["model"] for c in gemini_server.calls] == ["gemini-2.5-flash"] * 3 + ["gemini-2.5-pro"]
    assert [a.model for a in section.attempts][-1] == "gemini-2.5-pro"
    assert "REFUSAL" in gemini_server.calls[-1]["prompt_text"]  # the fallback sees the last findings too


def test_without_fallback_the_section_is_unavailable_after_max_attempts(
    make_reviewer: Callable[..., Reviewer], gemini_server: GeminiServer, paper: Paper
) -> None:
    gemini_server.script.extend([REFUSAL, CHATTER, REFUSAL, reply("格点去噪器让扩散模型的采样步数减少一半。")])
    assert not summary(make_reviewer(), paper).ok
    assert len(gemini_server.calls) == 3


def test_two_topics_asking_at_once_share_one_call(
    make_reviewer: Callable[..., Reviewer], gemini_server: GeminiServer, paper: Paper
) -> None:
    """Two topics' runs review the same paper concurrently: one asks, the other waits for its cached answer."""
    import threading

    first, second = make_reviewer(topic="Diffusion Models"), make_reviewer(topic="3D Gaussian Splatting")
    second.sleep = lambda s: time.sleep(0.05)  # type: ignore[method-assign]
    assert first.claim(paper, SectionName.SUMMARY)  # the first topic has started asking
    out: dict[str, Section] = {}
    waiter = threading.Thread(target=lambda: out.setdefault("second", summary(second, paper)))
    waiter.start()
    time.sleep(0.3)
    assert gemini_server.calls == [] and waiter.is_alive()  # the second topic waits instead of asking
    done = summary(first, paper)
    waiter.join(timeout=10)
    assert len(gemini_server.calls) == 1
    assert out["second"].from_cache and out["second"].content == done.content
    assert out["second"].made_for == "Diffusion Models"


def test_a_stale_or_released_claim_does_not_block(
    make_reviewer: Callable[..., Reviewer], gemini_server: GeminiServer, paper: Paper
) -> None:
    crashed = make_reviewer(topic="NeRF", claim_ttl=0.0)
    assert crashed.claim(paper, SectionName.SUMMARY)  # then its worker died: the claim expires at once
    assert summary(make_reviewer(topic="Diffusion Models"), paper).ok
    assert len(gemini_server.calls) == 1
