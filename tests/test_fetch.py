"""Fetching a listing with the real ``arxiv`` client against the stand-in arXiv API (Atom over HTTP)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import arxiv
import pytest

from arxiv_digest.calendar import ArxivCalendar
from arxiv_digest.fetch import ArxivThrottle, fetch_listing, make_client, window_query
from arxiv_digest.models import Listing
from arxiv_digest.storage import LocalStorage
from arxiv_digest.topics import Topic
from conftest import listing_entries
from servers.arxiv_server import ArxivServer, FakeEntry

LISTING = date(2024, 6, 20)  # Thursday: window Tue 2024-06-18 18:00 UTC .. Wed 2024-06-19 18:00 UTC
WINDOW = "submittedDate:[202406181800 TO 202406191759]"


@pytest.fixture(scope="module")
def five_entries() -> list[FakeEntry]:
    """``listing_entries(5)``, built once: drawing the PDFs is the slow part."""
    return listing_entries(5)


def on_topic(entries: list[FakeEntry], n: int) -> list[FakeEntry]:
    """Fresh copies of the first ``n`` on-topic entries plus the two distractors (what listing_entries(n) gives)."""
    chosen = entries[:n] + entries[5:]
    assert [e.arxiv_id for e in chosen[n:]] == ["2406.19999v1", "2406.18888v1"]
    return [dataclasses.replace(e) for e in chosen]


@pytest.fixture
def arxiv_server(five_entries: list[FakeEntry]) -> Iterator[ArxivServer]:
    """The conftest server (``listing_entries()``), from the cached entries."""
    with ArxivServer(on_topic(five_entries, 2)) as server:
        yield server


def topic(max_papers: int | None = 20) -> Topic:
    return Topic(name="Diffusion Models", query='all:"diffusion models"', categories=["cs.CV"], max_papers=max_papers)


def client_for(server: ArxivServer, *, retries: int = 3) -> arxiv.Client:
    return make_client(server.api_url, page_size=2, interval=0, retries=retries, timeout=5)


def fetch(server: ArxivServer, *, max_papers: int | None = 20, throttle: ArxivThrottle | None = None) -> Listing:
    return fetch_listing(topic(max_papers), LISTING, client=client_for(server), calendar=ArxivCalendar(),
                         throttle=throttle)


def test_fetch_returns_only_on_topic_papers_inside_the_window(arxiv_server: ArxivServer) -> None:
    listing = fetch(arxiv_server)
    assert [p.arxiv_id for p in listing.papers] == ["2406.10002v1", "2406.10001v1"]
    assert listing.excluded == {}
    assert listing.topic == "Diffusion Models"
    assert listing.listing_date == LISTING
    assert (listing.window_start, listing.window_end) == (
        datetime(2024, 6, 18, 18, tzinfo=UTC), datetime(2024, 6, 19, 18, tzinfo=UTC))
    assert listing.total_results == 2

    first = listing.papers[1]
    assert first.title == "Lattice Denoisers: Score Matching on Structured Grids"
    assert first.authors == ["Mira Okafor", "Tomasz Lind"]
    assert first.published == datetime(2024, 6, 18, 19, tzinfo=UTC)
    assert first.categories == ["cs.CV", "cs.LG"] and first.primary_category == "cs.CV"
    assert first.comment == "9 pages, 4 figures"
    assert first.abs_url == "https://arxiv.org/abs/2406.10001v1"
    assert first.summary.endswith("fewer steps & less memory.")  # XML entities decoded


def test_query_sent_restricts_topic_categories_and_window(arxiv_server: ArxivServer) -> None:
    listing = fetch(arxiv_server)
    (request,) = arxiv_server.requests
    sent = request["params"]["search_query"]
    assert WINDOW in sent
    assert sent == listing.query == '(all:"diffusion models") AND (cat:cs.CV) AND ' + WINDOW
    assert request["params"]["sortBy"] == "submittedDate"
    assert request["params"]["sortOrder"] == "descending"
    assert window_query(topic(), listing.window_start, listing.window_end) == sent


def test_pdf_url_is_derived_when_the_feed_has_no_pdf_link(arxiv_server: ArxivServer) -> None:
    entry = next(e for e in arxiv_server.entries if e.arxiv_id == "2406.10002v1")
    assert not entry.include_pdf_link
    papers = {p.arxiv_id: p for p in fetch(arxiv_server).papers}
    assert papers["2406.10002v1"].pdf_url == "https://arxiv.org/pdf/2406.10002v1"
    assert papers["2406.10001v1"].pdf_url == "https://arxiv.org/pdf/2406.10001v1"


def test_pagination_collects_every_page(five_entries: list[FakeEntry]) -> None:
    with ArxivServer(on_topic(five_entries, 5)) as server:
        listing = fetch(server)
    assert [p.arxiv_id for p in listing.papers] == [f"2406.1000{i}v1" for i in (5, 4, 3, 2, 1)]
    assert [r["params"]["start"] for r in server.requests] == ["0", "2", "4"]
    assert {r["params"]["max_results"] for r in server.requests} == {"2"}


def test_unexpected_empty_page_is_retried(five_entries: list[FakeEntry]) -> None:
    with ArxivServer(on_topic(five_entries, 5), empty_page_once=True) as server:
        listing = fetch(server)
    assert len(listing.papers) == 5
    assert [r["params"]["start"] for r in server.requests] == ["0", "2", "2", "4"]


def test_a_503_is_retried(five_entries: list[FakeEntry]) -> None:
    with ArxivServer(on_topic(five_entries, 2), fail_first=1) as server:
        listing = fetch(server)
    assert [p.arxiv_id for p in listing.papers] == ["2406.10002v1", "2406.10001v1"]
    assert len(server.requests) == 2


def test_persistent_failure_raises_and_still_marks_the_throttle(five_entries: list[FakeEntry], tmp_path: Path) -> None:
    store = LocalStorage(tmp_path)
    with ArxivServer(on_topic(five_entries, 2), fail_first=10) as server, pytest.raises(arxiv.HTTPError):
        fetch_listing(topic(), LISTING, client=client_for(server, retries=1), calendar=ArxivCalendar(),
                      throttle=ArxivThrottle(store, 0.01))
    assert len(server.requests) == 2
    assert store.exists(ArxivThrottle.KEY)


def test_sorted_by_id_descending_and_max_papers_keeps_the_most_relevant(five_entries: list[FakeEntry]) -> None:
    entries = on_topic(five_entries, 5)
    # Submission order differs from id order: the newest id was submitted first.
    entries[4].published, entries[0].published = entries[0].published, entries[4].published
    # 10001 and 10004 ("Lattice Denoisers") name the topic only in the abstract.
    entries[2].summary = "Diffusion models everywhere. " + entries[2].summary  # title and two abstract mentions
    with ArxivServer(entries) as server:
        listing = fetch(server, max_papers=2)
        everything = fetch(server, max_papers=None)  # type: ignore[arg-type]
    # Title matches before abstract mentions; among equals the earlier submission.
    assert [p.arxiv_id for p in listing.papers] == ["2406.10005v1", "2406.10003v1"]
    assert listing.excluded == dict.fromkeys(
        ["2406.10004v1", "2406.10002v1", "2406.10001v1"], "over max_papers=2: less relevant"
    )
    assert [p.arxiv_id for p in listing.cut] == ["2406.10004v1", "2406.10002v1", "2406.10001v1"]
    assert listing.total_results == 5
    assert len(everything.papers) == 5 and not everything.cut and not everything.excluded


def test_papers_outside_the_window_are_dropped_even_if_the_server_returns_them(five_entries: list[FakeEntry]) -> None:
    # A mirror that ignores submittedDate: the server only sees the topic part of the query.
    class IgnoresWindow(ArxivServer):
        def search(self, params: dict[str, str]) -> list[FakeEntry]:
            query = params["search_query"].split(" AND submittedDate:")[0]
            return super().search({**params, "search_query": query})

    with IgnoresWindow(on_topic(five_entries, 2)) as server:
        listing = fetch(server)
    assert listing.total_results == 3  # 2406.19999v1 came back ...
    assert [p.arxiv_id for p in listing.papers] == ["2406.10002v1", "2406.10001v1"]  # ... and was dropped


def test_a_day_without_listing_makes_no_request(arxiv_server: ArxivServer) -> None:
    with pytest.raises(ValueError, match="weekend"):
        fetch_listing(topic(), date(2024, 6, 22), client=client_for(arxiv_server), calendar=ArxivCalendar())
    assert arxiv_server.requests == []


def test_throttle_spaces_requests_and_stores_its_timestamp(arxiv_server: ArxivServer, tmp_path: Path) -> None:
    store = LocalStorage(tmp_path / "state")
    throttle = ArxivThrottle(store, interval=0.3)
    before = time.time()
    fetch(arxiv_server, throttle=throttle)
    stamp = float(store.get(ArxivThrottle.KEY).decode())
    # the stamp is kept to the millisecond, which may round it past now: compare at that precision
    assert round(before, 3) <= stamp <= round(time.time(), 3)

    # A second task (its own client, same shared state) waits out the interval before its request.
    fetch(arxiv_server, throttle=ArxivThrottle(store, interval=0.3))
    first, second = arxiv_server.requests
    assert second["time"] - first["time"] >= 0.29
    assert float(store.get(ArxivThrottle.KEY).decode()) > stamp
    assert (tmp_path / "state" / "arxiv" / "last-request").is_file()


def test_throttle_does_not_wait_once_the_interval_has_passed(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path)
    now = [1000.0]
    throttle = ArxivThrottle(store, interval=5.0, clock=lambda: now[0])
    throttle.mark()
    assert store.get(ArxivThrottle.KEY) == b"1000.000"
    now[0] = 1006.0
    started = time.monotonic()
    throttle.wait()
    assert time.monotonic() - started < 0.1
