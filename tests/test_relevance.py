"""Relevance gate: passing mentions of the topic do not put a paper in the digest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from arxiv_digest.relevance import topic_phrases, why_off_topic
from arxiv_digest.topics import Topic, load_topics

ROOT = Path(__file__).resolve().parents[1]

TOPIC = Topic(name="Diffusion Models", query='ti:"diffusion model" OR abs:"diffusion models"', categories=["cs.CV"])


def with_text(paper, title: str, summary: str):  # type: ignore[no-untyped-def]
    return paper.model_copy(update={"title": title, "summary": summary})


def test_phrases_come_from_the_query_unless_configured():
    assert topic_phrases(TOPIC) == ["diffusion model", "diffusion models"]
    assert topic_phrases(TOPIC.model_copy(update={"relevance_phrases": ["score matching"]})) == ["score matching"]
    assert topic_phrases(TOPIC.model_copy(update={"relevance_phrases": []})) == []


@pytest.mark.parametrize(("title", "summary"), [
    ("Faster Diffusion Models", "We speed up sampling."),
    ("Lattice Denoisers", "Diffusion models are slow to sample. We fix that."),
    ("Lattice Denoisers", "We study sampling. A diffusion model is slow; our diffusion-model sampler is fast."),
], ids=["title", "opening-sentence", "two-mentions"])
def test_on_topic(paper, title, summary):
    assert why_off_topic(with_text(paper, title, summary), TOPIC) is None


def test_a_passing_mention_is_off_topic_and_says_why(paper):
    lora = with_text(paper, "Mixed Subspaces for Low-Rank Adapters",
                     "We improve low-rank adaptation of language models. It also helps vision models and diffusion "
                     "models in our experiments.")
    reason = why_off_topic(lora, TOPIC)
    assert reason is not None and "1 time(s)" in reason and "min_mentions=2" in reason


def test_gate_off_keeps_everything(paper):
    off = TOPIC.model_copy(update={"relevance_phrases": []})
    assert why_off_topic(with_text(paper, "Graph Coloring", "Combinatorics."), off) is None


def test_a_mention_closing_a_list_in_the_opening_sentence_is_in_passing(paper):
    adapter = with_text(paper, "Subspace Mixing for Adapters",
                        "We propose an adapter that suits language, speech, and diffusion models alike. It mixes "
                        "subspaces of low-rank updates.")
    assert why_off_topic(adapter, TOPIC) is not None
    core = with_text(paper, "Subspace Mixing", "We propose a sampler for diffusion models. It mixes subspaces.")
    assert why_off_topic(core, TOPIC) is None


EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="the reference posts in ../shared/examples are not here")
def test_reference_posts_off_topic_papers(paper):
    """The shipped topic's gate on the reference blog's papers (titles and abstracts only)."""
    topic = load_topics(ROOT / "include" / "topics.yaml")[0]
    excluded = {}
    for post in sorted(EXAMPLES.glob("*.md")):
        papers = re.split(r"\n## ", post.read_text(encoding="utf-8"))[1:]
        for block in papers:
            lines = block.splitlines()
            authors = next(i for i, line in enumerate(lines) if line.startswith("**Authors"))
            pdf = next(i for i, line in enumerate(lines) if line.startswith("[PDF]"))
            abstract = " ".join(line.strip() for line in lines[authors + 1:pdf] if line.strip())
            title = " ".join(lines[0].split())
            if why_off_topic(with_text(paper, title, abstract), topic):
                excluded.setdefault(post.name[:10], []).append(title)
    assert len(excluded["2024-01-24"]) == 9  # of 16; none is about diffusion models
    assert any(t.startswith("Mixture-of-Subspaces") for t in excluded["2024-06-20"])
    assert not any("Diffusion" in t for titles in excluded.values() for t in titles)
