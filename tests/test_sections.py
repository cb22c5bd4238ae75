"""sections.py: every section declared once, and a new section is one spec plus one prompt file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from arxiv_digest import sections
from arxiv_digest.lint import ITEM_FIELD, ITEM_LABELS, ITEM_SECTION
from arxiv_digest.models import Review
from arxiv_digest.render import LABELS
from arxiv_digest.review import SCHEMAS
from arxiv_digest.sections import SECTIONS, SPECS, LintItem, SectionSpec, spec
from arxiv_digest.storage import get_model
from servers.gemini_server import default_responder
from test_defects import DAY, published_post, run_day

ROOT = Path(__file__).resolve().parents[1]


def test_every_consumer_reads_the_registry() -> None:
    assert [s.name for s in SECTIONS] == ["summary", "overview", "methods", "conclusion"]
    assert {s.name: s.schema for s in SECTIONS} == SCHEMAS
    for s in SECTIONS:
        assert (ROOT / "include" / "prompts" / s.prompt).is_file()
        assert (ROOT / "include" / "templates" / s.template).is_file()
        assert s.source in sections.SOURCE_ROLES
        for language, labels in s.labels.items():
            assert all(LABELS[language][k] == v for k, v in labels.items())
        assert set(s.field_labels) <= set(s.schema.model_fields)
        assert s.grounded_numbers <= set(s.schema.model_fields)
        for item in s.items:
            assert ITEM_SECTION[item.number] == s.name and ITEM_FIELD[item.number] == item.field
            assert ITEM_LABELS[item.number] == item.aliases
    assert sorted(ITEM_SECTION) == list(range(1, 9))


def test_unknown_section_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="no review section named 'limits'; declared: summary, overview"):
        spec("limits")


class LimitationsContent(BaseModel):
    """A section added by a test: the paper's limitations."""

    limitations: list[str] = Field(min_length=2, max_length=4)


LIMITATIONS = SectionSpec(
    name="limitations", schema=LimitationsContent, source="conclusion", needs_pdf=True,
    items=(LintItem(9, "limitations", "limitations", r"局限|Limitations?"),),
    labels={"zh-CN": {"limitations": "Limitations"}, "en": {"limitations": "Limitations"}},
)
PROMPT = '''{# Version 1. A section added by a test: the paper's limitations. #}
{% include "_paper.j2" %}

Conclusion and experiments of the paper:
"""
{{ text }}
"""

Task: "limitations": 2 to 4 limitations the paper states, one sentence each.
{% include "_feedback.j2" %}
'''


def test_adding_a_section_is_one_spec_and_one_prompt(pipeline_env, gemini_server, bare_remote, tmp_path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    include = tmp_path / "include"
    shutil.copytree(ROOT / "include", include)
    (include / "prompts" / "limitations.j2").write_text(PROMPT, encoding="utf-8")  # the one prompt file
    monkeypatch.setenv("DIGEST_INCLUDE_DIR", str(include))
    monkeypatch.setattr(sections, "SECTIONS", (*SECTIONS, LIMITATIONS))  # the one spec
    monkeypatch.setattr(sections, "SPECS", {**SPECS, "limitations": LIMITATIONS})

    asked: list[str] = []

    def responder(call):  # type: ignore[no-untyped-def]
        if "limitations" in call["prompt_text"]:
            asked.append(call["prompt_text"])
        return default_responder(call)

    rt, topic, ids = run_day(gemini_server, responder)
    assert len(asked) == len(ids) == 2
    assert len(gemini_server.calls) == 2 * 5
    post = published_post(bare_remote)
    assert post.count("9. Limitations:") == 2
    for pid in ids:
        review = get_model(rt.state, rt.review_key(topic, DAY, pid), Review)
        section = review.sections["limitations"]
        assert section.ok and len(section.content["limitations"]) >= 2
        for text in section.content["limitations"]:
            assert f"- (1) {text}" in post or f") {text}" in post
    # it comes after item 8 and before the screenshots
    first = post.index("8. Conclusion:")
    assert first < post.index("9. Limitations:", first) < post.index("<details>", first)
