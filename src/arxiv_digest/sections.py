"""The review sections, each declared once: schema, prompt, source text, item numbers, labels and lint mapping.

The review stage, the validator, the renderer (``include/templates/post.md.j2`` loops over ``SECTIONS``) and
``digest lint`` all read this registry. Adding a section is one ``SectionSpec`` here, one prompt file
``include/prompts/<name>.j2`` and a test; a section without its own ``include/templates/sections/<name>.md.j2``
is rendered by the generic partial.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import ClassVar

from pydantic import BaseModel, Field


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


# Where a section's source text comes from (pipeline.section_sources builds one text per role).
SOURCE_ROLES = ("abstract", "opening", "method", "conclusion")


@dataclass(frozen=True)
class LintItem:
    """One numbered review item as a post prints it, and what ``digest lint`` calls it."""

    number: int
    field: str  # the name lint files the item's text under
    label_key: str  # the label the template prints, a key of the section's labels
    aliases: str  # regex: every name the item goes by in posts of this layout, drifted ones included


@dataclass(frozen=True)
class SectionSpec:
    """Everything about one review section, in one place."""

    name: str
    schema: type[BaseModel]
    source: str  # one of SOURCE_ROLES
    needs_pdf: bool
    items: tuple[LintItem, ...] = ()
    # language -> label key -> text; merged into render.LABELS, read by the templates and by lint
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # content field -> label key of the label the template prints before it (a copy in the answer is stripped)
    field_labels: Mapping[str, str] = field(default_factory=dict)
    # labelled fields the template prints mid-line, after another field (not at the start of a sub-item)
    inline_fields: frozenset[str] = frozenset()
    # fields whose numbers must appear in the section's own source text
    grounded_numbers: frozenset[str] = frozenset()
    # fields the validator checks against the paper's first page / title / topic
    affiliation_field: str | None = None
    title_field: str | None = None
    keywords_field: str | None = None

    @property
    def prompt(self) -> str:
        """The prompt file under include/prompts."""
        return f"{self.name}.j2"

    @property
    def template(self) -> str:
        """The post partial under include/templates/sections (the renderer falls back to _generic.md.j2)."""
        return f"sections/{self.name}.md.j2"

    @property
    def any_language(self) -> frozenset[str]:
        """Fields kept in the language they were printed in."""
        value: frozenset[str] = getattr(self.schema, "any_language", frozenset())
        return value


def _labels(zh: dict[str, str], en: dict[str, str]) -> Mapping[str, Mapping[str, str]]:
    return MappingProxyType({"zh-CN": MappingProxyType(zh), "en": MappingProxyType(en)})


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        name="summary", schema=SummaryContent, source="abstract", needs_pdf=False,
        labels=_labels({"summary": "Summary"}, {"summary": "Summary"}),
    ),
    SectionSpec(
        name="overview", schema=OverviewContent, source="opening", needs_pdf=True,
        items=(
            LintItem(1, "title", "title", r"论文标题|标题|题目|Title"),
            LintItem(2, "authors", "authors", r"作者|Authors?"),
            LintItem(3, "affiliation", "affiliation",
                     r"第一作者单位|作者单位|第一作者机构|所属机构|隶属机构|隶属单位|所属单位|单位|机构|Affiliations?"),
            LintItem(4, "keywords", "keywords", r"关键词|关键字|Keywords?"),
            LintItem(5, "urls", "urls", r"论文链接|链接|URLs?|Links?"),
            LintItem(6, "summary", "summary", r"摘要|Summary|Abstract"),
        ),
        labels=_labels(
            {"review": "论文速览", "title": "Title", "authors": "Authors", "affiliation": "Affiliation",
             "keywords": "Keywords", "urls": "Urls", "background": "研究背景", "past_methods": "过去的方法及其问题",
             "method": "研究方法", "performance": "任务与性能"},
            {"review": "Paper review", "title": "Title", "authors": "Authors", "affiliation": "Affiliation",
             "keywords": "Keywords", "urls": "Urls", "background": "Background",
             "past_methods": "Past methods and their problems", "method": "Method",
             "performance": "Tasks and performance"},
        ),
        field_labels=MappingProxyType({
            "title_translation": "title", "affiliation": "affiliation", "keywords": "keywords",
            "background": "background", "past_methods": "past_methods", "method": "method",
            "performance": "performance"}),
        grounded_numbers=frozenset({"performance"}),
        affiliation_field="affiliation", title_field="title_translation", keywords_field="keywords",
    ),
    SectionSpec(
        name="methods", schema=MethodsContent, source="method", needs_pdf=True,
        items=(LintItem(7, "steps", "methods", r"方法论|方法|Methods?|Methodology"),),
        labels=_labels({"methods": "Methods"}, {"methods": "Methods"}),
        grounded_numbers=frozenset({"steps"}),
    ),
    SectionSpec(
        name="conclusion", schema=ConclusionContent, source="conclusion", needs_pdf=True,
        items=(LintItem(8, "conclusion", "conclusion", r"结论|Conclusions?"),),
        labels=_labels(
            {"conclusion": "Conclusion", "significance": "意义", "innovation": "创新点", "perf": "性能",
             "workload": "工作量"},
            {"conclusion": "Conclusion", "significance": "Significance", "innovation": "Innovation",
             "perf": "Performance", "workload": "Workload"},
        ),
        field_labels=MappingProxyType({"significance": "significance", "innovation": "innovation",
                                       "performance": "perf", "workload": "workload"}),
        inline_fields=frozenset({"performance", "workload"}),
        grounded_numbers=frozenset({"significance", "innovation", "performance", "workload"}),
    ),
)

SPECS: Mapping[str, SectionSpec] = MappingProxyType({s.name: s for s in SECTIONS})
# The section names as an enum, for callers that want one (its members follow the registry).
SectionName = StrEnum("SectionName", [(s.name.upper(), s.name) for s in SECTIONS])  # type: ignore[misc]


def spec(name: str) -> SectionSpec:
    """The spec of a section by name; an unknown name is a clear error."""
    try:
        return SPECS[str(name)]
    except KeyError:
        raise KeyError(f"no review section named {name!r}; declared: {', '.join(SPECS)}") from None


def section_labels(language: str) -> dict[str, str]:
    """Every section's labels for one language, merged (a later section never overrides an earlier key)."""
    out: dict[str, str] = {}
    for s in SECTIONS:
        for key, text in s.labels.get(language, {}).items():
            out.setdefault(key, text)
    return out


def lint_items() -> dict[int, tuple[SectionSpec, LintItem]]:
    """Review item number -> its section and item, over every section."""
    return {item.number: (s, item) for s in SECTIONS for item in s.items}
