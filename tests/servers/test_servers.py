"""The stand-in servers speak their protocols well enough for the real arxiv and google-genai clients."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from xml.etree import ElementTree

import arxiv
import pytest
import requests
from google import genai
from google.genai import errors, types
from pydantic import BaseModel, Field

from .arxiv_server import ArxivServer, FakeEntry
from .gemini_server import GeminiReply, GeminiServer

ATOM, ARXIV, OPENSEARCH = (
    "http://www.w3.org/2005/Atom",
    "http://arxiv.org/schemas/atom",
    "http://a9.com/-/spec/opensearch/1.1/",
)
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*")


def _at(day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A UTC time in June 2024."""
    return datetime(2024, 6, day, hour, minute, second, tzinfo=UTC)


ENTRIES = [
    FakeEntry(
        "2406.10001v1",
        "Diffusion Models for Image Segmentation",
        ["Li Wei", "Ana Souza"],
        "We train a diffusion model for semantic segmentation.",
        _at(17),
    ),
    FakeEntry(
        "2406.10002v2",
        "Gaussian Splatting & <Real-Time> Rendering of $\\mathbb{R}^3$ Scenes",
        ["Kim Min-jun"],
        "Real-time rendering with a transformer prior.\nSecond line & more.",
        _at(17, 23, 59, 30),
        updated=_at(20, 8),
        primary_category="cs.GR",
        categories=["cs.GR", "cs.CV"],
        comment="12 pages, 5 figures",
        journal_ref="CVPR 2024",
        doi="10.1000/xyz123",
    ),
    FakeEntry(
        "2406.10003v1",
        "Transformers for Detection",
        ["Li Wei"],
        "Object detection with a transformer.",
        _at(18),
        categories=["cs.CV", "cs.LG"],
    ),
    FakeEntry(
        "2406.10004v1",
        "Language Model Alignment",
        ["Jane Doe"],
        "Alignment with a transformer and the diffusion of ideas.",
        _at(17, 10),
        primary_category="cs.CL",
        categories=["cs.CL", "cs.LG"],
        include_pdf_link=False,
    ),
    FakeEntry(
        "2406.09999v1",
        "Diffusion model distillation",
        ["Ana Souza"],
        "Distilling a diffusion model into one step.",
        _at(16, 23, 59, 59),
        pdf=b"%PDF-1.4 fake",
    ),
]


def _arxiv_client(server: ArxivServer, page_size: int = 100, retries: int = 3) -> arxiv.Client:
    """A real arxiv client aimed at ``server``, without the 3 s politeness delay."""
    client = arxiv.Client(page_size=page_size, delay_seconds=0, num_retries=retries)
    client.query_url_format = server.api_url + "?{}"
    return client


def _ids(client: arxiv.Client, query: str, **search: Any) -> list[str]:
    """Short ids of every result of ``query``."""
    return [r.get_short_id() for r in client.results(arxiv.Search(query=query, max_results=None, **search))]


@pytest.fixture(scope="module")
def arxiv_server() -> Iterator[ArxivServer]:
    """One arXiv stand-in serving ENTRIES for the whole module."""
    with ArxivServer(ENTRIES) as server:
        yield server


def test_date_window_is_inclusive_to_the_minute_and_combines_with_category(arxiv_server: ArxivServer) -> None:
    query = "cat:cs.CV AND submittedDate:[202406170000 TO 202406172359]"
    assert sorted(_ids(_arxiv_client(arxiv_server), query)) == ["2406.10001v1", "2406.10002v2"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('ti:"diffusion models"', {"2406.10001v1"}),
        ('abs:"Diffusion Model"', {"2406.10001v1", "2406.09999v1"}),
        ("ti:transformers OR ti:gaussian", {"2406.10002v2", "2406.10003v1"}),
        ("all:transformer ANDNOT cat:cs.LG", {"2406.10002v2"}),
        ("(ti:diffusion OR ti:detection) AND cat:cs.CV", {"2406.10001v1", "2406.10003v1", "2406.09999v1"}),
        ("diffusion segmentation", {"2406.10001v1"}),
        ('au:"li wei" ANDNOT ti:transformers', {"2406.10001v1"}),
        ("cat:cs.LG", {"2406.10003v1", "2406.10004v1"}),
    ],
)
def test_query_language(arxiv_server: ArxivServer, query: str, expected: set[str]) -> None:
    assert set(_ids(_arxiv_client(arxiv_server), query)) == expected


def test_entries_parse_with_all_fields(arxiv_server: ArxivServer) -> None:
    client = _arxiv_client(arxiv_server)
    splat, alignment = client.results(arxiv.Search(id_list=["2406.10002", "2406.10004v1"]))
    assert splat.entry_id == "http://arxiv.org/abs/2406.10002v2"
    assert splat.title == ENTRIES[1].title
    assert splat.summary == ENTRIES[1].summary
    assert [a.name for a in splat.authors] == ["Kim Min-jun"]
    assert (splat.published, splat.updated) == (_at(17, 23, 59, 30), _at(20, 8))
    assert (splat.primary_category, splat.categories) == ("cs.GR", ["cs.GR", "cs.CV"])
    assert (splat.comment, splat.journal_ref, splat.doi) == (
        "12 pages, 5 figures",
        "CVPR 2024",
        "10.1000/xyz123",
    )
    assert splat.pdf_url == "https://arxiv.org/pdf/2406.10002v2"
    assert [(link.rel, link.href) for link in splat.links][:2] == [
        ("alternate", "https://arxiv.org/abs/2406.10002v2"),
        ("related", "https://arxiv.org/pdf/2406.10002v2"),
    ]
    assert alignment.pdf_url is None
    assert alignment.comment is None and alignment.doi is None
    assert alignment.primary_category == "cs.CL"


def test_feed_is_strict_atom_with_opensearch_header(arxiv_server: ArxivServer) -> None:
    params = {"search_query": "cat:cs.GR", "start": "0", "max_results": "5"}
    feed = ElementTree.fromstring(requests.get(arxiv_server.api_url, params=params, timeout=5).content)
    assert feed.tag == f"{{{ATOM}}}feed"
    header = [
        feed.findtext(f"{{{OPENSEARCH}}}{name}") for name in ("totalResults", "startIndex", "itemsPerPage")
    ]
    assert header == ["1", "0", "5"]
    (entry,) = feed.findall(f"{{{ATOM}}}entry")
    assert entry.findtext(f"{{{ATOM}}}title") == ENTRIES[1].title
    assert entry.find(f"{{{ARXIV}}}primary_category").get("term") == "cs.GR"
    assert [c.get("term") for c in entry.findall(f"{{{ATOM}}}category")] == ["cs.GR", "cs.CV"]


def test_pagination_over_three_pages() -> None:
    entries = [
        FakeEntry(f"2406.2000{i}v1", f"Paper {i}", ["A. Author"], "Text.", _at(17, i)) for i in range(7)
    ]
    with ArxivServer(entries) as server:
        ids = _ids(_arxiv_client(server, page_size=3), "cat:cs.CV", sort_by=arxiv.SortCriterion.SubmittedDate)
        ascending = _ids(
            _arxiv_client(server),
            "cat:cs.CV",
            sort_by=arxiv.SortCriterion.LastUpdatedDate,
            sort_order=arxiv.SortOrder.Ascending,
        )
    assert ids == [f"2406.2000{i}v1" for i in reversed(range(7))]
    assert ascending == ids[::-1]
    pages = [(r["params"]["start"], r["params"]["max_results"]) for r in server.requests[:3]]
    assert pages == [("0", "3"), ("3", "3"), ("6", "3")]
    assert server.requests[0]["path"] == "/api/query"
    assert server.requests[0]["time"] <= server.requests[1]["time"]


def test_empty_page_is_recovered_by_the_clients_retry() -> None:
    entries = [
        FakeEntry(f"2406.3000{i}v1", f"Paper {i}", ["A. Author"], "Text.", _at(17, i)) for i in range(5)
    ]
    with ArxivServer(entries, empty_page_once=True) as server:
        ids = _ids(_arxiv_client(server, page_size=2), "cat:cs.CV")
    assert len(ids) == 5
    assert [r["params"]["start"] for r in server.requests] == ["0", "2", "2", "4"]


def test_503_then_success() -> None:
    with ArxivServer(ENTRIES, fail_first=2) as server:
        assert len(_ids(_arxiv_client(server, retries=2), "cat:cs.CV")) == 4
        assert len(server.requests) == 3
    with ArxivServer(ENTRIES, fail_first=2) as server, pytest.raises(arxiv.HTTPError) as exc:
        _ids(_arxiv_client(server, retries=1), "cat:cs.CV")
    assert exc.value.status == 503


def test_malformed_query_is_a_400_error_feed(arxiv_server: ArxivServer) -> None:
    resp = requests.get(
        arxiv_server.api_url, params={"search_query": "submittedDate:[2024 TO 2025]"}, timeout=5
    )
    assert resp.status_code == 400
    assert "<title>Error</title>" in resp.text and "YYYYMMDDHHMM" in resp.text


def test_pdfs(arxiv_server: ArxivServer) -> None:
    ok = requests.get(arxiv_server.pdf_url + "2406.09999v1", timeout=5)
    assert (ok.status_code, ok.headers["Content-Type"], ok.content) == (
        200,
        "application/pdf",
        b"%PDF-1.4 fake",
    )
    for missing in ("2406.10001v1", "9999.99999v1"):
        resp = requests.get(arxiv_server.pdf_url + missing, timeout=5)
        assert resp.status_code == 404 and resp.headers["Content-Type"].startswith("text/html")
    assert arxiv_server.pdf_requests[-3:] == ["2406.09999v1", "2406.10001v1", "9999.99999v1"]


class Verdict(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"


class Point(BaseModel):
    claim: str = Field(max_length=30)
    evidence: list[str] = Field(min_length=5, max_length=6)


class Summary(BaseModel):
    headline: str
    points: list[Point] = Field(max_length=3)
    verdict: Verdict
    score: int = Field(ge=1, le=5)
    caveat: str | None = None


PROMPT = "Paper: ViT-Lite beats ViT and CLIP. We propose ViT-Lite. The answer MUST be JSON."


def _gemini_client(server: GeminiServer, api_key: str = "test-key", **options: Any) -> genai.Client:
    """A client aimed at ``server``; keep a reference: a collected client closes its connection pool."""
    return genai.Client(api_key=api_key, http_options=types.HttpOptions(base_url=server.base_url, **options))


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON-like value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _assert_chinese(text: str, max_len: int = 60) -> None:
    """One Chinese sentence: >= 90% CJK letters, only prompt terms in Latin, ends with 。."""
    letters = [c for c in text if c.isalpha()]
    assert len(CJK.findall(text)) >= 0.9 * len(letters), text
    assert set(LATIN_WORD.findall(text)) <= {"ViT", "CLIP"}, text
    assert text.endswith("。") and len(text) <= max_len, text


@pytest.fixture
def gemini() -> Iterator[GeminiServer]:
    """A fresh Gemini stand-in with the default Chinese responder."""
    with GeminiServer() as server:
        yield server


def test_plain_text_and_request_shape(gemini: GeminiServer) -> None:
    config = types.GenerateContentConfig(
        system_instruction="Write in Chinese.",
        temperature=0.2,
        thinking_config=types.ThinkingConfig(thinking_budget=0),
    )
    client = _gemini_client(gemini)
    resp = client.models.generate_content(model="gemini-2.5-flash", contents=PROMPT, config=config)
    assert resp.candidates[0].finish_reason == types.FinishReason.STOP
    assert resp.model_version == "gemini-2.5-flash"
    assert resp.usage_metadata.total_token_count == (
        resp.usage_metadata.prompt_token_count + resp.usage_metadata.candidates_token_count
    )
    sentences = re.findall(r"[^。]+。", resp.text)
    assert len(sentences) == 4 and "".join(sentences) == resp.text
    for sentence in sentences:
        _assert_chinese(sentence)
    (call,) = gemini.calls
    assert (call["model"], call["api_version"], call["prompt_text"]) == ("gemini-2.5-flash", "v1", PROMPT)
    assert call["body"]["systemInstruction"] == {"parts": [{"text": "Write in Chinese."}], "role": "user"}
    assert call["body"]["generationConfig"]["thinkingConfig"] == {"thinking_budget": 0}


def test_response_schema_is_answered_in_chinese_and_parsed(gemini: GeminiServer) -> None:
    config = types.GenerateContentConfig(response_mime_type="application/json", response_schema=Summary)
    client = _gemini_client(gemini)
    first = client.models.generate_content(model="gemini-2.5-flash", contents=PROMPT, config=config)
    again = client.models.generate_content(model="gemini-2.5-flash", contents=PROMPT, config=config)
    assert isinstance(first.parsed, Summary)
    assert first.text == again.text
    assert "responseSchema" in gemini.calls[0]["body"]["generationConfig"]
    texts = list(_strings(first.parsed.model_dump(exclude={"verdict"})))
    assert len(texts) == len(set(texts)) == 2 + 3 * 6
    for claim in (p.claim for p in first.parsed.points):
        _assert_chinese(claim, max_len=30)
    for text in texts:
        _assert_chinese(text)
    assert any("ViT" in t or "CLIP" in t for t in texts)


def test_response_json_schema_with_refs(gemini: GeminiServer) -> None:
    config = types.GenerateContentConfig(
        response_mime_type="application/json", response_json_schema=Summary.model_json_schema()
    )
    client = _gemini_client(gemini)
    resp = client.models.generate_content(model="gemini-2.5-pro", contents="无术语。", config=config)
    assert "$defs" in gemini.calls[0]["body"]["generationConfig"]["responseJsonSchema"]
    summary = Summary.model_validate_json(resp.text)
    assert len(summary.points) == 3 and summary.verdict in Verdict
    assert not any(LATIN_WORD.search(t) for t in _strings(summary.model_dump(exclude={"verdict"})))


def test_max_tokens_safety_and_blocked_prompt(gemini: GeminiServer) -> None:
    gemini.script += [
        GeminiReply(text='{"headline": "截断', finish_reason="MAX_TOKENS"),
        GeminiReply(finish_reason="SAFETY"),
        GeminiReply(block_reason="PROHIBITED_CONTENT"),
    ]
    config = types.GenerateContentConfig(response_mime_type="application/json", response_schema=Summary)
    client = _gemini_client(gemini)
    cut, unsafe, blocked = (
        client.models.generate_content(model="gemini-2.5-flash", contents=PROMPT, config=config)
        for _ in range(3)
    )
    assert cut.candidates[0].finish_reason == types.FinishReason.MAX_TOKENS
    assert cut.text == '{"headline": "截断' and cut.parsed is None
    assert unsafe.candidates[0].finish_reason == types.FinishReason.SAFETY
    assert unsafe.text is None and unsafe.candidates[0].safety_ratings[0].blocked
    assert not blocked.candidates
    assert blocked.prompt_feedback.block_reason == types.BlockedReason.PROHIBITED_CONTENT
    assert blocked.usage_metadata.prompt_token_count == 100


def test_errors_are_not_retried_by_default(gemini: GeminiServer) -> None:
    gemini.script += [GeminiReply(status=429, retry_delay="17s"), GeminiReply(status=500)]
    client = _gemini_client(gemini)
    with pytest.raises(errors.ClientError) as quota:
        client.models.generate_content(model="gemini-2.5-flash", contents=PROMPT)
    with pytest.raises(errors.ServerError) as internal:
        client.models.generate_content(model="gemini-2.5-flash", contents=PROMPT)
    assert (quota.value.code, quota.value.status) == (429, "RESOURCE_EXHAUSTED")
    assert quota.value.details["error"]["details"] == [
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "17s"}
    ]
    assert (internal.value.code, internal.value.status) == (500, "INTERNAL")
    assert len(gemini.calls) == 2


def test_retry_options_retry_503_and_429(gemini: GeminiServer) -> None:
    gemini.script += [GeminiReply(status=503), GeminiReply(status=429, retry_delay="1s")]
    retry = types.HttpRetryOptions(attempts=3, initial_delay=0.01, max_delay=0.01, jitter=0)
    client = _gemini_client(gemini, retry_options=retry)
    resp = client.models.generate_content(model="gemini-2.5-flash", contents=PROMPT)
    assert resp.text and len(gemini.calls) == 3


def test_bad_api_key(gemini: GeminiServer) -> None:
    client = _gemini_client(gemini, api_key="wrong")
    with pytest.raises(errors.ClientError) as exc:
        client.models.generate_content(model="gemini-2.5-flash", contents="hi")
    assert (exc.value.code, exc.value.status) == (400, "INVALID_ARGUMENT")
    assert exc.value.details["error"]["details"][0]["reason"] == "API_KEY_INVALID"


def test_env_base_url_count_tokens_and_custom_responder(monkeypatch: pytest.MonkeyPatch) -> None:
    def responder(call: dict[str, Any]) -> GeminiReply:
        return GeminiReply(text=f"收到{len(call['prompt_text'])}字。")

    with GeminiServer(api_key="k", responder=responder) as server:
        monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", server.base_url)
        client = genai.Client(api_key="k", http_options=types.HttpOptions(api_version="v1beta"))
        assert client.models.count_tokens(model="gemini-2.5-flash", contents="你好世界").total_tokens == 4
        assert client.models.generate_content(model="gemini-2.5-flash", contents="你好").text == "收到2字。"
    assert server.calls[0]["api_version"] == "v1beta"
