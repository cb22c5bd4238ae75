"""Backfills at half price: every section request of a listing date in one Gemini Batch API job.

``submit`` asks, in one batch, for every section of the date's papers that is not validated yet; ``poll`` checks
the job without blocking (the DAG's sensor pokes it in reschedule mode) and, once the job has ended, validates
each answer like a synchronous one. Passing sections go to the shared cache, so the review stage makes no call
for them; failed ones are kept as attempts and re-asked synchronously, with their findings, by the review stage.
A job that fails, expires or outlives ``DIGEST_BATCH_TIMEOUT_HOURS`` leaves its sections to synchronous calls.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, Field, TypeAdapter

from .cost import record_usage
from .llm import LLMAnswer, gemini_answer, gemini_client, gemini_config
from .models import Attempt, Paper
from .pipeline import PaperText, Runtime, make_reviewer, paper_sources
from .review import Reviewer
from .sections import SECTIONS, SectionSpec, spec
from .settings import Settings, llm_credentials
from .storage import NotFound, get_model, put_model
from .topics import Topic

log = logging.getLogger(__name__)
DONE_STATES = frozenset({"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED", "JOB_STATE_EXPIRED"})
_ATTEMPTS = TypeAdapter(list[Attempt])


class BatchJob(BaseModel):
    """One submitted Batch API job of a topic's date, stored so re-runs and pokes find it again."""

    name: str = Field(description="batches/<id>")
    model: str
    keys: list[str] = Field(description="'<arxiv_id> <section>' per request, in request order")
    submitted_at: datetime
    state: str = "JOB_STATE_PENDING"
    collected: bool = False
    passed: int = 0
    failed: int = 0


def wants_batch(topic: Topic, day: date, run_day: date, after_days: int, override: str = "auto") -> bool:
    """Batch mode for this run: the run's ``batch`` param (always/never) or else the topic's setting decides;
    ``auto`` means the listing is more than ``after_days`` days older than the run (0 turns that off)."""
    if topic.provider != "gemini":
        return False
    mode = override if override in ("always", "never") else topic.batch
    if mode != "auto":
        return mode == "always"
    return after_days > 0 and (run_day - day).days > after_days


def client_for(s: Settings, topic: Topic) -> Any:
    """The google-genai client of the topic's Gemini endpoint."""
    key, url = llm_credentials(s, topic.provider, topic.base_url, topic.api_key_env)
    return gemini_client(key or "", base_url=url, timeout=s.llm_timeout)


def job_key(topic: Topic, day: date) -> str:
    return f"batches/{topic.slug}/{day.isoformat()}.json"


def stored_job(rt: Runtime, topic: Topic, day: date) -> BatchJob | None:
    try:
        return get_model(rt.state, job_key(topic, day), BatchJob)
    except NotFound:
        return None


def _plan(rt: Runtime, topic: Topic, day: date, reviewer: Reviewer) -> list[tuple[Paper, SectionSpec, str]]:
    """(paper, section, source text) of every section still to ask: not cached, not waiting for a re-ask, and
    not being asked by another topic's run right now."""
    out = []
    for paper in rt.listing(topic, day).papers:
        text, _ = paper_sources(rt, topic, paper, [])
        for sec in SECTIONS:
            if sec.source not in text.sources:
                continue
            if reviewer.cached(paper, sec) is not None or rt.state.exists(reviewer.pending_key(paper, sec)):
                continue
            if reviewer.claim(paper, sec, ttl=rt.settings.batch_timeout_hours * 3600):
                out.append((paper, sec, text.sources[sec.source]))
    return out


def submit(rt: Runtime, topic: Topic, day: date, *, client: Any) -> str | None:
    """Submit the date's open section requests as one inlined batch; the job's name, or None if nothing is open.

    Idempotent: a job already submitted for the date and not yet collected is returned, not submitted again.
    """
    job = stored_job(rt, topic, day)
    if job is not None and not job.collected:
        log.info("batch %s for %s %s already submitted", job.name, topic.name, day)
        return job.name
    reviewer = make_reviewer(rt, topic, llm=None)  # type: ignore[arg-type]  # builds requests, never calls
    plan = _plan(rt, topic, day, reviewer)
    if not plan:
        log.info("%s %s: every section is validated or waiting for a re-ask; no batch", topic.name, day)
        return None
    from google.genai import types

    requests = []
    for paper, name, source_text in plan:
        system, prompt, schema = reviewer.request(paper, name, source_text)
        config = gemini_config(system, schema, temperature=topic.temperature,
                               max_output_tokens=topic.max_output_tokens)
        requests.append(types.InlinedRequest(contents=prompt, config=config,
                                             metadata={"key": f"{paper.arxiv_id} {name.name}"}))
    try:
        created = client.batches.create(
            model=topic.model, src=requests,
            config=types.CreateBatchJobConfig(display_name=f"arxiv-digest {topic.slug} {day.isoformat()}"),
        )
    except Exception:
        for paper, name, _ in plan:  # let the synchronous path ask them at once
            reviewer.release(paper, name)
        raise
    job = BatchJob(name=created.name, model=topic.model, submitted_at=datetime.now(UTC),
                   keys=[f"{p.arxiv_id} {n.name}" for p, n, _ in plan])
    put_model(rt.state, job_key(topic, day), job)
    log.info("submitted batch %s: %d section requests for %s %s", job.name, len(plan), topic.name, day)
    return job.name


def poll(rt: Runtime, topic: Topic, day: date, *, client: Any) -> bool:
    """True once the date's batch (if any) has ended and its answers are validated and stored."""
    from google.genai import errors

    job = stored_job(rt, topic, day)
    if job is None or job.collected:
        return True
    try:
        remote = client.batches.get(name=job.name)
    except errors.APIError as exc:
        if exc.code != 404:
            log.warning("batch %s: %s %s; asking again at the next poke", job.name, exc.code, exc.message)
            return False
        collect(rt, topic, day, job, None, "JOB_STATE_FAILED")  # the provider no longer knows the job
        return True
    state = str(getattr(remote.state, "value", remote.state))
    age = (datetime.now(UTC) - job.submitted_at).total_seconds()
    if state not in DONE_STATES:
        if age < rt.settings.batch_timeout_hours * 3600:
            log.info("batch %s is %s after %.0f s", job.name, state, age)
            return False
        log.warning("batch %s still %s after %.1f h: cancelled; its sections are asked synchronously",
                    job.name, state, age / 3600)
        client.batches.cancel(name=job.name)
        state = "JOB_STATE_CANCELLED"
    collect(rt, topic, day, job, remote if state == "JOB_STATE_SUCCEEDED" else None, state)
    return True


def collect(rt: Runtime, topic: Topic, day: date, job: BatchJob, remote: Any | None, state: str) -> BatchJob:
    """Validate every answer of an ended job: passing sections are cached, failing ones left for a re-ask."""
    reviewer = make_reviewer(rt, topic, llm=None)  # type: ignore[arg-type]
    papers = {p.arxiv_id: p for p in rt.listing(topic, day).papers}
    responses = list(remote.dest.inlined_responses or []) if remote is not None and remote.dest else []
    spent: dict[str, list[Attempt]] = {}
    texts: dict[str, PaperText] = {}
    passed = failed = 0
    for index, item in enumerate(responses):
        key = (item.metadata or {}).get("key") or job.keys[index]
        arxiv_id, _, section_name = key.partition(" ")
        paper, name = papers.get(arxiv_id), spec(section_name)
        if paper is None:
            continue
        if arxiv_id not in texts:
            texts[arxiv_id] = paper_sources(rt, topic, paper, [])[0]
        text = texts[arxiv_id]
        source = text.sources.get(name.source, "")
        if item.error is not None or item.response is None:
            answer = LLMAnswer(None, None, error=f"batch request failed: {item.error}")
        else:
            answer = gemini_answer(item.response, 0.0)
        attempt, done = reviewer.judge(paper, name, answer, paper_text=text.full if name.needs_pdf else source,
                                       source_text=source, first_page=text.first_page, model=job.model, batch=True)
        spent.setdefault(arxiv_id, []).append(attempt)
        if done is None:
            failed += 1
            rt.state.put(reviewer.pending_key(paper, name), _ATTEMPTS.dump_json([attempt]), "application/json")
            reviewer.release(paper, name)
        else:
            passed += 1
    if state != "JOB_STATE_SUCCEEDED":
        log.warning("batch %s ended %s: its %d sections are asked synchronously", job.name, state, len(job.keys))
        for key in job.keys:
            arxiv_id, _, section_name = key.partition(" ")
            if arxiv_id in papers:
                reviewer.release(papers[arxiv_id], section_name)
    record_usage(rt.state, rt.usage_prefix(topic, day), "batch", spent)
    job = job.model_copy(update={"state": state, "collected": True, "passed": passed, "failed": failed})
    put_model(rt.state, job_key(topic, day), job)
    log.info("batch %s: %d sections passed validation, %d to re-ask synchronously", job.name, passed, failed)
    return job
