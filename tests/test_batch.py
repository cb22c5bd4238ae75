"""Batch mode: a backfill's sections go through the Gemini Batch API (real google-genai, local server), validated
like synchronous answers; only failures are asked synchronously, and the run record prices batch calls at half."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from arxiv_digest import batch
from arxiv_digest.fetch import make_client
from arxiv_digest.llm import GeminiLLM, gemini_client
from arxiv_digest.models import RunRecord
from arxiv_digest.pdf import http_session
from arxiv_digest.pipeline import (
    DegradedRun,
    Runtime,
    stage_check,
    stage_fetch,
    stage_figures,
    stage_pdf,
    stage_publish,
    stage_render,
    stage_review,
)
from arxiv_digest.settings import load_settings
from arxiv_digest.storage import get_model
from arxiv_digest.topics import Topic
from conftest import paper_of, section_of
from pdfgen import make_paper
from servers.arxiv_server import ArxivServer, FakeEntry
from servers.gemini_server import GeminiReply, GeminiServer, default_responder

DAYS = [date(2024, 6, 19), date(2024, 6, 20), date(2024, 6, 21)]  # Wed, Thu, Fri listings
TOPIC = Topic(name="Diffusion Models", query='all:"diffusion models"', categories=["cs.CV"], batch="always")


def entries() -> list[FakeEntry]:
    """Two on-topic papers in each of the three listing windows (Mon..Wed 18:00 UTC + 1 h)."""
    out = []
    for d, day in enumerate(DAYS):
        for i in range(2):
            pdf, _ = make_paper(title=f"Sampler {d}{i}", seed=10 * d + i)
            out.append(FakeEntry(
                arxiv_id=f"2406.4{d}{i:03d}v1", title=f"Sampler {d}{i} for Diffusion Models", authors=["A. Author"],
                summary="We present a sampler for diffusion models. It needs fewer steps.",
                published=datetime(day.year, day.month, day.day, 19, tzinfo=UTC) - timedelta(days=2, hours=-i),
                categories=["cs.CV"], pdf=pdf,
            ))
    return out


@pytest.fixture
def servers(tmp_path, bare_remote, monkeypatch):  # type: ignore[no-untyped-def]
    with ArxivServer(entries()) as arxiv, GeminiServer(api_key="test-key") as gemini:
        for k, v in {"DIGEST_HOME": str(tmp_path / "home"), "ARXIV_API_URL": arxiv.api_url,
                     "ARXIV_PDF_URL": arxiv.pdf_url, "ARXIV_REQUEST_INTERVAL": "0", "GEMINI_API_KEY": "test-key",
                     "GOOGLE_GEMINI_BASE_URL": gemini.base_url, "DIGEST_BLOG_REPO": str(bare_remote)}.items():
            monkeypatch.setenv(k, v)
        yield arxiv, gemini


def run_day(rt: Runtime, arxiv: ArxivServer, gemini: GeminiServer, day: date, run_id: str,
            topic: Topic = TOPIC) -> RunRecord:
    """One run of the DAG's stages in order, batch tasks included (the sensor is a loop of pokes here)."""
    client = make_client(arxiv.api_url, page_size=20, interval=0, retries=1, timeout=5)
    ids = stage_fetch(rt, topic, day, client=client)
    refs = [stage_figures(rt, topic, day, stage_pdf(rt, topic, day, i, session=http_session())) for i in ids]
    genai = gemini_client("test-key", base_url=gemini.base_url)
    if topic.batch == "always" and batch.submit(rt, topic, day, client=genai) is not None:
        pokes = 0
        while not batch.poll(rt, topic, day, client=genai):
            pokes += 1
            assert pokes < 10
    for ref in refs:
        stage_review(rt, topic, day, ref, llm=GeminiLLM(genai))
    stage_render(rt, topic, day)
    stage_publish(rt, topic, day)
    stage_check(rt, topic, day, run_id=run_id)
    return get_model(rt.state, rt.run_key(topic, day), RunRecord)


def test_three_date_backfill_makes_no_synchronous_call_for_sections_that_passed(servers):
    arxiv, gemini = servers
    rt = Runtime.from_settings(load_settings())
    records = [run_day(rt, arxiv, gemini, day, "backfill__1") for day in DAYS]

    assert gemini.calls == []  # not one synchronous generateContent
    assert len(gemini.batches) == 3  # one job per date
    assert len(gemini.batch_calls) == 3 * 2 * 4  # every section of every paper, each asked once
    for record in records:
        assert record.papers_published == 2 and record.problems == [] and record.sections_unavailable == 0
        assert record.llm_calls == record.batch_calls == 8
        # Half price: the same tokens asked synchronously would cost twice as much.
        full = sum(u.tokens_in for u in record.usage_by_paper.values()) * 0.30e-6 + \
            sum(u.tokens_out for u in record.usage_by_paper.values()) * 2.50e-6
        assert record.cost == pytest.approx(full / 2, rel=1e-3) and record.cost > 0

    # Re-running the backfill submits nothing, calls nothing, and keeps the counted cost.
    again = [run_day(rt, arxiv, gemini, day, "backfill__2") for day in DAYS]
    assert gemini.calls == [] and len(gemini.batches) == 3
    for first, second in zip(records, again, strict=True):
        assert second.llm_calls == first.llm_calls and second.cost == first.cost
        assert second.runs == ["backfill__1", "backfill__2"]
        assert second.published and second.published["commit"] == first.published["commit"]  # type: ignore[index]


def test_a_batch_answer_that_fails_validation_is_reasked_synchronously_with_its_findings(servers):
    arxiv, gemini = servers
    target = ("2406.41000v1", "methods")

    def refuse_once_in_batch(call: dict[str, Any]) -> Any:
        if call.get("batch") and (paper_of(call), section_of(call)) == target:
            return GeminiReply(text='{"steps": ["I cannot help with that request.", "Sorry."]}')
        return default_responder(call)

    gemini.responder = refuse_once_in_batch
    rt = Runtime.from_settings(load_settings())
    record = run_day(rt, arxiv, gemini, DAYS[1], "backfill__1")

    assert [(paper_of(c), section_of(c)) for c in gemini.calls] == [target]  # only the failed one, synchronously
    assert "REFUSAL" in gemini.calls[0]["prompt_text"]  # re-asked with the batch answer's findings
    assert record.problems == [] and record.llm_calls == 9 and record.batch_calls == 8
    review = rt.state.get(rt.review_key(TOPIC, DAYS[1], target[0])).decode()
    assert '"batch": true' in review  # the section's attempts show the batch try, then the synchronous one


def test_a_failed_batch_job_leaves_every_section_to_synchronous_calls(servers):
    arxiv, gemini = servers
    gemini.batch_final_state = "BATCH_STATE_FAILED"
    rt = Runtime.from_settings(load_settings())
    record = run_day(rt, arxiv, gemini, DAYS[0], "backfill__1")

    assert len(gemini.batch_calls) == 8 and len(gemini.calls) == 8
    assert record.problems == [] and record.llm_calls == 8 and record.batch_calls == 0
    assert batch.stored_job(rt, TOPIC, DAYS[0]).state == "JOB_STATE_FAILED"  # type: ignore[union-attr]


@pytest.mark.parametrize(("mode", "age", "expected"), [
    ("auto", 2, False), ("auto", 4, True), ("always", 0, True), ("never", 30, False)])
def test_batch_mode_is_a_topic_setting_or_automatic_for_old_dates(mode: str, age: int, expected: bool) -> None:
    topic = TOPIC.model_copy(update={"batch": mode})
    assert batch.wants_batch(topic, DAYS[0], DAYS[0] + timedelta(days=age), after_days=3) is expected
    assert not batch.wants_batch(topic.model_copy(update={"batch": "auto"}), DAYS[0], date(2030, 1, 1), 0)


def test_a_rerun_adds_its_calls_to_the_day_and_keeps_the_commit(servers):
    """Synchronous mode: a section that failed is re-asked by the re-run; the record counts both runs' calls."""
    arxiv, gemini = servers
    topic = TOPIC.model_copy(update={"batch": "never"})
    gemini.script.extend([GeminiReply(text="not json")] * 3)  # the first section asked fails three times
    rt = Runtime.from_settings(load_settings())
    with pytest.raises(DegradedRun):
        run_day(rt, arxiv, gemini, DAYS[0], "scheduled__1", topic)
    first = get_model(rt.state, rt.run_key(topic, DAYS[0]), RunRecord)
    assert first.llm_calls == 3 + 7 and first.sections_unavailable == 1

    second = run_day(rt, arxiv, gemini, DAYS[0], "manual__2", topic)  # re-asks only the failed section
    assert len(gemini.calls) == 11
    assert second.llm_calls == 11 and second.runs == ["scheduled__1", "manual__2"] and second.problems == []
    assert second.tokens_in > first.tokens_in and second.cost > first.cost
    assert second.published and second.published["commit"]

    third = run_day(rt, arxiv, gemini, DAYS[0], "manual__3", topic)  # nothing left to ask, nothing to commit
    assert len(gemini.calls) == 11 and third.llm_calls == 11 and third.cost == second.cost
    assert third.published["commit"] == second.published["commit"]  # type: ignore[index]


def test_a_record_written_before_runs_added_up_keeps_its_calls(servers):
    """A day recorded by an older version (21 calls, no usage ledger) re-run today: its calls are not lost."""
    from arxiv_digest.pipeline import LEGACY_USAGE
    from arxiv_digest.storage import put_model

    arxiv, gemini = servers
    topic = TOPIC.model_copy(update={"batch": "never"})
    rt = Runtime.from_settings(load_settings())
    run_day(rt, arxiv, gemini, DAYS[0], "old__1", topic)
    for key in rt.state.list(rt.usage_prefix(topic, DAYS[0])):  # what the older version did not keep
        (rt.state.root / key).unlink()  # type: ignore[attr-defined]
    old = RunRecord(topic=topic.name, date=DAYS[0], papers_found=2, papers_published=2, llm_calls=21,
                    tokens_in=21_000, tokens_out=4_200)
    put_model(rt.state, rt.run_key(topic, DAYS[0]), old)

    again = run_day(rt, arxiv, gemini, DAYS[0], "manual__2", topic)
    assert (again.llm_calls, again.tokens_in, again.tokens_out) == (21, 21_000, 4_200)
    assert again.usage_by_paper[LEGACY_USAGE].calls == 21 and again.runs == ["manual__2"]
    assert run_day(rt, arxiv, gemini, DAYS[0], "manual__3", topic).llm_calls == 21  # carried over once only
