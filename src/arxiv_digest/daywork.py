"""A day's papers in one task: PDFs arrive one at a time at arXiv's interval while earlier papers are reviewed.

arXiv's one request per 3 s is the real floor of a busy day, so everything else overlaps with it: a paper's
summary is asked at once (it needs only the abstract), figures are cropped as each PDF lands, and a paper's other
sections are asked concurrently as soon as its figures are done. Every LLM call passes the shared quota limiter.
One task instance for the whole day keeps Airflow's per-task cost (seconds each on two cores) out of the way.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .fetch import ArxivThrottle
from .llm import LLM
from .pipeline import PaperRef, Runtime, ledger_owner, stage_figures, stage_pdf, stage_review
from .quota import Limiter, open_backend
from .settings import Settings
from .topics import Topic

log = logging.getLogger(__name__)


class LimiterThrottle(ArxivThrottle):
    """arXiv's request interval through the shared limiter: one request at a time across every worker."""

    def __init__(self, limiter: Limiter):
        self.limiter = limiter
        self.lease: Any = None

    def wait(self) -> None:
        self.lease = self.limiter.acquire("arxiv")

    def mark(self) -> None:
        if self.lease is not None:
            self.limiter.release(self.lease)
            self.lease = None


@dataclass
class DayStats:
    """Where the day's time went, for the log and the benchmark."""

    stage_seconds: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, stage: str, seconds: float) -> None:
        with self.lock:
            self.stage_seconds[stage] = round(self.stage_seconds.get(stage, 0.0) + seconds, 3)


def _timed(stats: DayStats, stage: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    started = time.monotonic()
    try:
        return fn(*args, **kwargs)
    finally:
        stats.add(stage, time.monotonic() - started)


def review_day(
    rt: Runtime,
    topic: Topic,
    day: date,
    ids: list[str],
    *,
    llm: LLM,
    session: Any,
    throttle: ArxivThrottle | None = None,
    concurrency: int = 4,
    figure_workers: int = 2,
    stats: DayStats | None = None,
) -> list[dict[str, str]]:
    """Download, crop and review every paper in ``ids`` with the stages overlapped; one result per reviewed paper.

    Papers a later date's post has taken over are skipped. Once the daily quota is used up the remaining papers are
    deferred quickly, and PDFs not yet downloaded are left for the run that reviews them.
    """
    stats = stats or DayStats()
    started = time.monotonic()
    quota_out = threading.Event()
    mine = [i for i in ids if ledger_owner(rt, topic, rt.paper(topic, day, i)) in (day.isoformat(), None)]
    if len(mine) < len(ids):
        log.info("%d paper(s) moved to a later post: skipped", len(ids) - len(mine))

    def download(arxiv_id: str) -> PaperRef:
        if quota_out.is_set() and not rt.state.exists(rt.pdf_key(arxiv_id)):
            return {"arxiv_id": arxiv_id, "errors": ["pdf: not downloaded (the LLM quota ran out first)"]}
        return _timed(stats, "pdf", stage_pdf, rt, topic, day, arxiv_id, session=session, throttle=throttle)

    def figures(pdf: Future[PaperRef]) -> PaperRef:
        return _timed(stats, "figures", stage_figures, rt, topic, day, pdf.result())

    def review(arxiv_id: str, ready: Future[PaperRef]) -> dict[str, str]:
        try:
            result = _timed(stats, "review", stage_review, rt, topic, day, {"arxiv_id": arxiv_id, "errors": []},
                            llm=llm, ready=ready.result, executor=sections)
        except Exception as exc:  # one paper's failure never sinks the day; the task reports it at the end
            log.exception("paper %s failed", arxiv_id)
            return {"arxiv_id": arxiv_id, "review_key": "", "status": "failed", "error": f"{type(exc).__name__}: {exc}"}
        if result["status"] == "deferred":
            quota_out.set()
        log.info("paper %s: %s", arxiv_id, result["status"])
        return result

    with (
        ThreadPoolExecutor(1, thread_name_prefix="arxiv") as downloads,
        ThreadPoolExecutor(figure_workers, thread_name_prefix="figures") as croppers,
        ThreadPoolExecutor(concurrency, thread_name_prefix="llm") as sections,
        ThreadPoolExecutor(max(1, len(mine)), thread_name_prefix="paper") as papers,
    ):
        ready = {i: croppers.submit(figures, downloads.submit(download, i)) for i in mine}
        results = [papers.submit(review, i, ready[i]) for i in mine]
        out = [f.result() for f in results]
    stats.add("day", time.monotonic() - started)
    rt.state.put(f"runs/{topic.slug}/{day.isoformat()}/timing.json", json.dumps(stats.stage_seconds).encode(),
                 "application/json")
    log.info("stage seconds (summed over papers): %s", stats.stage_seconds)
    return out


def make_limiter(s: Settings, topic: Topic) -> Limiter:
    """The shared limiter with this topic's provider quota (topic overrides applied) and arXiv's interval."""
    specs = {p: s.quota(p) for p in ("gemini", "openai", "arxiv")}
    specs[topic.provider] = s.quota(topic.provider, topic.quota)
    return Limiter(open_backend(s.quota_url), specs, lease_seconds=s.llm_timeout + 60)
