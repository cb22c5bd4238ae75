"""A day's papers in one task: overlapped stages, the daily quota defers the rest, the next run finishes it."""

from __future__ import annotations

import contextlib
import json
import time
from collections import Counter
from datetime import date, timedelta

from arxiv_digest.daywork import LimiterThrottle, review_day
from arxiv_digest.fetch import make_client
from arxiv_digest.llm import GeminiLLM, gemini_client
from arxiv_digest.pdf import http_session
from arxiv_digest.pipeline import (
    DegradedRun,
    Runtime,
    deferred_ids,
    load_reviews,
    stage_check,
    stage_fetch,
    stage_render,
)
from arxiv_digest.quota import LimitedLLM, Limiter, MemoryBackend, QuotaSpec
from arxiv_digest.settings import load_settings
from arxiv_digest.topics import Topic
from conftest import paper_of, section_of

DAY = date(2024, 6, 20)
TOPIC = Topic(name="Diffusion Models", query='all:"diffusion models"', categories=["cs.CV"])


class ShiftedClock:
    """Real time, moved forward a day when the test says the quota has reset."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def run_day(rt: Runtime, server, lim: Limiter, day: date = DAY) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    client = make_client(rt.settings.arxiv_api_url, page_size=50, interval=0, retries=1, timeout=10)
    ids = stage_fetch(rt, TOPIC, day, client=client, throttle=LimiterThrottle(lim))
    llm = LimitedLLM(GeminiLLM(gemini_client("test-key", base_url=server.base_url, timeout=10)), lim, "gemini")
    return review_day(rt, TOPIC, day, ids, llm=llm, session=http_session(), throttle=LimiterThrottle(lim),
                      concurrency=2)


def asked(server) -> Counter[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return Counter((paper_of(c), section_of(c)) for c in server.calls)


def test_daily_cap_defers_the_rest_and_the_rerun_finishes_with_nothing_asked_twice(pipeline_env, gemini_server):
    rt = Runtime.from_settings(load_settings())
    clock = ShiftedClock()
    specs = {"gemini": QuotaSpec(rpd=6, concurrency=2), "arxiv": QuotaSpec(concurrency=1, min_interval=0)}
    lim = Limiter(MemoryBackend(), specs, clock=clock)

    first = run_day(rt, gemini_server, lim)
    assert len(gemini_server.calls) == 6  # the cap, then no more asking
    statuses = Counter(r["status"] for r in first)
    assert statuses["deferred"] >= 1 and statuses["deferred"] + statuses["ok"] == 2
    waiting = deferred_ids(rt, TOPIC, DAY)
    assert sorted(waiting) == sorted(r["arxiv_id"] for r in first if r["status"] == "deferred")
    record = stage_check_quietly(rt)
    assert set(record["deferred"]) == set(waiting) and not [p for p in record["problems"] if "no review" in p]
    if statuses["ok"]:  # what is done is published, the rest listed as waiting
        post = rt.state.get(stage_render(rt, TOPIC, DAY) or "").decode()
        assert "Waiting for a later run" in post or "待后续评述" in post

    clock.offset = 86_400.0  # the provider's day has turned
    second = run_day(rt, gemini_server, lim)
    assert all(r["status"] == "ok" for r in second)
    _, reviews, missing = load_reviews(rt, TOPIC, DAY)
    assert len(reviews) == 2 and not missing and not deferred_ids(rt, TOPIC, DAY)
    assert len(gemini_server.calls) == 8
    assert set(asked(gemini_server).values()) == {1}  # every (paper, section) asked exactly once


def stage_check_quietly(rt: Runtime) -> dict:
    """The run record, whether or not the day counts as degraded (an unpublished post does)."""
    with contextlib.suppress(DegradedRun):
        stage_check(rt, TOPIC, DAY)
    return json.loads(rt.state.get(rt.run_key(TOPIC, DAY)))


def test_the_next_dates_run_takes_deferred_papers_and_the_old_date_leaves_them(pipeline_env, gemini_server):
    rt = Runtime.from_settings(load_settings())
    clock = ShiftedClock()
    specs = {"gemini": QuotaSpec(rpd=1, concurrency=1), "arxiv": QuotaSpec(concurrency=1, min_interval=0)}
    lim = Limiter(MemoryBackend(), specs, clock=clock)
    run_day(rt, gemini_server, lim)
    deferred = deferred_ids(rt, TOPIC, DAY)
    assert len(deferred) == 2  # one summary asked, then the cap: neither paper complete

    clock.offset = 86_400.0
    lim.specs["gemini"] = QuotaSpec(rpd=100, concurrency=2)
    nxt = DAY + timedelta(days=1)
    results = run_day(rt, gemini_server, lim, nxt)
    assert sorted(r["arxiv_id"] for r in results) == sorted([*deferred, "2406.19999v1"])  # + Friday's own paper
    assert rt.listing(TOPIC, nxt).deferred_from == dict.fromkeys(deferred, DAY.isoformat())
    assert run_day(rt, gemini_server, lim) == []  # re-running the old date leaves them to the new post
    assert len(gemini_server.calls) == 12 and set(asked(gemini_server).values()) == {1}
    record = stage_check_quietly(rt)
    assert all(v.startswith("moved to the 2024-06-21 post") for v in record["deferred"].values())


def test_arxiv_requests_keep_the_interval_while_reviews_overlap(pipeline_env, arxiv_server, gemini_server):
    rt = Runtime.from_settings(load_settings())
    specs = {"gemini": QuotaSpec(concurrency=4), "arxiv": QuotaSpec(concurrency=1, min_interval=0.4)}
    run_day(rt, gemini_server, Limiter(MemoryBackend(), specs))
    times = arxiv_server.request_times
    assert len(times) == 4  # the listing, the late-paper look-back and two PDFs
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.35
    assert len(gemini_server.calls) == 8
