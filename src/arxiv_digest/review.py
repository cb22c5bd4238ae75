"""Ask the LLM for each review section, validate, re-ask with the reasons, and cache what passed."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
from pydantic import BaseModel, TypeAdapter

from .llm import LLM, LLMAnswer
from .models import Attempt, Finding, Paper, Section
from .pdf import TransientError
from .sections import (  # noqa: F401 - the content schemas are re-exported
    SECTIONS,
    ConclusionContent,
    MethodsContent,
    OverviewContent,
    SectionSpec,
    SummaryContent,
    spec,
)
from .storage import NotFound, Storage
from .validate import Validator

log = logging.getLogger(__name__)


# The content schemas live with their sections; SCHEMAS is the registry's view for callers that want a dict.
SCHEMAS: dict[str, type[BaseModel]] = {s.name: s.schema for s in SECTIONS}


class PromptBook:
    """Prompt templates in ``include/prompts``; a section's hash covers its template, shared parts and schema."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.env = jinja2.Environment(  # noqa: S701 - prompts are plain text sent to the LLM, never HTML
            loader=jinja2.FileSystemLoader(directory), undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
        )

    def source(self, name: str) -> str:
        return (self.directory / name).read_text(encoding="utf-8")

    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context).strip()

    def section_hash(self, section: SectionSpec | str) -> str:
        """Hash of everything that shapes the section's prompt: its template, the shared parts and the schema."""
        sec = section if isinstance(section, SectionSpec) else spec(section)
        shared = sorted(p.name for p in self.directory.glob("_*.j2"))
        h = hashlib.sha256()
        for name in ["system.j2", sec.prompt, *shared]:
            h.update(name.encode() + b"\0" + self.source(name).encode())
        h.update(json.dumps(sec.schema.model_json_schema(), sort_keys=True).encode())
        return h.hexdigest()


def cache_key(paper: Paper, section: SectionSpec | str, prompt_hash: str, model: str, language: str) -> str:
    """Identity of a validated section: versioned arXiv id, section, prompt hash, model and language."""
    name = section.name if isinstance(section, SectionSpec) else str(section)
    raw = "\x1f".join((paper.arxiv_id, name, prompt_hash, model, language))
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


class Reviewer:
    """Produces validated sections for one paper, reusing any section already validated with the same key.

    A section is asked once across topics: the first asker claims it in the cache (create-if-absent); another
    topic's run waits for that answer instead of asking again, up to ``claim_ttl`` seconds.
    """

    def __init__(
        self,
        *,
        llm: LLM,
        prompts: PromptBook,
        cache: Storage,
        model: str,
        language: str,
        temperature: float = 0.2,
        max_output_tokens: int = 8192,
        max_attempts: int = 3,
        fallback_model: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        topic: str = "",
        claim_ttl: float = 600.0,
    ):
        self.llm, self.prompts, self.cache = llm, prompts, cache
        self.model, self.language = model, language
        self.temperature, self.max_output_tokens = temperature, max_output_tokens
        self.max_attempts, self.fallback_model, self.sleep = max_attempts, fallback_model, sleep
        self.topic, self.claim_ttl = topic, claim_ttl  # the topic is also the claim's owner

    def _key(self, paper: Paper, section: SectionSpec | str) -> str:
        sec = section if isinstance(section, SectionSpec) else spec(section)
        k = cache_key(paper, sec, self.prompts.section_hash(sec), self.model, self.language)
        return f"reviews/{paper.arxiv_id}/{sec.name}-{k}.json"

    def pending_key(self, paper: Paper, section: SectionSpec | str) -> str:
        """Where failed Batch API attempts wait for their synchronous re-ask."""
        return self._key(paper, section).removesuffix(".json") + ".pending.json"

    def _claim_key(self, paper: Paper, section: SectionSpec | str) -> str:
        return "claims/" + self._key(paper, section)

    def cached(self, paper: Paper, section: SectionSpec | str) -> Section | None:
        try:
            found = Section.model_validate_json(self.cache.get(self._key(paper, section)))
        except NotFound:
            return None
        return found.model_copy(update={"from_cache": True})

    def claim(self, paper: Paper, section: SectionSpec | str, ttl: float | None = None) -> bool:
        """Claim the section for this topic's run; False while another topic's claim is fresh."""
        key = self._claim_key(paper, section)
        mine = json.dumps({"owner": self.topic, "at": time.time(), "ttl": ttl or self.claim_ttl}).encode()
        if self.cache.put_if_absent(key, mine, "application/json"):
            return True
        held = json.loads(self.cache.get(key))
        if held.get("owner") != self.topic and time.time() - float(held["at"]) < float(held["ttl"]):
            return False
        self.cache.put(key, mine, "application/json")  # stale, released, or our own: take it over
        return True

    def release(self, paper: Paper, section: SectionSpec | str) -> None:
        """Give up a claim without an answer, so the next asker need not wait for it to expire."""
        key = self._claim_key(paper, section)
        self.cache.put(key, json.dumps({"owner": "", "at": 0, "ttl": 0}).encode(), "application/json")

    def _wait_for_other(self, paper: Paper, section: SectionSpec | str) -> Section | None:
        """The section another topic's run is asking for, once it is cached; None when we should ask."""
        waited = 0.0
        while not self.claim(paper, section):
            if waited >= self.claim_ttl:
                return None
            self.sleep(2.0)
            waited += 2.0
            hit = self.cached(paper, section)
            if hit is not None:
                return hit
        return None

    def request(
        self, paper: Paper, section: SectionSpec | str, source_text: str, feedback: list[str] | None = None
    ) -> tuple[str, str, type[BaseModel]]:
        """System instruction, prompt and response schema of one ask for ``section``."""
        sec = section if isinstance(section, SectionSpec) else spec(section)
        system = self.prompts.render("system.j2", language=self.language)
        prompt = self.prompts.render(sec.prompt, paper=paper, text=source_text, language=self.language,
                                     feedback=feedback or [])
        return system, prompt, sec.schema

    def judge(
        self, paper: Paper, section: SectionSpec | str, answer: LLMAnswer, *, paper_text: str, model: str,
        source_text: str = "", first_page: str = "", earlier: Mapping[str, Mapping[str, Any]] | None = None,
        batch: bool = False, prior: list[Attempt] | None = None,
    ) -> tuple[Attempt, Section | None]:
        """Validate one answer; a passing one becomes a cached Section (with every attempt that led to it)."""
        sec = section if isinstance(section, SectionSpec) else spec(section)
        validator = Validator(language=self.language, paper=paper, paper_text=paper_text, topic=self.topic,
                              first_page=first_page)
        content, findings = validator.check(sec.name, answer, sec.schema, source_text=source_text, earlier=earlier)
        attempt = Attempt(model=model, finish_reason=answer.finish_reason, findings=findings,
                          tokens_in=answer.tokens_in, tokens_out=answer.tokens_out,
                          seconds=round(answer.seconds, 3), error=answer.error, batch=batch)
        if findings:
            return attempt, None
        done = Section(name=sec.name, ok=True, content=content, attempts=[*(prior or []), attempt],
                       cache_key=self._key(paper, sec), made_for=self.topic)
        self.cache.put(done.cache_key, done.model_dump_json(indent=1).encode(), "application/json")
        return attempt, done

    def _prior(self, paper: Paper, section: SectionSpec | str) -> list[Attempt]:
        """Attempts the Batch API made for this section that did not pass validation."""
        try:
            return TypeAdapter(list[Attempt]).validate_json(self.cache.get(self.pending_key(paper, section)))
        except NotFound:
            return []

    def section(
        self,
        paper: Paper,
        section: SectionSpec | str,
        *,
        source_text: str,
        paper_text: str,
        first_page: str = "",
        earlier: Mapping[str, Mapping[str, Any]] | None = None,
        reject: Sequence[Finding] = (),
    ) -> Section:
        """One section: cached (or being asked by another topic's run), or asked up to ``max_attempts`` times with
        the last findings as feedback, then once more on the fallback model if there is one; the cache key names
        the primary model. Failed Batch API attempts count towards ``max_attempts``.

        ``earlier`` holds the validated content of the sections before this one: a cached answer that repeats one
        of their sentences is asked again, and so is a new answer that does. ``reject`` holds findings made
        outside the validator (the faithfulness pass): the section is asked again with them, cache or not."""
        sec = section if isinstance(section, SectionSpec) else spec(section)
        feedback: list[str] = _feedback(list(reject))  # findings from outside the validator ask anew
        hit = None if reject else (self.cached(paper, sec) or self._wait_for_other(paper, sec))
        attempts: list[Attempt] = []
        if hit is not None:
            from .fieldcheck import cross_repeats

            repeats = cross_repeats(sec.name, hit.content, earlier) if earlier and hit.ok else []
            if not repeats:
                return hit
            feedback = _feedback(repeats)
        elif not reject:
            attempts = self._prior(paper, sec)
            if attempts:
                feedback = _feedback(attempts[-1].findings)
        plan = [(self.model, n) for n in range(len(attempts) + 1, max(self.max_attempts, len(attempts) + 1) + 1)]
        if self.fallback_model:  # one more try on another model once the primary is exhausted
            plan.append((self.fallback_model, 1))
        for model, n in plan:
            system, prompt, schema = self.request(paper, sec, source_text, feedback)
            try:
                answer: LLMAnswer = self.llm.generate(
                    model=model, system=system, prompt=prompt, schema=schema,
                    temperature=self.temperature, max_output_tokens=self.max_output_tokens,
                )
            except BaseException:
                self.release(paper, sec)
                raise
            attempt, done = self.judge(paper, sec, answer, paper_text=paper_text, model=model, prior=attempts,
                                       source_text=source_text, first_page=first_page, earlier=earlier)
            if done is not None:
                return done
            attempts.append(attempt)
            log.warning("paper %s section %s attempt %d (%s) rejected: %s", paper.arxiv_id, sec.name,
                        len(attempts), model, "; ".join(f"{f.code}: {f.message}" for f in attempt.findings))
            if answer.transient and n < self.max_attempts:
                self.sleep(min(2.0 * 2 ** (n - 1) if answer.retry_after is None else answer.retry_after, 60.0))
            feedback = _feedback(attempt.findings)
        self.release(paper, sec)
        if all(a.error for a in attempts) and answer.transient:
            raise TransientError(f"LLM unavailable for {paper.arxiv_id} section {sec.name}: {answer.error}")
        return Section(name=sec.name, ok=False, attempts=attempts, made_for=self.topic)


def _feedback(findings: list[Finding]) -> list[str]:
    return [f"{f.code}: {f.message}" for f in findings]
