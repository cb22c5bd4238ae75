"""Topic relevance gate: a paper that only mentions the topic in passing is not on topic.

arXiv's search matches any mention, so a LoRA paper whose abstract says "... and diffusion models" lands in a
diffusion digest. The gate keeps a paper when a topic phrase is in its title, in its abstract's opening
sentence, or repeated in the abstract; otherwise it records why the paper was excluded.
"""

from __future__ import annotations

import re

from .models import Paper
from .topics import Topic


def topic_phrases(topic: Topic) -> list[str]:
    """The phrases that define the topic: configured ones, else the quoted phrases of its query."""
    if topic.relevance_phrases is not None:
        return topic.relevance_phrases
    return sorted({p.lower() for p in re.findall(r'"([^"]+)"', topic.query)})


def _pattern(phrases: list[str]) -> re.Pattern[str]:
    """One regex for all phrases, each in singular or plural, spaces or hyphens between words."""
    alternatives = set()
    for phrase in phrases:
        words = [re.escape(w) for w in phrase.lower().split()]
        words[-1] = words[-1].removesuffix("s") + "s?"
        alternatives.add(r"[\s\-]+".join(words))
    return re.compile(r"\b(?:" + "|".join(sorted(alternatives)) + r")\b", re.I)


def why_off_topic(paper: Paper, topic: Topic) -> str | None:
    """None when the paper is on topic, else the reason it is excluded."""
    phrases = topic_phrases(topic)
    if not phrases:
        return None
    pattern = _pattern(phrases)
    if pattern.search(paper.title):
        return None
    opening_end = len(re.split(r"(?<=[.!?])\s", paper.summary, maxsplit=1)[0])
    mentions = [m for m in pattern.finditer(paper.summary) if not _listed(paper.summary, m.start())]
    if any(m.start() < opening_end for m in mentions) or len(mentions) >= topic.min_mentions:
        return None
    return (f"off topic: {' / '.join(phrases)} appears {len(mentions)} time(s) in the abstract outside lists, "
            f"not in the title or the opening sentence (min_mentions={topic.min_mentions})")


def relevance(paper: Paper, topic: Topic) -> tuple[int, int]:
    """How strongly a paper is about the topic: (title mentions it, abstract mentions outside lists); higher first."""
    phrases = topic_phrases(topic)
    if not phrases:
        return (0, 0)
    pattern = _pattern(phrases)
    mentions = [m for m in pattern.finditer(paper.summary) if not _listed(paper.summary, m.start())]
    return (1 if pattern.search(paper.title) else 0, len(mentions))


_LIST_TAIL = re.compile(r"(?:,|\band\b|\bor\b)\s+(?:[\w-]+\s+){0,2}$", re.I)


def _listed(text: str, start: int) -> bool:
    """True when the mention closes an enumeration ('language, multimodal, and diffusion models'): in passing."""
    before = text[max(0, start - 60):start]
    return bool(_LIST_TAIL.search(before)) and "," in before
