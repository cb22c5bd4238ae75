"""The stages as plain functions over storage keys; the DAG and the CLI call these, tests call them directly."""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypedDict

from pydantic import TypeAdapter

from . import sections as section_registry
from .calendar import ArxivCalendar, load_calendar
from .cost import load_prices, load_usage, record_usage
from .errors import DegradedRun, NoListing  # noqa: F401 - part of this module's interface
from .faithfulness import FaithfulnessCheck
from .fetch import fetch_listing, search_window, split_on_topic
from .fieldcheck import cross_repeats
from .figures import MANIFEST_VERSION
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
    Usage,
    base_id,
    safe_id,
)
from .net import ArxivThrottle
from .pdf import PaperError, sections_for
from .provenance import own_links
from .publish import BlogRepo, PublishResult, create_local_blog, default_checkout
from .quota import QuotaExhausted
from .redaction import redact
from .render import PostRenderer, post_path
from .review import PromptBook, Reviewer
from .sandbox import TEXT_VERSION, PdfLimits, PdfText, check_job, figures_job, run_limited, text_job
from .sections import SectionSpec
from .settings import Settings
from .storage import NotFound, Storage, content_key, get_model, open_storage, put_model
from .topics import Topic

log = logging.getLogger(__name__)
FIGURE_LIST = TypeAdapter(list[Figure])  # a paper's figure manifest
_PDF_TEXT = TypeAdapter(PdfText)  # a paper's text as the review reads it, kept once parsed
# Paper text per prompt is bounded by an estimate, not a count: about four characters per token for English text
# (no tokenizer call per prompt). Not yet calibrated against the providers' token counters.
CHARS_PER_TOKEN = 4




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
        return f"runs/{topic.slug}/{day.isoformat()}/papers/{safe_id(arxiv_id)}.json"

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
    def deferred_key(topic: Topic, day: date, arxiv_id: str) -> str:
        """Marks a paper the day's LLM quota left unreviewed; its review, once stored, supersedes the mark."""
        return f"runs/{topic.slug}/{day.isoformat()}/deferred/{safe_id(arxiv_id)}.json"

    @staticmethod
    def usage_prefix(topic: Topic, day: date) -> str:
        return f"runs/{topic.slug}/{day.isoformat()}/usage"

    @staticmethod
    def pdf_key(arxiv_id: str) -> str:
        return f"pdfs/{safe_id(arxiv_id)}.pdf"

    @staticmethod
    def pdf_text_key(arxiv_id: str, opening_chars: int) -> str:
        return f"pdf-text/{safe_id(arxiv_id)}/v{TEXT_VERSION}-{opening_chars}.json"

    def figures_manifest_key(self, arxiv_id: str) -> str:
        s = self.settings
        return (f"figure-index/{safe_id(arxiv_id)}/v{MANIFEST_VERSION}-{s.figure_dpi}dpi-{s.max_figures}"
                f"-{s.figure_max_pages}p.json")

    def listing(self, topic: Topic, day: date) -> Listing:
        return get_model(self.state, self.listing_key(topic, day), Listing)

    def paper(self, topic: Topic, day: date, arxiv_id: str) -> Paper:
        for p in self.listing(topic, day).papers:
            if p.arxiv_id == arxiv_id:
                return p
        raise KeyError(f"{arxiv_id} is not in the {topic.name} listing of {day}")


def stage_fetch(
    rt: Runtime, topic: Topic, day: date, *, client: Any, refetch: bool = False, throttle: ArxivThrottle | None = None
) -> list[str]:
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
    throttle = throttle or ArxivThrottle(rt.state, rt.settings.arxiv_request_interval)
    listing = fetch_listing(topic, day, client=client, calendar=rt.calendar, throttle=throttle)
    late = _late_papers(rt, topic, day, client=client, throttle=throttle) if rt.settings.late_lookback_days else []
    listing = _claim(rt, topic, day, listing, late)
    listing = _take_deferred(rt, topic, day, listing)
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
        seen = {q.base_id for q in held.papers} | {base_id(k) for k in held.excluded}
        if p.base_id not in seen:
            late.append(p)
    return late


def ledger_key(topic: Topic, paper: Paper) -> str:
    """The topic's ledger entry naming the one date whose post holds ``paper``."""
    return f"ledger/{topic.slug}/{safe_id(paper.base_id)}.json"


def ledger_owner(rt: Runtime, topic: Topic, paper: Paper) -> str | None:
    """The listing date (ISO) that holds ``paper`` in the ledger, if any."""
    try:
        return str(json.loads(rt.state.get(ledger_key(topic, paper)))["date"])
    except NotFound:
        return None


def _claim(rt: Runtime, topic: Topic, day: date, listing: Listing, late: list[Paper]) -> Listing:
    """Claim papers for this date in the topic's ledger (first claim wins), up to max_papers."""
    chosen: list[Paper] = []
    excluded = dict(listing.excluded)
    cut = list(listing.cut)
    for p in [*listing.papers, *late]:
        if topic.max_papers is not None and len(chosen) >= topic.max_papers:
            excluded[p.arxiv_id] = f"over max_papers={topic.max_papers}: less relevant"
            cut.append(p)
            continue
        key = ledger_key(topic, p)
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
    return listing.model_copy(update={"papers": chosen, "excluded": excluded, "late": late_ids, "cut": cut})


def deferred_ids(rt: Runtime, topic: Topic, day: date) -> list[str]:
    """Papers of this date that the LLM quota deferred and that have no review yet."""
    prefix = f"runs/{topic.slug}/{day.isoformat()}/deferred/"
    out = []
    for key in rt.state.list(prefix):
        arxiv_id = key.rsplit("/", 1)[-1].removesuffix(".json")
        if not rt.state.exists(rt.review_key(topic, day, arxiv_id)):
            out.append(arxiv_id)
    return sorted(out)


def _take_deferred(rt: Runtime, topic: Topic, day: date, listing: Listing) -> Listing:
    """Move papers an earlier date deferred (daily quota) into this date's listing: they are owed a review.

    The ledger is rewritten to this date, so a re-run of the earlier date leaves them to this one.
    """
    taken: dict[str, str] = {}
    papers = list(listing.papers)
    for back in range(rt.settings.late_lookback_days, 0, -1):
        earlier = day - timedelta(days=back)
        if not rt.state.exists(rt.listing_key(topic, earlier)):
            continue
        for arxiv_id in deferred_ids(rt, topic, earlier):
            paper = rt.paper(topic, earlier, arxiv_id)
            if ledger_owner(rt, topic, paper) != earlier.isoformat():
                continue  # already taken by another date
            entry = {"date": day.isoformat(), "arxiv_id": arxiv_id, "deferred_from": earlier.isoformat()}
            rt.state.put(ledger_key(topic, paper), json.dumps(entry).encode(), "application/json")
            papers.append(paper)
            taken[arxiv_id] = earlier.isoformat()
    if taken:
        log.info("took %d paper(s) deferred by earlier runs: %s", len(taken), ", ".join(taken))
    return listing.model_copy(update={"papers": papers, "deferred_from": {**listing.deferred_from, **taken}})


def waiting_papers(rt: Runtime, topic: Topic, day: date, listing: Listing, missing: list[str]) -> dict[str, str]:
    """Missing reviews that are not failures: deferred by the quota, or since taken by a later date's post."""
    deferred = set(deferred_ids(rt, topic, day))
    out = {}
    by_id = {p.arxiv_id: p for p in listing.papers}
    for arxiv_id in missing:
        owner = ledger_owner(rt, topic, by_id[arxiv_id])
        if owner and owner != day.isoformat():
            out[arxiv_id] = f"moved to the {owner} post"
        elif arxiv_id in deferred:
            out[arxiv_id] = "deferred: the LLM's daily quota was used up; the next run reviews it"
    return out


def stage_pdf(
    rt: Runtime, topic: Topic, day: date, arxiv_id: str, *, session: Any, throttle: ArxivThrottle | None = None
) -> PaperRef:
    """Download the PDF once (keyed by versioned id); a bad PDF is this paper's error, not the day's."""
    from .net import download_pdf

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
            throttle=throttle or ArxivThrottle(rt.state, s.arxiv_request_interval),
        )
        limits = PdfLimits.from_settings(s)
        run_limited(check_job, data, limits, limits=limits, what=arxiv_id)
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
    limits = PdfLimits.from_settings(s)
    try:
        options = {"dpi": s.figure_dpi, "max_pixels": s.figure_max_pixels, "max_figures": s.max_figures,
                   "max_pages": s.figure_max_pages}
        rendered: list[figure_extractor.RenderedFigure] = run_limited(
            figures_job, rt.state.get(rt.pdf_key(arxiv_id)), limits, options, limits=limits, what=arxiv_id
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
                figure_box=f.figure_box,
                caption_box=f.caption_box,
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


def _unavailable(name: str, code: str, message: str) -> Section:
    return Section(
        name=name,
        ok=False,
        attempts=[Attempt(model="-", findings=[Finding(code=code, section=name, message=message)])],
    )


@dataclass(frozen=True)
class PaperText:
    """What a paper's sections are asked from: one text per source role, the full text and the first page."""

    sources: dict[str, str]
    full: str = ""
    first_page: str = ""


def paper_text(paper: Paper, pdf: PdfText | None, budget: int) -> PaperText:
    """Source texts by role (sections.SOURCE_ROLES); without a PDF only the abstract."""
    if pdf is None:
        return PaperText({"abstract": paper.summary}, paper.summary)
    parts, opening = pdf.sections, pdf.opening
    conclusion = (sections_for(parts, "conclusion", budget // 2) + "\n"
                  + sections_for(parts, "experiments", budget // 2)).strip()
    return PaperText(
        sources={"abstract": paper.summary, "opening": opening,
                 "method": sections_for(parts, "method", budget) or opening, "conclusion": conclusion or opening},
        full=pdf.full,
        first_page=pdf.first_page,
    )


def paper_sources(rt: Runtime, topic: Topic, paper: Paper, errors: list[str]) -> tuple[PaperText, PdfText | None]:
    """What the paper's sections are asked from, its PDF read in the sandbox once (then kept in the state store,
    so a re-run spawns no parser); PDF problems go to ``errors``."""
    budget = topic.input_token_budget * CHARS_PER_TOKEN
    doc: PdfText | None = None
    if not any(e.startswith("pdf:") for e in errors):
        key = rt.pdf_text_key(paper.arxiv_id, budget)
        try:
            doc = _PDF_TEXT.validate_json(rt.state.get(key))
        except (NotFound, ValueError):  # not read yet, or written by an older release
            try:
                limits = PdfLimits.from_settings(rt.settings)
                data = rt.state.get(rt.pdf_key(paper.arxiv_id))
                doc = run_limited(text_job, data, limits, budget, limits=limits, what=paper.arxiv_id)
                rt.state.put(key, _PDF_TEXT.dump_json(doc), "application/json")
            except (PaperError, NotFound) as exc:
                errors.append(f"pdf: {exc}")
    return paper_text(paper, doc, budget), doc


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
        topic=topic.name,
        claim_ttl=s.llm_timeout * (s.llm_max_attempts + 1),
    )


def review_section(reviewer: Reviewer, spec: SectionSpec, paper: Paper, text: PaperText,
                   earlier: Mapping[str, Mapping[str, Any]] | None = None, reject: list[Finding] | None = None
                   ) -> Section:
    """One section of one paper (the unit the review stage maps over); NO_TEXT when its source is missing."""
    if spec.source not in text.sources:
        return _unavailable(spec.name, "NO_TEXT", "the paper's PDF could not be read")
    source = text.sources[spec.source]
    return reviewer.section(paper, spec, source_text=source, paper_text=text.full if spec.needs_pdf else source,
                            first_page=text.first_page, earlier=earlier, reject=reject or ())


def stage_review(
    rt: Runtime,
    topic: Topic,
    day: date,
    ref: PaperRef,
    *,
    llm: LLM,
    ready: Callable[[], PaperRef] | None = None,
    executor: Executor | None = None,
) -> dict[str, str]:
    """Ask for the sections concurrently (cached when already validated) and store the paper's Review record.

    Sections that need only the abstract are asked before ``ready`` (the PDF and figures) returns. Then, in section
    order, a section that repeats an earlier one's sentence word for word is asked again. When the provider's daily
    quota runs out, the paper is marked deferred instead: its validated sections stay cached.
    """
    arxiv_id = ref["arxiv_id"]
    paper = rt.paper(topic, day, arxiv_id)
    reviewer = make_reviewer(rt, topic, llm)
    specs = section_registry.SECTIONS
    budget = topic.input_token_budget * CHARS_PER_TOKEN
    pool = executor or ThreadPoolExecutor(max_workers=len(specs), thread_name_prefix=f"review-{arxiv_id}")
    exhausted: QuotaExhausted | None = None
    doc: PdfText | None = None
    sections: dict[str, Section] = {}
    checks: list[Attempt] = []
    try:
        abstract = paper_text(paper, None, budget)
        asked: dict[str, Future[Section]] = {
            spec.name: pool.submit(review_section, reviewer, spec, paper, abstract)
            for spec in specs if not spec.needs_pdf
        }
        if ready is not None:
            ref = ready()
        errors = list(ref["errors"])
        text, doc = paper_sources(rt, topic, paper, errors)
        for spec in specs:
            if spec.name not in asked:
                asked[spec.name] = pool.submit(review_section, reviewer, spec, paper, text)
        for name, future in asked.items():
            try:
                sections[name] = future.result()
            except QuotaExhausted as exc:
                exhausted = exc
        if exhausted is None:
            for i, spec in enumerate(specs[1:], 1):
                earlier = {s.name: sections[s.name].content for s in specs[:i] if sections[s.name].ok}
                first = sections[spec.name]
                if first.ok and (repeats := cross_repeats(spec.name, first.content, earlier)):
                    sections[spec.name] = _redone(first, review_section(reviewer, spec, paper, text, earlier),
                                                  repeats)
            if topic.faithfulness_check and doc:
                checks = _faithfulness(reviewer, topic, paper, text, sections, llm)
    except QuotaExhausted as exc:
        exhausted = exc
    finally:
        if executor is None:
            pool.shutdown(wait=True)
    # Batch API attempts are accounted by the batch stage; cached sections cost nothing here.
    spent = [a for sec in sections.values() if not sec.from_cache for a in sec.attempts if not a.batch] + checks
    record_usage(rt.state, rt.usage_prefix(topic, day), arxiv_id, {arxiv_id: spent})
    if exhausted is not None:
        log.warning("paper %s deferred: %s", arxiv_id, exhausted)
        rt.state.put(rt.deferred_key(topic, day, arxiv_id), json.dumps({"reason": str(exhausted)}).encode(),
                     "application/json")
        return {"arxiv_id": arxiv_id, "review_key": "", "status": "deferred"}
    sections = {spec.name: sections[spec.name] for spec in specs}
    links = own_links(paper, pdf_links=doc.links if doc else None)
    review = Review(
        paper=paper, figures=_stored_figures(rt, arxiv_id), code_links=links, sections=sections, errors=errors,
        checks=checks,
    )
    key = rt.review_key(topic, day, arxiv_id)
    put_model(rt.state, key, review)
    return {"arxiv_id": arxiv_id, "review_key": key, "status": review.status.value}


def _redone(first: Section, redo: Section, findings: list[Finding]) -> Section:
    """The re-asked section, keeping the first answer's calls (with the findings that sent it back) on record."""
    spent = [] if first.from_cache else first.attempts  # the run record counts every call and finding
    if spent:
        spent = [*spent[:-1], spent[-1].model_copy(update={"findings": [*spent[-1].findings, *findings]})]
    return redo.model_copy(update={"attempts": [*spent, *redo.attempts]})


def _faithfulness(reviewer: Reviewer, topic: Topic, paper: Paper, text: PaperText, sections: dict[str, Section],
                  llm: LLM) -> list[Attempt]:
    """The optional faithfulness pass: sections with unsupported claims are asked again once, with the findings."""
    check = FaithfulnessCheck(llm=llm, prompts=reviewer.prompts, cache=reviewer.cache, model=topic.model,
                              language=topic.language, max_output_tokens=topic.max_output_tokens)
    source = "\n".join(text.sources.get(role, "") for role in ("opening", "method", "conclusion"))
    found, attempt = check.run(paper, sections, source)
    for name, findings in found.items():
        spec = section_registry.spec(name)
        redo = review_section(reviewer, spec, paper, text, reject=findings)
        if redo.ok:  # a failed re-ask keeps the validated answer rather than losing the section
            sections[name] = _redone(sections[name], redo, findings)
    if found:
        check.accept(paper, sections, source)
    return [attempt] if attempt else []


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
    waiting = waiting_papers(rt, topic, day, listing, missing)
    failed = [m for m in missing if m not in waiting]
    if failed:
        log.error("no review for %s: left out of the post", ", ".join(failed))
    if not reviews:
        log.warning("%s %s: no paper to publish", topic.name, day)
        return None
    renderer = PostRenderer(rt.settings.include_dir / "templates")
    text = renderer.render(topic, listing, reviews, public_url=rt.settings.public_url, model=topic.model,
                           waiting=waiting)
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
    waiting = waiting_papers(rt, topic, day, listing, missing)
    problems = [f"{pid}: no review (its tasks failed)" for pid in missing if pid not in waiting]
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
    problems = [redact(p) for p in problems]
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
        deferred=waiting,
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
