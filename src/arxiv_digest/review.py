"""Ask the LLM for each review section, validate, re-ask with the reasons, and cache what passed."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import jinja2
from pydantic import BaseModel, Field

from .llm import LLM, LLMAnswer
from .models import Attempt, Paper, Section, SectionName
from .pdf import TransientError
from .storage import NotFound, Storage
from .validate import Validator

log = logging.getLogger(__name__)


class SummaryContent(BaseModel):
    """(i) one-sentence summary and key takeaways, from title and abstract."""

    summary: str = Field(max_length=100, description="one sentence")
    key_takeaways: list[str] = Field(min_length=3, max_length=8)


class OverviewContent(BaseModel):
    """(ii) review items 1-6 from the opening pages; authors, title and links come from metadata and the PDF."""

    any_language: ClassVar[frozenset[str]] = frozenset({"affiliation", "keywords"})  # kept as printed

    title_translation: str
    affiliation: str = Field(description="first author's institution as printed in the paper")
    keywords: list[str] = Field(min_length=3, max_length=8)
    background: str
    past_methods: str
    method: str
    performance: str


class MethodsContent(BaseModel):
    """(iii) item 7: the method as ordered steps."""

    steps: list[str] = Field(min_length=2, max_length=8)


class ConclusionContent(BaseModel):
    """(iv) item 8: significance, then innovation, performance and workload."""

    significance: str
    innovation: str
    performance: str
    workload: str


SCHEMAS: dict[SectionName, type[BaseModel]] = {
    SectionName.SUMMARY: SummaryContent,
    SectionName.OVERVIEW: OverviewContent,
    SectionName.METHODS: MethodsContent,
    SectionName.CONCLUSION: ConclusionContent,
}


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

    def section_hash(self, section: SectionName) -> str:
        """Hash of everything that shapes the section's prompt: its template, the shared parts and the schema."""
        shared = sorted(p.name for p in self.directory.glob("_*.j2"))
        h = hashlib.sha256()
        for name in ["system.j2", f"{section.value}.j2", *shared]:
            h.update(name.encode() + b"\0" + self.source(name).encode())
        h.update(json.dumps(SCHEMAS[section].model_json_schema(), sort_keys=True).encode())
        return h.hexdigest()


def cache_key(paper: Paper, section: SectionName, prompt_hash: str, model: str, language: str) -> str:
    """Identity of a validated section: versioned arXiv id, section, prompt hash, model and language."""
    raw = "\x1f".join((paper.arxiv_id, section.value, prompt_hash, model, language))
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


class Reviewer:
    """Produces validated sections for one paper, reusing any section already validated with the same key."""

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
    ):
        self.llm, self.prompts, self.cache = llm, prompts, cache
        self.model, self.language = model, language
        self.temperature, self.max_output_tokens = temperature, max_output_tokens
        self.max_attempts, self.fallback_model, self.sleep = max_attempts, fallback_model, sleep

    def _key(self, paper: Paper, section: SectionName) -> str:
        k = cache_key(paper, section, self.prompts.section_hash(section), self.model, self.language)
        return f"reviews/{paper.arxiv_id}/{section.value}-{k}.json"

    def cached(self, paper: Paper, section: SectionName) -> Section | None:
        try:
            found = Section.model_validate_json(self.cache.get(self._key(paper, section)))
        except NotFound:
            return None
        return found.model_copy(update={"from_cache": True})

    def section(self, paper: Paper, section: SectionName, *, source_text: str, paper_text: str) -> Section:
        """One section: cached, or asked up to ``max_attempts`` times with the last findings as feedback, then once
        more on the fallback model if there is one; the cache key names the primary model."""
        hit = self.cached(paper, section)
        if hit is not None:
            return hit
        schema = SCHEMAS[section]
        validator = Validator(language=self.language, paper=paper, paper_text=paper_text)
        system = self.prompts.render("system.j2", language=self.language)
        attempts: list[Attempt] = []
        feedback: list[str] = []
        plan = [(self.model, n) for n in range(1, self.max_attempts + 1)]
        if self.fallback_model:  # one more try on another model once the primary is exhausted
            plan.append((self.fallback_model, 1))
        for model, n in plan:
            prompt = self.prompts.render(f"{section.value}.j2", paper=paper, text=source_text,
                                         language=self.language, feedback=feedback)
            answer: LLMAnswer = self.llm.generate(
                model=model, system=system, prompt=prompt, schema=schema,
                temperature=self.temperature, max_output_tokens=self.max_output_tokens,
            )
            content, findings = validator.check(section.value, answer, schema)
            attempts.append(Attempt(model=model, finish_reason=answer.finish_reason, findings=findings,
                                    tokens_in=answer.tokens_in, tokens_out=answer.tokens_out,
                                    seconds=round(answer.seconds, 3), error=answer.error))
            if not findings:
                done = Section(name=section, ok=True, content=content, attempts=attempts,
                               cache_key=self._key(paper, section))
                self.cache.put(done.cache_key, done.model_dump_json(indent=1).encode(), "application/json")
                return done
            log.warning("paper %s section %s attempt %d (%s) rejected: %s", paper.arxiv_id, section.value,
                        len(attempts), model, "; ".join(f"{f.code}: {f.message}" for f in findings))
            if answer.transient and n < self.max_attempts:
                self.sleep(min(2.0 * 2 ** (n - 1) if answer.retry_after is None else answer.retry_after, 60.0))
            feedback = [f"{f.code}: {f.message}" for f in findings]
        if all(a.error for a in attempts) and answer.transient:
            raise TransientError(f"LLM unavailable for {paper.arxiv_id} section {section.value}: {answer.error}")
        return Section(name=section, ok=False, attempts=attempts)
