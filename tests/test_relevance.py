"""Relevance gate: passing mentions of the topic do not put a paper in the digest."""

from __future__ import annotations

import pytest

from arxiv_digest.relevance import topic_phrases, why_off_topic
from arxiv_digest.topics import Topic

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
