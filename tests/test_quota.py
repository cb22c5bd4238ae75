"""The quota limiter: per-minute, per-day, token and concurrency limits, 429s, shared across processes."""

from __future__ import annotations

import json
import multiprocessing
import time
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from arxiv_digest.llm import GeminiLLM, gemini_client
from arxiv_digest.quota import LimitedLLM, Limiter, MemoryBackend, QuotaExhausted, QuotaSpec, SQLBackend
from servers.gemini_server import GeminiServer


class FakeTime:
    """A clock that only moves when the limiter sleeps: waits are exact and tests take no time."""

    def __init__(self, start: float = 1_750_000_000.0):
        self.now, self.sleeps = start, []  # type: ignore[var-annotated]

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def limiter(t: FakeTime, **spec: object) -> Limiter:
    return Limiter(MemoryBackend(), {"gemini": QuotaSpec(**spec)}, clock=t.clock, sleep=t.sleep)  # type: ignore[arg-type]


def test_requests_per_minute_wait_for_the_oldest_to_leave_the_window() -> None:
    t = FakeTime()
    lim = limiter(t, rpm=2, concurrency=10)
    start = t.now
    for _ in range(3):
        lim.release(lim.acquire("gemini/m"))
    assert t.sleeps == [61.0]  # the minute, plus slack for the request's way to the provider
    assert t.now == start + 61.0


def test_tokens_per_minute() -> None:
    t = FakeTime()
    lim = limiter(t, tpm=100, concurrency=10)
    lim.release(lim.acquire("gemini/m", 60), 70)  # the call used more than estimated: 70 counts
    t.now += 10
    lim.release(lim.acquire("gemini/m", 30))  # 70 + 30 fits
    lim.acquire("gemini/m", 10)  # 110 does not: wait for the first call to leave the minute
    assert t.sleeps == [51.0]


def test_day_cap_raises_until_midnight_pacific() -> None:
    t = FakeTime(1_750_000_000.0)  # 2025-06-15 08:06 PDT
    lim = limiter(t, rpd=3, concurrency=10)
    for _ in range(3):
        lim.release(lim.acquire("gemini/m"))
    with pytest.raises(QuotaExhausted, match="midnight America/Los_Angeles"):
        lim.acquire("gemini/m")
    t.now += 16 * 3600  # past midnight in California
    lim.acquire("gemini/m")
    assert lim.day_count("gemini/m") == 1


def test_min_interval_runs_from_the_end_of_the_previous_request() -> None:
    t = FakeTime()
    lim = Limiter(MemoryBackend(), {"arxiv": QuotaSpec(concurrency=1, min_interval=3.0)}, clock=t.clock, sleep=t.sleep)
    for _ in range(3):
        lease = lim.acquire("arxiv")
        t.now += 0.5  # the download
        lim.release(lease)
    assert t.sleeps == [3.0, 3.0]


def test_a_429_holds_every_caller_off_for_its_retry_delay() -> None:
    t = FakeTime()
    lim = limiter(t, concurrency=10)
    lim.penalize("gemini/m", 17)
    lim.acquire("gemini/m")
    assert t.sleeps == [17.0]


def test_concurrency_waits_for_a_slot_and_a_dead_workers_lease_expires() -> None:
    t = FakeTime()
    lim = Limiter(MemoryBackend(), {"gemini": QuotaSpec(concurrency=1)}, lease_seconds=2, clock=t.clock, sleep=t.sleep)
    lim.acquire("gemini/m")  # never released: the worker died
    lim.acquire("gemini/m")
    assert sum(t.sleeps) == pytest.approx(2.0)


def test_quota_spec_validation_and_pool_size() -> None:
    with pytest.raises(ValidationError, match="rpm"):
        QuotaSpec(rpm=0)
    assert QuotaSpec(rpm=10, concurrency=16).pool_slots() == 10
    assert QuotaSpec(rpm=120, concurrency=16).merged({"rpm": 10}).rpm == 10


def _worker(url: str, out: str, hold: float) -> None:
    lim = Limiter(SQLBackend(url), {"gemini": QuotaSpec(concurrency=2, rpd=5)})
    try:
        lease = lim.acquire("gemini/m")
    except QuotaExhausted:
        Path(out).write_text(json.dumps(None))
        return
    start = time.time()
    time.sleep(hold)
    end = time.time()
    lim.release(lease)
    Path(out).write_text(json.dumps([start, end]))


def test_processes_share_concurrency_and_day_count_through_the_database(tmp_path: Path) -> None:
    run_workers(f"sqlite:///{tmp_path / 'quota.db'}", tmp_path)


def run_workers(url: str, tmp_path: Path) -> None:
    """Seven processes against a 2-in-flight, 5-a-day quota: five admitted, never more than two at once."""
    ctx = multiprocessing.get_context("spawn")
    outs = [tmp_path / f"w{i}.json" for i in range(7)]
    procs = [ctx.Process(target=_worker, args=(url, str(o), 0.4)) for o in outs]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    spans = [json.loads(o.read_text()) for o in outs]
    admitted = [s for s in spans if s is not None]
    assert len(admitted) == 5  # the day's cap, counted once across processes
    for start, _ in admitted:  # never more than two in flight at once
        assert sum(1 for s, e in admitted if s <= start < e) <= 2


class Answer(BaseModel):
    summary: str


def ask(llm: LimitedLLM) -> object:
    return llm.generate(model="gemini-2.5-flash", system="s", prompt="p", schema=Answer, temperature=0,
                        max_output_tokens=256)


def test_gemini_429_retry_info_blocks_the_limiter_and_a_daily_429_defers() -> None:
    t = FakeTime()
    lim = limiter(t, concurrency=4)
    with GeminiServer(api_key="k", rpm=1) as server:
        llm = LimitedLLM(GeminiLLM(gemini_client("k", base_url=server.base_url, timeout=10)), lim, "gemini")
        assert ask(llm).error is None  # type: ignore[attr-defined]
        refused = ask(llm)
        assert refused.error.startswith("429 RESOURCE_EXHAUSTED")  # type: ignore[attr-defined]
        assert 50 <= refused.retry_after <= 60  # type: ignore[attr-defined]
        lim.acquire("gemini/gemini-2.5-flash")
        assert 50 <= t.sleeps[-1] <= 60 and llm.throttled == 1
    with GeminiServer(api_key="k", rpd=1) as server:
        llm = LimitedLLM(GeminiLLM(gemini_client("k", base_url=server.base_url, timeout=10)), lim, "gemini")
        t.now += 120
        ask(llm)
        with pytest.raises(QuotaExhausted, match="PerDay"):
            ask(llm)
        with pytest.raises(QuotaExhausted):  # no more calls today
            lim.acquire("gemini/gemini-2.5-flash")
        assert len(server.calls) == 2 and server.rejected == 1


def test_a_sqlite_quota_database_in_a_new_folder_is_created(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The default DIGEST_QUOTA_DB lives under DIGEST_HOME, which a scheduler's worker may not have created yet."""
    from arxiv_digest.quota import open_backend

    backend = open_backend(f"sqlite:///{tmp_path / 'not-yet' / 'quota.db'}")
    with backend.locked("k") as state:
        state["n"] = 1
    with backend.locked("k") as state:
        assert state == {"n": 1}
