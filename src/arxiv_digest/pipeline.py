"""The stages as plain functions over storage keys; the DAG and the CLI call these, tests call them directly."""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypedDict

from pydantic import TypeAdapter

from .calendar import ArxivCalendar, load_calendar
from .cost import load_prices, load_usage, record_usage
from .fetch import ArxivThrottle, fetch_listing, search_window, split_on_topic
from .llm import LLM
from .models import (
    Attempt,
    Figure,
    FigureKind,
    Finding,
    Listing,
    Paper,
    Review,
    RunRecord,
    Section,
    SectionName,
    Usage,
)
from .pdf import PaperError, code_links, first_pages_text, open_pdf, sections_for, split_sections
from .publish import BlogRepo, PublishResult, create_local_blog, default_checkout, redact
from .render import PostRenderer, post_path
from .review import PromptBook, Reviewer
from .settings import Settings
from .storage import NotFound, Storage, content_key, get_model, open_storage, put_model
from .topics import Topic

log = logging.getLogger(__name__)
EXTRACTOR_VERSION = "1"
FIGURE_LIST = TypeAdapter(list[Figure])  # a paper's figure manifest
# Paper text per prompt is bounded by an estimate, not a count: about four characters per token for English text
# (no tokenizer call per prompt). Not yet calibrated against the providers' token counters.
CHARS_PER_TOKEN = 4


class NoListing(Exception):
    """arXiv publishes no listing on this date (weekend or holiday): nothing to do, not a failure."""


class DegradedRun(Exception):
    """The post went out, but with sections unavailable or papers missing parts: the operator must look."""


class PaperRef(TypedDict):
    """The small reference a paper's tasks pass along in XCom."""

    arxiv_id: str
    errors: list[str]


class PrefixedStorage:
    """A view of a store under a key prefix (figures staged inside the state store)."""

    def __init__(self, store: Storage, prefix: str):
        self.store, self.prefix = store, prefix.rstrip("/") + "/"

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self.store.put(self.prefix + key, data, content_type)

    def put_if_absent(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> bool:
        return self.store.put_if_absent(self.prefix + key, data, content_type)

    def get(self, key: str) -> bytes:
        return self.store.get(self.prefix + key)

    def exists(self, key: str) -> bool:
        return self.store.exists(self.prefix + key)

    def list(self, prefix: str) -> list[str]:
        return [k.removeprefix(self.prefix) for k in self.store.list(self.prefix + prefix)]

    def describe(self, key: str) -> str:
        return self.store.describe(self.prefix + key)


@dataclass
class Runtime:
    """Settings plus the stores built from them; clients for outside services are passed to each stage."""

    settings: Settings
    state: Storage
    figures: Storage
    calendar: ArxivCalendar = field(default_factory=ArxivCalendar)

    @classmethod
    def from_settings(cls, settings: Settings, s3_client_factory: Callable[[], Any] | None = None) -> Runtime:
        state = open_storage(settings.state_location, s3_client_factory)
        figures = (
            PrefixedStorage(state, "figures")
            if settings.figures_in_blog
            else open_storage(settings.storage or "", s3_client_factory)
        )
        return cls(settings, state, figures, load_calendar(settings.holidays_file))

    # keys
    @staticmethod
    def listing_key(topic: Topic, day: date) -> str:
        return f"listings/{topic.slug}/{day.isoformat()}.json"

    @staticmethod
    def review_key(topic: Topic, day: date, arxiv_id: str) -> str:
        return f"runs/{topic.slug}/{day.isoformat()}/papers/{arxiv_id.replace('/', '_')}.json"

    @staticmethod
    def post_key(topic: Topic, day: date) -> str:
        return f"posts/{topic.slug}/{day.isoformat()}.md"

    @staticmethod
    def run_key(topic: Topic, day: date) -> str:
        return f"runs/{topic.slug}/{day.isoformat()}/run.json"

    @staticmethod
    def published_key(topic: Topic, day: date) -> str:
        return f"runs/{topic.slug}/{day.isoformat()}/published.json"

    @staticmethod
    def usage_prefix(topic: Topic, day: date) -> str:
        return f"runs/{topic.slug}/{day.isoformat()}/usage"

    @staticmethod
    def pdf_key(arxiv_id: str) -> str:
        return f"pdfs/{arxiv_id.replace('/', '_')}.pdf"

    def figures_manifest_key(self, arxiv_id: str) -> str:
        s = self.settings
        return f"figure-index/{arxiv_id.replace('/', '_')}/v{EXTRACTOR_VERSION}-{s.figure_dpi}dpi-{s.max_figures}.json"

    def listing(self, topic: Topic, day: date) -> Listing:
        return get_model(self.state, self.listing_key(topic, day), Listing)

    def paper(self, topic: Topic, day: date, arxiv_id: str) -> Paper:
        for p in self.listing(topic, day).papers:
            if p.arxiv_id == arxiv_id:
                return p
        raise KeyError(f"{arxiv_id} is not in the {topic.name} listing of {day}")


def stage_fetch(rt: Runtime, topic: Topic, day: date, *, client: Any, refetch: bool = False) -> list[str]:
    """Fetch (or reuse) the listing; a stored listing is kept so re-runs review exactly the same papers.

    Papers are claimed in the topic's ledger, so none appears in two posts; papers arXiv announced late (held in
    moderation) are picked up from earlier windows whose stored listing lacks them.
    """
    reason = rt.calendar.why_no_listing(day)
    if reason:
        raise NoListing(reason)
    key = rt.listing_key(topic, day)
    if not refetch and rt.state.exists(key):
        listing = rt.listing(topic, day)
        log.info("reusing stored listing %s (%d papers)", rt.state.describe(key), len(listing.papers))
        return [p.arxiv_id for p in listing.papers]
    throttle = ArxivThrottle(rt.state, rt.settings.arxiv_request_interval)
    listing = fetch_listing(topic, day, client=client, calendar=rt.calendar, throttle=throttle)
    late = _late_papers(rt, topic, day, client=client, throttle=throttle) if rt.settings.late_lookback_days else []
    listing = _claim(rt, topic, day, listing, late)
    put_model(rt.state, key, listing)
    return [p.arxiv_id for p in listing.papers]


def _late_papers(rt: Runtime, topic: Topic, day: date, *, client: Any, throttle: ArxivThrottle) -> list[Paper]:
    """On-topic papers submitted before this listing's window that their own (stored) listing does not hold."""
    start, _ = rt.calendar.submission_window(day)
    lookback = start - timedelta(days=rt.settings.late_lookback_days)
    _, _, earlier = search_window(topic, lookback, start, client=client, throttle=throttle)
    late = []
    for p in split_on_topic(earlier, topic)[0]:
        own = rt.calendar.listing_for(p.published)
        if own >= day or not rt.state.exists(rt.listing_key(topic, own)):
            continue  # its own listing's run has not fetched yet: that run will take it
        held = rt.listing(topic, own)
        seen = {q.base_id for q in held.papers} | {k.rpartition("v")[0] or k for k in held.excluded}
        if p.base_id not in seen:
            late.append(p)
    return late


def _claim(rt: Runtime, topic: Topic, day: date, listing: Listing, late: list[Paper]) -> Listing:
    """Claim papers for this date in the topic's ledger (first claim wins), up to max_papers."""
    chosen: list[Paper] = []
    excluded = dict(listing.excluded)
    for p in [*listing.papers, *late]:
        if len(chosen) >= topic.max_papers:
            excluded[p.arxiv_id] = f"over max_papers={topic.max_papers}"
            continue
        key = f"ledger/{topic.slug}/{p.base_id.replace('/', '_')}.json"
        entry = json.dumps({"date": day.isoformat(), "arxiv_id": p.arxiv_id}).encode()
        if not rt.state.put_if_absent(key, entry, "application/json"):
            owner = json.loads(rt.state.get(key))["date"]
            if owner != day.isoformat():
                excluded[p.arxiv_id] = f"already in the {owner} post"
                continue
        chosen.append(p)
    late_ids = [p.arxiv_id for p in late if p in chosen]
    if late_ids:
        log.info("picked up %d paper(s) announced late: %s", len(late_ids), ", ".join(late_ids))
    return listing.model_copy(update={"papers": chosen, "excluded": excluded, "late": late_ids})


def stage_pdf(rt: Runtime, topic: Topic, day: date, arxiv_id: str, *, session: Any) -> PaperRef:
    """Download the PDF once (keyed by versioned id); a bad PDF is this paper's error, not the day's."""
    from .pdf import download_pdf

    key = rt.pdf_key(arxiv_id)
    if rt.state.exists(key):
        return {"arxiv_id": arxiv_id, "errors": []}
    s = rt.settings
    url = s.arxiv_pdf_url + arxiv_id
    try:
        data = download_pdf(
            url,
            session=session,
            timeout=s.http_timeout,
            max_bytes=int(s.pdf_max_mb * 2**20),
            throttle=ArxivThrottle(rt.state, s.arxiv_request_interval),
        )
        open_pdf(data).close()
    except PaperError as exc:
        log.error("paper %s: %s", arxiv_id, exc)
        return {"arxiv_id": arxiv_id, "errors": [f"pdf: {exc}"]}
    rt.state.put(key, data, "application/pdf")
    return {"arxiv_id": arxiv_id, "errors": []}


def stage_figures(rt: Runtime, topic: Topic, day: date, ref: PaperRef) -> PaperRef:
    """Crop figures once per (paper, extractor settings); images are stored content-addressed."""
    arxiv_id = ref["arxiv_id"]
    manifest = rt.figures_manifest_key(arxiv_id)
    if ref["errors"] or rt.state.exists(manifest):
        return ref
    from . import figures as figure_extractor

    s = rt.settings
    try:
        doc = open_pdf(rt.state.get(rt.pdf_key(arxiv_id)))
        rendered = figure_extractor.extract(
            doc, dpi=s.figure_dpi, max_pixels=s.figure_max_pixels, max_figures=s.max_figures
        )
    except PaperError as exc:
        return {"arxiv_id": arxiv_id, "errors": [*ref["errors"], f"figures: {exc}"]}
    out: list[Figure] = []
    for r in rendered:
        ext = "jpg" if r.content_type == "image/jpeg" else "png"
        key = content_key(r.data, ext)
        if not rt.figures.exists(key):
            rt.figures.put(key, r.data, r.content_type)
        f = r.figure
        out.append(
            Figure(
                kind=FigureKind(f.kind),
                number=f.number,
                page=f.page,
                bbox=f.bbox,
                caption=f.caption,
                key=key,
                content_type=r.content_type,
                width=r.width,
                height=r.height,
                nbytes=len(r.data),
            )
        )
    rt.state.put(manifest, FIGURE_LIST.dump_json(out, indent=1), "application/json")
    return ref


def _stored_figures(rt: Runtime, arxiv_id: str) -> list[Figure]:
    try:
        return FIGURE_LIST.validate_json(rt.state.get(rt.figures_manifest_key(arxiv_id)))
    except NotFound:
        return []


def _unavailable(name: SectionName, code: str, message: str) -> Section:
    return Section(
        name=name,
        ok=False,
        attempts=[Attempt(model="-", findings=[Finding(code=code, section=name.value, message=message)])],
    )


def make_reviewer(rt: Runtime, topic: Topic, llm: LLM) -> Reviewer:
    """The topic's Reviewer over the shared section cache (keyed by paper, not topic)."""
    s = rt.settings
    return Reviewer(
        llm=llm,
        prompts=PromptBook(s.include_dir / "prompts"),
        cache=rt.state,
        model=topic.model,
        language=topic.language,
        temperature=topic.temperature,
        max_output_tokens=topic.max_output_tokens,
        max_attempts=s.llm_max_attempts,
        fallback_model=topic.fallback_model,
        owner=topic.name,
        claim_ttl=s.llm_timeout * (s.llm_max_attempts + 1),
    )


SectionSources = dict[SectionName, tuple[str, str]]  # section -> (text it is written from, the paper's full text)


def section_sources(rt: Runtime, topic: Topic, paper: Paper, errors: list[str]) -> tuple[SectionSources, list[str]]:
    """What each section is written from, and the code links printed in the paper; PDF problems go to errors.

    The summary needs only the abstract; the other sections are left out when the PDF cannot be read.
    """
    sources: SectionSources = {SectionName.SUMMARY: (paper.summary, paper.summary)}
    links = code_links(paper.summary, paper.comment or "")
    doc = None
    if not any(e.startswith("pdf:") for e in errors):
        try:
            doc = open_pdf(rt.state.get(rt.pdf_key(paper.arxiv_id)))
        except (PaperError, NotFound) as exc:
            errors.append(f"pdf: {exc}")
    if doc is None:
        return sources, links
    budget = topic.input_token_budget * CHARS_PER_TOKEN
    parts = split_sections(doc)
    opening = first_pages_text(doc, max_chars=budget)
    full = " ".join(page.get_text("text") for page in doc.pages())
    links = code_links(paper.summary, paper.comment or "", full)
    texts = {
        SectionName.OVERVIEW: opening,
        SectionName.METHODS: sections_for(parts, "method", budget) or opening,
        SectionName.CONCLUSION: (
            sections_for(parts, "conclusion", budget // 2) + "\n" + sections_for(parts, "experiments", budget // 2)
        ).strip()
        or opening,
    }
    sources.update({name: (text, full) for name, text in texts.items()})
    return sources, links


def stage_review(rt: Runtime, topic: Topic, day: date, ref: PaperRef, *, llm: LLM) -> dict[str, str]:
    """Ask for each section (cached when already validated) and store the paper's Review record."""
    arxiv_id = ref["arxiv_id"]
    paper = rt.paper(topic, day, arxiv_id)
    reviewer = make_reviewer(rt, topic, llm)
    errors = list(ref["errors"])
    sources, links = section_sources(rt, topic, paper, errors)
    sections: dict[str, Section] = {}
    for name in SectionName:
        if name in sources:
            source_text, paper_text = sources[name]
            sections[name.value] = reviewer.section(paper, name, source_text=source_text, paper_text=paper_text)
        else:
            sections[name.value] = _unavailable(name, "NO_TEXT", "the paper's PDF could not be read")
    review = Review(
        paper=paper, figures=_stored_figures(rt, arxiv_id), code_links=links, sections=sections, errors=errors
    )
    key = rt.review_key(topic, day, arxiv_id)
    put_model(rt.state, key, review)
    # Batch API attempts are accounted by the batch stage, cached sections cost nothing here.
    spent = [a for sec in sections.values() if not sec.from_cache for a in sec.attempts if not a.batch]
    record_usage(rt.state, rt.usage_prefix(topic, day), arxiv_id, {arxiv_id: spent})
    return {"arxiv_id": arxiv_id, "review_key": key, "status": review.status.value}


def load_reviews(rt: Runtime, topic: Topic, day: date) -> tuple[Listing, list[Review], list[str]]:
    """The listing, the stored reviews in listing order, and the ids whose review is missing."""
    listing = rt.listing(topic, day)
    reviews, missing = [], []
    for p in listing.papers:
        try:
            reviews.append(get_model(rt.state, rt.review_key(topic, day, p.arxiv_id), Review))
        except NotFound:
            missing.append(p.arxiv_id)
    return listing, reviews, missing


def stage_render(rt: Runtime, topic: Topic, day: date) -> str | None:
    """Render the post from the stored reviews; a paper whose tasks failed is left out and reported."""
    listing, reviews, missing = load_reviews(rt, topic, day)
    if missing:
        log.error("no review for %s: left out of the post", ", ".join(missing))
    if not reviews:
        log.warning("%s %s: no paper to publish", topic.name, day)
        return None
    renderer = PostRenderer(rt.settings.include_dir / "templates")
    text = renderer.render(topic, listing, reviews, public_url=rt.settings.public_url, model=topic.model)
    key = rt.post_key(topic, day)
    rt.state.put(key, text.encode(), "text/markdown; charset=utf-8")
    return key


def stage_publish(rt: Runtime, topic: Topic, day: date, *, git_env: Mapping[str, str] | None = None) -> PublishResult:
    """Commit the stored post (and, by default, its figures) to the blog and push."""
    s = rt.settings
    _, reviews, _ = load_reviews(rt, topic, day)
    post = rt.state.get(rt.post_key(topic, day))
    files = {post_path(s.blog_post_dir, day, topic): post}
    if s.figures_in_blog:
        for f in (f for r in reviews for f in r.figures):
            files[f"{s.blog_image_dir.rstrip('/')}/{f.key}"] = rt.figures.get(f.key)
    if s.blog_is_local_default:
        create_local_blog(Path(s.blog_repo), s.blog_branch)
    repo = BlogRepo(
        s.blog_repo,
        s.blog_branch,
        default_checkout(s.home, s.blog_repo),
        author_name=s.git_author_name,
        author_email=s.git_author_email,
        env=git_env,
        push_retries=s.push_retries,
    )
    message = f"{topic.name}: arXiv digest for {day.isoformat()} ({len(reviews)} papers)"
    result = repo.publish(files, message)
    sha = hashlib.sha256(post).hexdigest()
    before = _published(rt, topic, day) or {}
    # Nothing committed: the blog already holds this post, in the commit the last run recorded (else at the tip).
    commit = result.commit or (before.get("commit") if before.get("post_sha256") == sha else None) or result.head
    marker = {
        "post_sha256": sha,
        "commit": commit,
        "repo": redact(s.blog_repo),
        "branch": s.blog_branch,
        "path": post_path(s.blog_post_dir, day, topic),
    }
    rt.state.put(rt.published_key(topic, day), json.dumps(marker, indent=1).encode(), "application/json")
    return result


def _published(rt: Runtime, topic: Topic, day: date) -> dict[str, Any] | None:
    """The publish marker, if it matches the post now in the state store."""
    try:
        marker = json.loads(rt.state.get(rt.published_key(topic, day)))
        post = rt.state.get(rt.post_key(topic, day))
    except NotFound:
        return None
    return marker if marker.get("post_sha256") == hashlib.sha256(post).hexdigest() else None


LEGACY_USAGE = "(before usage was recorded)"


def _carry_over(rt: Runtime, topic: Topic, day: date, before: RunRecord) -> None:
    """Keep the calls of a record written before runs added up: its totals become usage under one pseudo-paper."""
    n = before.llm_calls
    attempts = [Attempt(model=topic.model, tokens_in=before.tokens_in // n + (i < before.tokens_in % n),
                        tokens_out=before.tokens_out // n + (i < before.tokens_out % n)) for i in range(n)]
    record_usage(rt.state, rt.usage_prefix(topic, day), "legacy", {LEGACY_USAGE: attempts})


def stage_check(rt: Runtime, topic: Topic, day: date, run_id: str = "manual") -> dict[str, Any]:
    """Write the run record; raise DegradedRun when anything was left out, unavailable or not published.

    Calls, tokens and cost add up every run of the date (each stage that calls the LLM records its usage), so a
    re-run that asks nothing keeps the day's cost; ``runs`` lists the runs counted.
    """
    listing, reviews, missing = load_reviews(rt, topic, day)
    published = _published(rt, topic, day)
    problems = [f"{pid}: no review (its tasks failed)" for pid in missing]
    if reviews and published is None:
        problems.append(f"the post {rt.state.describe(rt.post_key(topic, day))} was not published to the blog")
    for r in reviews:
        problems += [f"{r.paper.arxiv_id}: {e}" for e in r.errors]
        problems += [
            f"{r.paper.arxiv_id}: section {n} unavailable ({', '.join(sorted({f.code for f in s.findings}))})"
            for n, s in r.sections.items()
            if not s.ok
        ]
    sections = [s for r in reviews for s in r.sections.values()]
    prices = load_prices(rt.settings.prices_file)
    try:
        before: RunRecord | None = get_model(rt.state, rt.run_key(topic, day), RunRecord)
    except NotFound:
        before = None
    if before is not None and not before.runs and before.llm_calls:
        _carry_over(rt, topic, day, before)
    runs = before.runs if before is not None else []
    spent = load_usage(rt.state, rt.usage_prefix(topic, day))
    by_paper = {pid: prices.usage(attempts) for pid, attempts in sorted(spent.items())}
    total = sum(by_paper.values(), Usage())
    reused = {
        r.paper.arxiv_id: made_for
        for r in reviews
        for made_for in sorted({s.made_for for s in r.sections.values() if s.from_cache and s.made_for})
        if made_for != topic.name
    }
    record = RunRecord(
        topic=topic.name,
        date=day,
        papers_found=listing.total_results,
        papers_published=len(reviews),
        excluded=listing.excluded,
        sections_total=len(sections),
        sections_retried=sum(1 for s in sections if len([a for a in s.attempts if a.model != "-"]) > 1),
        sections_unavailable=sum(1 for s in sections if not s.ok),
        findings_by_code=dict(Counter(f.code for s in sections for a in s.attempts for f in a.findings)),
        llm_calls=total.calls,
        tokens_in=total.tokens_in,
        tokens_out=total.tokens_out,
        llm_seconds=round(sum(a.seconds for attempts in spent.values() for a in attempts), 3),
        figures=sum(len(r.figures) for r in reviews),
        published=published,
        problems=problems,
        runs=runs if run_id in runs else [*runs, run_id],
        batch_calls=total.batch_calls,
        cost=round(total.cost, 6),
        currency=prices.currency,
        unpriced_models=total.unpriced,
        usage_by_paper=by_paper,
        reused=reused,
    )
    put_model(rt.state, rt.run_key(topic, day), record)
    if problems:
        raise DegradedRun(f"{topic.name} {day}: {len(problems)} problem(s): " + "; ".join(problems[:20]))
    return record.model_dump(mode="json")
