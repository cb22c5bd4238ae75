"""A local stand-in for the arXiv query API and PDF host that the real ``arxiv`` client can talk to."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit
from xml.sax.saxutils import escape, quoteattr

from ._http import AppHandler, LocalServer

MAX_RESULTS_LIMIT = 2000
_ATOM_NS = (
    'xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom"'
)
_TOKEN = re.compile(
    r"\s*(?:(?P<paren>[()])|(?:(?P<field>[A-Za-z]+):)?"
    r'(?:"(?P<phrase>[^"]*)"|\[(?P<range>[^\]]*)\]|(?P<word>[^\s()"]+)))'
)
_RANGE = re.compile(r"(\d{12}) TO (\d{12})")
_OPERATORS = {"AND", "OR", "ANDNOT"}
_PDF_NOT_FOUND = b"<html><body><h1>Not Found</h1><p>The requested article is not available.</p></body></html>"

Predicate = Callable[["FakeEntry"], bool]


@dataclass
class FakeEntry:
    """One paper as the fake arXiv knows it."""

    arxiv_id: str
    title: str
    authors: list[str]
    summary: str
    published: datetime
    updated: datetime | None = None
    primary_category: str = "cs.CV"
    categories: list[str] = field(default_factory=lambda: ["cs.CV"])
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    include_pdf_link: bool = True
    pdf: bytes | None = None

    @property
    def base_id(self) -> str:
        """The identifier without its version suffix."""
        return re.sub(r"v\d+$", "", self.arxiv_id)

    @property
    def last_updated(self) -> datetime:
        """When the latest version was submitted."""
        return self.updated or self.published


class QueryError(ValueError):
    """A ``search_query`` the real API would reject."""


_TEXT_FIELDS: dict[str, Callable[[FakeEntry], str]] = {
    "ti": lambda e: e.title,
    "abs": lambda e: e.summary,
    "au": lambda e: " ".join(e.authors),
    "co": lambda e: e.comment or "",
    "jr": lambda e: e.journal_ref or "",
    "id": lambda e: e.arxiv_id,
}


def _all_text(entry: FakeEntry) -> str:
    """Every searchable text field of ``entry``, for ``all:``."""
    return " ".join(get(entry) for get in _TEXT_FIELDS.values())


def _date_range(name: str, value: str) -> Predicate:
    """A ``submittedDate``/``lastUpdatedDate`` range, inclusive and compared to the minute in UTC."""
    match = _RANGE.fullmatch(value)
    if not match:
        raise QueryError(f"{name} range must be [YYYYMMDDHHMM TO YYYYMMDDHHMM], got [{value}]")
    low, high = (datetime.strptime(v, "%Y%m%d%H%M").replace(tzinfo=UTC) for v in match.groups())

    def within(entry: FakeEntry) -> bool:
        ts = entry.published if name == "submittedDate" else entry.last_updated
        return low <= ts.astimezone(UTC).replace(second=0, microsecond=0) <= high

    return within


def _term(name: str, value: str) -> Predicate:
    """One ``field:value`` clause; text fields match a case-insensitive substring."""
    if name in ("submittedDate", "lastUpdatedDate"):
        return _date_range(name, value)
    if name == "cat":
        return lambda entry: value in entry.categories
    if name != "all" and name not in _TEXT_FIELDS:
        raise QueryError(f"unknown field prefix {name!r}")
    get, needle = _TEXT_FIELDS.get(name, _all_text), value.lower()
    return lambda entry: needle in get(entry).lower()


def _either(left: Predicate, right: Predicate) -> Predicate:
    """``left OR right``."""
    return lambda entry: left(entry) or right(entry)


def _both(left: Predicate, right: Predicate, *, negate_right: bool) -> Predicate:
    """``left AND right``, or ``left ANDNOT right``."""
    return lambda entry: left(entry) and right(entry) != negate_right


class _QueryParser:
    """Recursive-descent parser for arXiv's boolean query language; AND binds tighter than OR."""

    def __init__(self, query: str):
        self.tokens = list(self._tokenize(query))
        self.pos = 0

    @staticmethod
    def _tokenize(query: str) -> Iterator[tuple[str, Any]]:
        """Operators and parentheses as themselves, clauses as ``("term", predicate)``."""
        pos, end = 0, len(query.rstrip())
        while pos < end:
            match = _TOKEN.match(query, pos)
            if not match:
                raise QueryError(f"cannot parse search_query at {query[pos:]!r}")
            pos = match.end()
            if match["paren"]:
                yield match["paren"], None
            elif match["range"] is not None:
                yield "term", _term(match["field"] or "all", match["range"])
            elif match["word"] in _OPERATORS and not match["field"]:
                yield match["word"], None
            else:
                text = match["phrase"] if match["phrase"] is not None else match["word"]
                yield "term", _term(match["field"] or "all", text)

    def _peek(self) -> str | None:
        """The kind of the next token, or None at the end."""
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def _take(self) -> tuple[str, Any]:
        """Consume the next token."""
        if self.pos >= len(self.tokens):
            raise QueryError("search_query ends unexpectedly")
        self.pos += 1
        return self.tokens[self.pos - 1]

    def parse(self) -> Predicate:
        """The whole query as one predicate."""
        predicate = self._or()
        if self.pos != len(self.tokens):
            raise QueryError(f"unexpected {self._peek()!r} in search_query")
        return predicate

    def _or(self) -> Predicate:
        """``and_expr ("OR" and_expr)*``."""
        left = self._and()
        while self._peek() == "OR":
            self._take()
            right = self._and()
            left = _either(left, right)
        return left

    def _and(self) -> Predicate:
        """``unary (("AND" | "ANDNOT" | nothing) unary)*``."""
        left = self._unary()
        while self._peek() in ("AND", "ANDNOT", "term", "("):  # adjacency is an implicit AND
            negate = self._peek() == "ANDNOT"
            if self._peek() in ("AND", "ANDNOT"):
                self._take()
            right = self._unary()
            left = _both(left, right, negate_right=negate)
        return left

    def _unary(self) -> Predicate:
        """``"(" or_expr ")"`` or a clause."""
        kind, value = self._take()
        if kind == "term":
            return value
        if kind == "(":
            inner = self._or()
            if self._take()[0] != ")":
                raise QueryError("unbalanced parentheses in search_query")
            return inner
        raise QueryError(f"unexpected {kind!r} in search_query")


def parse_query(query: str) -> Predicate:
    """Compile an arXiv ``search_query`` into a predicate over entries."""
    return _QueryParser(query).parse()


def _ts(value: datetime) -> str:
    """An Atom timestamp in UTC."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _entry_xml(entry: FakeEntry) -> str:
    """One ``<entry>`` in the shape the API serves today."""
    abs_url = f"https://arxiv.org/abs/{entry.arxiv_id}"
    lines = [
        "  <entry>",
        f"    <id>http://arxiv.org/abs/{escape(entry.arxiv_id)}</id>",
        f"    <title>{escape(entry.title)}</title>",
        f"    <updated>{_ts(entry.last_updated)}</updated>",
        f'    <link href={quoteattr(abs_url)} rel="alternate" type="text/html"/>',
    ]
    if entry.include_pdf_link:
        pdf_url = quoteattr(f"https://arxiv.org/pdf/{entry.arxiv_id}")
        lines.append(f'    <link href={pdf_url} rel="related" type="application/pdf" title="pdf"/>')
    lines.append(f"    <summary>{escape(entry.summary)}</summary>")
    scheme = 'scheme="http://arxiv.org/schemas/atom"'
    lines += [f"    <category term={quoteattr(c)} {scheme}/>" for c in entry.categories]
    lines.append(f"    <published>{_ts(entry.published)}</published>")
    if entry.comment is not None:
        lines.append(f"    <arxiv:comment>{escape(entry.comment)}</arxiv:comment>")
    lines.append(f"    <arxiv:primary_category term={quoteattr(entry.primary_category)}/>")
    if entry.journal_ref is not None:
        lines.append(f"    <arxiv:journal_ref>{escape(entry.journal_ref)}</arxiv:journal_ref>")
    if entry.doi is not None:
        lines.append(f"    <arxiv:doi>{escape(entry.doi)}</arxiv:doi>")
        doi_url = quoteattr(f"https://doi.org/{entry.doi}")
        lines.append(f'    <link href={doi_url} rel="related" title="doi"/>')
    lines += [f"    <author>\n      <name>{escape(name)}</name>\n    </author>" for name in entry.authors]
    lines.append("  </entry>")
    return "\n".join(lines)


def feed_xml(
    params: dict[str, str], entries: list[FakeEntry], *, total: int, start: int, per_page: int
) -> str:
    """A complete Atom feed page with its opensearch header."""
    query = urlencode(params)
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f"<feed {_ATOM_NS}>",
            f"  <id>{escape('https://arxiv.org/api/' + query)}</id>",
            f"  <title>{escape('arXiv Query: ' + query)}</title>",
            f"  <updated>{_ts(datetime.now(UTC))}</updated>",
            f'  <link href={quoteattr("https://arxiv.org/api/query?" + query)} rel="self" '
            'type="application/atom+xml"/>',
            f"  <opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>",
            f"  <opensearch:totalResults>{total}</opensearch:totalResults>",
            f"  <opensearch:startIndex>{start}</opensearch:startIndex>",
            *(_entry_xml(e) for e in entries),
            "</feed>",
            "",
        ]
    )


def error_feed_xml(message: str) -> str:
    """The single-entry error feed the API sends with a 400."""
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f"<feed {_ATOM_NS}>",
            "  <id>https://arxiv.org/api/errors</id>",
            "  <title>Error</title>",
            f"  <updated>{_ts(datetime.now(UTC))}</updated>",
            "  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>",
            "  <opensearch:totalResults>1</opensearch:totalResults>",
            "  <opensearch:startIndex>0</opensearch:startIndex>",
            "  <entry>",
            "    <id>https://arxiv.org/api/errors</id>",
            "    <title>Error</title>",
            f"    <summary>{escape(message)}</summary>",
            "  </entry>",
            "</feed>",
            "",
        ]
    )


class _Handler(AppHandler):
    """Routes ``/api/query`` and ``/pdf/<id>`` to the owning :class:`ArxivServer`."""

    app: ArxivServer

    def do_GET(self) -> None:
        """Serve the query API and PDFs."""
        url = urlsplit(self.path)
        if url.path == "/api/query":
            status, body = self.app.answer_query(url.path, dict(parse_qsl(url.query, keep_blank_values=True)))
            content_type = "text/plain" if status == 503 else "application/atom+xml; charset=utf-8"
            self.send_body(status, content_type, body.encode())
        elif url.path.startswith("/pdf/"):
            pdf = self.app.find_pdf(url.path.removeprefix("/pdf/").removesuffix(".pdf"))
            if pdf is None:
                self.send_body(404, "text/html; charset=utf-8", _PDF_NOT_FOUND)
            else:
                self.send_body(200, "application/pdf", pdf)
        else:
            self.send_body(404, "text/plain", b"not found")


class ArxivServer(LocalServer):
    """The arXiv API and PDF host on an ephemeral 127.0.0.1 port; use as a context manager.

    ``requests`` records each API request as ``{"path", "params", "time"}`` (``time.monotonic()``) and
    ``pdf_requests`` each requested PDF id. ``fail_first`` API requests answer 503; with ``empty_page_once``
    the first page past the start comes back empty with the true total, as the real API sometimes does.
    """

    def __init__(
        self,
        entries: list[FakeEntry],
        *,
        empty_page_once: bool = False,
        fail_first: int = 0,
        min_interval: float = 0.0,
    ):
        self.entries = list(entries)
        self.empty_page_once = empty_page_once
        self.fail_first = fail_first
        self.requests: list[dict[str, Any]] = []
        self.pdf_requests: list[str] = []
        self.min_interval = min_interval  # requests closer than this to the previous one count as too_close
        self.request_times: list[float] = []  # every API and PDF request, time.monotonic()
        self.too_close = 0
        super().__init__(_Handler, "arxiv-server")
        self.api_url = f"{self.root_url}/api/query"
        self.pdf_url = f"{self.root_url}/pdf/"

    def answer_query(self, path: str, params: dict[str, str]) -> tuple[int, str]:
        """Status and body for one ``/api/query`` request."""
        with self._lock:
            self._observe()
            self.requests.append({"path": path, "params": params, "time": time.monotonic()})
            if len(self.requests) <= self.fail_first:
                return 503, "Service Unavailable: the API is busy, retry later."
            try:
                start = int(params.get("start", "0"))
                max_results = int(params.get("max_results", "10"))
                matches = self.search(params)
            except ValueError as exc:
                return 400, error_feed_xml(str(exc))
            if start < 0 or not 0 <= max_results <= MAX_RESULTS_LIMIT:
                return 400, error_feed_xml(f"start must be >= 0 and max_results in 0..{MAX_RESULTS_LIMIT}")
            page = matches[start : start + max_results]
            if self.empty_page_once and start > 0:
                self.empty_page_once = False
                page = []
            return 200, feed_xml(params, page, total=len(matches), start=start, per_page=max_results)

    def search(self, params: dict[str, str]) -> list[FakeEntry]:
        """Every entry matching ``search_query`` and ``id_list``, in the requested order."""
        query = params.get("search_query", "").strip()
        ids = [i.strip() for i in params.get("id_list", "").split(",") if i.strip()]
        if not query and not ids:
            return []
        matches = self.entries
        if ids:
            matches = [e for e in map(self.lookup, ids) if e is not None]
        if query:
            predicate = parse_query(query)
            matches = [e for e in matches if predicate(e)]
        sort_by = params.get("sortBy", "relevance")
        descending = params.get("sortOrder", "descending") == "descending"
        if sort_by == "submittedDate":
            return sorted(matches, key=lambda e: e.published, reverse=descending)
        if sort_by == "lastUpdatedDate":
            return sorted(matches, key=lambda e: e.last_updated, reverse=descending)
        if sort_by != "relevance":
            raise QueryError(f"unknown sortBy {sort_by!r}")
        return matches if descending else matches[::-1]  # relevance is the given order

    def lookup(self, arxiv_id: str) -> FakeEntry | None:
        """The entry for a versioned id, or the latest version for a bare one."""
        exact = [e for e in self.entries if e.arxiv_id == arxiv_id]
        found = exact or sorted(
            (e for e in self.entries if e.base_id == arxiv_id), key=lambda e: e.last_updated
        )
        return found[-1] if found else None

    def find_pdf(self, arxiv_id: str) -> bytes | None:
        """The PDF bytes for ``arxiv_id``, or None when there is no such paper or it has no PDF."""
        with self._lock:
            self._observe()
            self.pdf_requests.append(arxiv_id)
        entry = self.lookup(arxiv_id)
        return entry.pdf if entry else None

    def _observe(self) -> None:
        """Record a request's time; count it when it came sooner than ``min_interval`` after the previous one."""
        now = time.monotonic()
        if self.request_times and now - self.request_times[-1] < self.min_interval - 0.05:
            self.too_close += 1
        self.request_times.append(now)
