"""Fetch one listing day's papers for a topic from the arXiv API, with the real ``arxiv`` client."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

import arxiv
import requests

from .calendar import ArxivCalendar
from .models import Listing, Paper
from .net import ArxivThrottle  # noqa: F401 - fetch_listing callers pass one
from .relevance import relevance, why_off_topic
from .topics import Topic

log = logging.getLogger(__name__)


class _TimeoutSession(requests.Session):
    """The arxiv client sets no timeout; a hung connection must not hang the task forever."""

    def __init__(self, timeout: float):
        super().__init__()
        self._timeout = timeout

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self._timeout)
        return super().request(*args, **kwargs)


def make_client(api_url: str, *, page_size: int, interval: float, retries: int, timeout: float) -> arxiv.Client:
    """An ``arxiv.Client`` aimed at ``api_url`` (the real API or a mirror/stand-in)."""
    client = arxiv.Client(page_size=page_size, delay_seconds=interval, num_retries=retries)
    client.query_url_format = api_url + "?{}"
    client._session = _TimeoutSession(timeout)  # the client exposes no timeout option
    return client


def _fmt(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y%m%d%H%M")


def window_query(topic: Topic, start: datetime, end: datetime) -> str:
    """The topic query restricted to submissions in [start, end); arXiv's range is inclusive, to the minute."""
    return f"{topic.search_query()} AND submittedDate:[{_fmt(start)} TO {_fmt(end - timedelta(minutes=1))}]"


def to_paper(result: arxiv.Result) -> Paper:
    """arXiv metadata as our Paper; the PDF link is derived when the feed omits it (2025 API change)."""
    arxiv_id = result.get_short_id()
    abs_url = f"https://arxiv.org/abs/{arxiv_id}"
    return Paper(
        arxiv_id=arxiv_id,
        title=" ".join(result.title.split()),
        authors=[a.name for a in result.authors],
        summary=" ".join(result.summary.split()),
        published=result.published,
        updated=result.updated,
        primary_category=result.primary_category,
        categories=list(result.categories),
        comment=" ".join(result.comment.split()) if result.comment else None,
        journal_ref=result.journal_ref,
        doi=result.doi,
        abs_url=abs_url,
        pdf_url=f"https://arxiv.org/pdf/{arxiv_id}",
    )


def search_window(
    topic: Topic, start: datetime, end: datetime, *, client: arxiv.Client, throttle: ArxivThrottle | None = None
) -> tuple[str, int, list[Paper]]:
    """(query, result count, papers submitted in [start, end) newest id first, one per paper)."""
    query = window_query(topic, start, end)
    search = arxiv.Search(
        query=query,
        max_results=None,
        sort_by=arxiv.SortCriterion.SubmittedDate,
        sort_order=arxiv.SortOrder.Descending,
    )
    if throttle:
        throttle.wait()
    try:
        results = list(client.results(search))
    finally:
        if throttle:
            throttle.mark()
    papers: dict[str, Paper] = {}
    for r in results:
        paper = to_paper(r)
        if start <= paper.published < end:  # defend against a mirror that ignores the window
            papers.setdefault(paper.base_id, paper)
    return query, len(results), sorted(papers.values(), key=lambda p: p.arxiv_id, reverse=True)


def split_on_topic(papers: list[Paper], topic: Topic) -> tuple[list[Paper], dict[str, str]]:
    """The papers the relevance gate keeps, and the excluded ones with the reason."""
    kept, excluded = [], {}
    for p in papers:
        reason = why_off_topic(p, topic)
        if reason:
            excluded[p.arxiv_id] = reason
        else:
            kept.append(p)
    return kept, excluded


def fetch_listing(
    topic: Topic,
    listing_date: date,
    *,
    client: arxiv.Client,
    calendar: ArxivCalendar,
    throttle: ArxivThrottle | None = None,
) -> Listing:
    """All papers of ``topic`` submitted in the window that arXiv announced on ``listing_date``."""
    start, end = calendar.submission_window(listing_date)
    query, total, ordered = search_window(topic, start, end, client=client, throttle=throttle)
    on_topic, excluded = split_on_topic(ordered, topic)
    chosen, cut = keep_most_relevant(on_topic, topic)
    excluded.update({p.arxiv_id: f"over max_papers={topic.max_papers}: less relevant" for p in cut})
    log.info("topic %s, listing %s: %d papers in window %s..%s, %d chosen, %d excluded", topic.name, listing_date,
             len(ordered), start.isoformat(), end.isoformat(), len(chosen), len(excluded))
    return Listing(
        topic=topic.name,
        listing_date=listing_date,
        window_start=start,
        window_end=end,
        query=query,
        total_results=total,
        papers=chosen,
        excluded=excluded,
        cut=cut,
    )


def keep_most_relevant(papers: list[Paper], topic: Topic) -> tuple[list[Paper], list[Paper]]:
    """(kept, cut): every paper when the topic sets no max_papers, else the most relevant ones (title match before
    abstract mentions, earlier submission on a tie), both in the given order."""
    if topic.max_papers is None or len(papers) <= topic.max_papers:
        return papers, []
    ranked = sorted(papers, key=lambda p: (*(-r for r in relevance(p, topic)), p.published, p.arxiv_id))
    keep = {p.arxiv_id for p in ranked[: topic.max_papers]}
    return [p for p in papers if p.arxiv_id in keep], [p for p in papers if p.arxiv_id not in keep]
