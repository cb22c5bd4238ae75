"""The topic ledger: no paper lost when arXiv announces it late, none in two posts, re-runs keep their papers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from arxiv_digest.fetch import make_client
from arxiv_digest.llm import GeminiLLM, gemini_client
from arxiv_digest.pdf import http_session
from arxiv_digest.pipeline import PrefixedStorage, Runtime, stage_fetch, stage_figures, stage_pdf, stage_review
from arxiv_digest.settings import load_settings
from arxiv_digest.storage import LocalStorage, S3Storage
from arxiv_digest.topics import Topic
from pdfgen import make_paper
from servers.arxiv_server import ArxivServer, FakeEntry

WED, THU = date(2024, 6, 19), date(2024, 6, 20)  # windows: Mon 18:00..Tue 18:00 UTC, Tue 18:00..Wed 18:00 UTC
TOPIC = Topic(name="Diffusion Models", query='all:"diffusion models"', categories=["cs.CV"])
OTHER = Topic(name="Image Generation", query='all:"image generation"', categories=["cs.CV"])


def entry(arxiv_id: str, submitted: datetime, summary: str = "Diffusion models, sampled faster.") -> FakeEntry:
    return FakeEntry(arxiv_id=arxiv_id, title=f"Paper {arxiv_id}", authors=["A. Author"], summary=summary,
                     published=submitted, categories=["cs.CV"])


ON_TIME_WED = entry("2406.30001v1", datetime(2024, 6, 17, 20, tzinfo=UTC))
HELD = entry("2406.30002v1", datetime(2024, 6, 18, 9, tzinfo=UTC))  # in Wednesday's window, announced late
ON_TIME_THU = entry("2406.30003v1", datetime(2024, 6, 18, 20, tzinfo=UTC))


@pytest.fixture
def runtime(tmp_path, monkeypatch) -> Runtime:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DIGEST_HOME", str(tmp_path))
    monkeypatch.setenv("ARXIV_REQUEST_INTERVAL", "0")
    return Runtime.from_settings(load_settings())


def fetch(rt: Runtime, server: ArxivServer, day: date, topic: Topic = TOPIC, **kw: bool) -> list[str]:
    client = make_client(server.api_url, page_size=20, interval=0, retries=1, timeout=5)
    return stage_fetch(rt, topic, day, client=client, **kw)


def test_a_paper_announced_late_goes_into_the_next_post_and_only_there(runtime):
    with ArxivServer([ON_TIME_WED, ON_TIME_THU]) as server:
        assert fetch(runtime, server, WED) == ["2406.30001v1"]  # HELD is not announced yet
        server.entries.append(HELD)
        assert fetch(runtime, server, THU) == ["2406.30003v1", "2406.30002v1"]
        assert runtime.listing(TOPIC, THU).late == ["2406.30002v1"]

        # Wednesday reprocessed with a fresh query now sees HELD in its window, but Thursday's post holds it.
        assert fetch(runtime, server, WED, refetch=True) == ["2406.30001v1"]
        assert runtime.listing(TOPIC, WED).excluded == {"2406.30002v1": "already in the 2024-06-20 post"}
        # A plain re-run of Thursday keeps its papers.
        assert fetch(runtime, server, THU) == ["2406.30003v1", "2406.30002v1"]


def test_out_of_order_backfill_leaves_a_paper_to_its_own_listing(runtime):
    with ArxivServer([ON_TIME_WED, HELD, ON_TIME_THU]) as server:
        assert fetch(runtime, server, THU) == ["2406.30003v1"]  # Wednesday has not run: not taken as late
        assert fetch(runtime, server, WED) == ["2406.30002v1", "2406.30001v1"]


def test_a_paper_in_two_topics_is_in_both_posts_and_reviewed_once(tmp_path, monkeypatch, gemini_server):
    both = entry("2406.30004v1", datetime(2024, 6, 18, 20, tzinfo=UTC),
                 summary="Diffusion models for image generation. Image generation with diffusion models.")
    both.pdf = make_paper(title="Both Topics", seed=4)[0]
    with ArxivServer([both]) as server:
        env = {"DIGEST_HOME": str(tmp_path), "ARXIV_REQUEST_INTERVAL": "0", "ARXIV_PDF_URL": server.pdf_url}
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        runtime = Runtime.from_settings(load_settings())
        llm = GeminiLLM(gemini_client("test-key", base_url=gemini_server.base_url))
        calls = []
        for topic in (TOPIC, OTHER):
            assert fetch(runtime, server, THU, topic) == ["2406.30004v1"]
            ref = stage_figures(runtime, topic, THU, stage_pdf(runtime, topic, THU, "2406.30004v1",
                                                                session=http_session()))
            stage_review(runtime, topic, THU, ref, llm=llm)  # type: ignore[arg-type]
            calls.append(len(gemini_server.calls))
    assert calls == [4, 4], "the second topic must reuse the first topic's validated sections"


@pytest.mark.parametrize("backend", ["local", "prefixed", "s3"])
def test_put_if_absent_lets_only_the_first_writer_win(backend, tmp_path, s3_client):
    if backend == "s3":
        s3_client.create_bucket(Bucket="ledger")
        store = S3Storage(s3_client, "ledger", "state")
    else:
        store = LocalStorage(tmp_path) if backend == "local" else PrefixedStorage(LocalStorage(tmp_path), "x")
    assert store.put_if_absent("ledger/t/2406.1.json", b"first")
    assert not store.put_if_absent("ledger/t/2406.1.json", b"second")
    assert store.get("ledger/t/2406.1.json") == b"first"
