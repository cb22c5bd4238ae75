"""The optional faithfulness pass: one more LLM call per paper that checks each claim of items 6-8 against the text.

A topic turns it on with ``faithfulness_check: true``. The model gets the paper's source texts and every claim,
numbered by field, and names the claims the text does not support; those sections are asked again with the finding
(``UNSUPPORTED``). The verdict is stored under the claims' hash, so a re-run asks nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from .llm import LLM
from .models import Attempt, Finding, Paper, Section, safe_id
from .storage import NotFound, Storage

PROMPT = "faithfulness.j2"
CLAIM_SECTIONS = ("overview", "methods", "conclusion")  # items 6, 7 and 8
CLAIM_FIELDS = {"overview": ("background", "past_methods", "method", "performance")}  # item 6's sub-items


class UnsupportedClaim(BaseModel):
    """One claim the text does not support."""

    claim: str = Field(description="the claim's id, e.g. methods.steps[1]")
    reason: str = Field(description="what the text says instead, or that it says nothing about this")


class Verdict(BaseModel):
    """The claims the text does not support (empty when every claim is supported)."""

    unsupported: list[UnsupportedClaim] = Field(default_factory=list, max_length=24)


def claims(sections: Mapping[str, Section]) -> dict[str, str]:
    """Claim id -> text, for every field of items 6-8 in validated sections."""
    out: dict[str, str] = {}
    for name in CLAIM_SECTIONS:
        section = sections.get(name)
        if section is None or not section.ok:
            continue
        fields = CLAIM_FIELDS.get(name, tuple(section.content))
        for field in fields:
            value = section.content.get(field)
            if isinstance(value, str):
                out[f"{name}.{field}"] = value
            elif isinstance(value, list):
                out.update({f"{name}.{field}[{i}]": str(v) for i, v in enumerate(value)})
    return out


def findings_by_section(verdict: Verdict, known: Mapping[str, str]) -> dict[str, list[Finding]]:
    """The verdict as UNSUPPORTED findings per section; ids the model made up are ignored."""
    out: dict[str, list[Finding]] = {}
    for item in verdict.unsupported:
        if item.claim not in known:
            continue
        section = item.claim.split(".", 1)[0]
        out.setdefault(section, []).append(Finding(
            code="UNSUPPORTED", section=section, span=known[item.claim][:160],
            message=f"'{item.claim.split('.', 1)[1]}' is not supported by the paper's text: {item.reason}"))
    return out


class FaithfulnessCheck:
    """Asks the model once per set of claims, caching the verdict by the claims, the text and the prompt."""

    def __init__(self, *, llm: LLM, prompts: Any, cache: Storage, model: str, language: str,
                 temperature: float = 0.0, max_output_tokens: int = 4096):
        self.llm, self.prompts, self.cache = llm, prompts, cache
        self.model, self.language = model, language
        self.temperature, self.max_output_tokens = temperature, max_output_tokens

    def key(self, paper: Paper, known: Mapping[str, str], source: str) -> str:
        raw = json.dumps([paper.arxiv_id, dict(known), source, self.prompts.source(PROMPT), self.model,
                          Verdict.model_json_schema()], sort_keys=True, ensure_ascii=False)
        return f"reviews/{safe_id(paper.arxiv_id)}/faithfulness-{hashlib.sha256(raw.encode()).hexdigest()[:24]}.json"

    def run(self, paper: Paper, sections: Mapping[str, Section], source: str) -> tuple[dict[str, list[Finding]],
                                                                                         Attempt | None]:
        """Findings per section, and the call's record (None when the verdict came from the cache)."""
        known = claims(sections)
        if not known:
            return {}, None
        key = self.key(paper, known, source)
        try:
            return findings_by_section(Verdict.model_validate_json(self.cache.get(key)), known), None
        except NotFound:
            pass
        prompt = self.prompts.render(PROMPT, paper=paper, text=source, claims=known, language=self.language,
                                     feedback=[])
        answer = self.llm.generate(model=self.model, system=self.prompts.render("system.j2", language=self.language),
                                   prompt=prompt, schema=Verdict, temperature=self.temperature,
                                   max_output_tokens=self.max_output_tokens)
        attempt = Attempt(model=self.model, finish_reason=answer.finish_reason, tokens_in=answer.tokens_in,
                          tokens_out=answer.tokens_out, seconds=round(answer.seconds, 3), error=answer.error)
        data = answer.data() if not answer.error else None
        try:
            verdict = Verdict.model_validate(data) if data is not None else None
        except ValueError:
            verdict = None
        if verdict is None:  # no usable verdict: the sections stand as validated; the call is still counted
            return {}, attempt
        self.cache.put(key, verdict.model_dump_json().encode(), "application/json")
        return findings_by_section(verdict, known), attempt

    def accept(self, paper: Paper, sections: Mapping[str, Section], source: str) -> None:
        """Record the re-asked sections as checked, so a re-run does not ask about them again."""
        known = claims(sections)
        if known:
            self.cache.put(self.key(paper, known, source), Verdict().model_dump_json().encode(), "application/json")
