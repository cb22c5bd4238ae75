"""Typed records passed between the pipeline's stages (stored as JSON, referenced by key in XCom)."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from .sections import SectionName  # noqa: F401 - re-exported; the registry declares the names

ARXIV_ID = re.compile(r"(?<![0-9A-Za-z.])(\d{4}\.\d{4,5})(v\d+)?(?!\d)")  # CJK may touch the id


def base_id(arxiv_id: str) -> str:
    """An arXiv id without its version suffix (2406.12459v1 -> 2406.12459), also when it sits inside a URL."""
    if m := ARXIV_ID.search(arxiv_id):
        return m.group(1)
    head, sep, tail = arxiv_id.rpartition("v")
    return head if sep and tail.isdigit() else arxiv_id


def safe_id(arxiv_id: str) -> str:
    """An arXiv id usable as one path segment of a storage key (old-style ids hold a slash: hep-th/9901001)."""
    return arxiv_id.replace("/", "_")


class Paper(BaseModel):
    """One arXiv entry; every fact here comes from arXiv metadata, never from the LLM."""

    model_config = ConfigDict(frozen=True)

    arxiv_id: str = Field(description="versioned id, e.g. 2406.12459v1")
    title: str
    authors: list[str]
    summary: str
    published: datetime
    updated: datetime
    primary_category: str
    categories: list[str]
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    abs_url: str
    pdf_url: str

    @property
    def base_id(self) -> str:
        """The id without its version suffix (2406.12459v1 -> 2406.12459)."""
        return base_id(self.arxiv_id)


class FigureKind(StrEnum):
    PAGE = "page"
    FIGURE = "figure"
    TABLE = "table"


class Figure(BaseModel):
    """A cropped figure, table or first-page image, stored content-addressed."""

    kind: FigureKind
    number: str | None = None
    page: int = Field(description="0-based page index")
    bbox: tuple[float, float, float, float] = Field(description="the crop: x0, y0, x1, y1 in PDF points")
    figure_box: tuple[float, float, float, float] | None = Field(None, description="the graphic alone")
    caption_box: tuple[float, float, float, float] | None = Field(None, description="the caption, if any")
    caption: str = ""
    key: str = Field(description="object key in figure storage")
    content_type: str
    width: int
    height: int
    nbytes: int


class Finding(BaseModel):
    """One defect the validator found in an LLM answer."""

    code: str
    section: str
    message: str
    span: str = ""


class Attempt(BaseModel):
    """One LLM call for one section, with what the validator said about it."""

    model: str
    finish_reason: str | None = None
    findings: list[Finding] = Field(default_factory=list)
    tokens_in: int = 0
    tokens_out: int = 0
    seconds: float = 0.0
    error: str | None = None
    batch: bool = Field(default=False, description="asked through the provider's Batch API (discounted)")


class Section(BaseModel):
    """The validated content of one review section, or why it is unavailable."""

    name: str = Field(description="a section declared in sections.SECTIONS")
    ok: bool
    content: dict[str, object] = Field(default_factory=dict)
    attempts: list[Attempt] = Field(default_factory=list)
    cache_key: str = ""
    from_cache: bool = False
    made_for: str = Field(default="", description="the topic whose run asked for it; other topics reuse it")

    @property
    def findings(self) -> list[Finding]:
        return self.attempts[-1].findings if self.attempts else []


class PaperStatus(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    FAILED = "failed"


class Review(BaseModel):
    """Everything the post shows for one paper, plus the record of how it was made."""

    paper: Paper
    figures: list[Figure] = Field(default_factory=list)
    code_links: list[str] = Field(default_factory=list, description="code URLs printed in the abstract or PDF")
    sections: dict[str, Section] = Field(default_factory=dict)
    errors: list[str] = Field(default_factory=list)
    checks: list[Attempt] = Field(default_factory=list, description="LLM calls made for this paper outside sections")

    @property
    def status(self) -> PaperStatus:
        if self.errors and not self.sections:
            return PaperStatus.FAILED
        if self.errors or any(not s.ok for s in self.sections.values()):
            return PaperStatus.DEGRADED
        return PaperStatus.OK


class Listing(BaseModel):
    """The papers chosen for one topic's post on one announcement day."""

    topic: str
    listing_date: date
    window_start: datetime
    window_end: datetime
    query: str
    total_results: int
    papers: list[Paper]
    excluded: dict[str, str] = Field(default_factory=dict, description="arxiv_id -> reason")
    late: list[str] = Field(default_factory=list, description="papers from earlier windows that arXiv announced late")
    cut: list[Paper] = Field(default_factory=list, description="on-topic papers over max_papers, listed in the post")
    deferred_from: dict[str, str] = Field(default_factory=dict, description="arxiv_id -> date whose quota deferred it")


class Usage(BaseModel):
    """LLM calls, tokens and estimated cost (in the price table's currency) of some attempts."""

    calls: int = 0
    batch_calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float = 0.0
    unpriced: list[str] = Field(default_factory=list, description="models without a price: cost not counted")

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            calls=self.calls + other.calls, batch_calls=self.batch_calls + other.batch_calls,
            tokens_in=self.tokens_in + other.tokens_in, tokens_out=self.tokens_out + other.tokens_out,
            cost=self.cost + other.cost, unpriced=sorted({*self.unpriced, *other.unpriced}),
        )


class RunRecord(BaseModel):
    """What one topic's run for one listing day did; written by the last task, read by ``digest report``."""

    topic: str
    date: date
    papers_found: int
    papers_published: int
    excluded: dict[str, str] = Field(default_factory=dict)
    sections_total: int = 0
    sections_retried: int = Field(0, description="sections that needed more than one LLM call")
    sections_unavailable: int = 0
    findings_by_code: dict[str, int] = Field(default_factory=dict, description="every rejected answer's defects")
    llm_calls: int = Field(0, description="calls made in this run (cached sections cost none)")
    tokens_in: int = 0
    tokens_out: int = 0
    llm_seconds: float = 0.0
    figures: int = 0
    published: dict[str, object] | None = None
    deferred: dict[str, str] = Field(default_factory=dict, description="arxiv_id -> why it waits for a later run")
    problems: list[str] = Field(default_factory=list)
    # Every run of this date adds to the totals above (llm_calls, tokens): a re-run never resets them.
    runs: list[str] = Field(default_factory=list, description="the runs (Airflow run ids) counted in the totals")
    batch_calls: int = Field(0, description="of llm_calls, those asked through the Batch API")
    cost: float = Field(0.0, description="estimated cost of every call of every run, from the price table")
    currency: str = "USD"
    unpriced_models: list[str] = Field(default_factory=list, description="models the price table lacks")
    usage_by_paper: dict[str, Usage] = Field(default_factory=dict, description="arxiv_id -> calls, tokens, cost")
    reused: dict[str, str] = Field(default_factory=dict, description="arxiv_id -> topic whose run reviewed it")
