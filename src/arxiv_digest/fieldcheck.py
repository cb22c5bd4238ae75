"""Field-level checks shared by generation (a finding re-asks) and ``digest lint``: keywords, the translated title,
the affiliation, numbers against the section's own source, echoed labels and sentences repeated across sections."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from .models import Finding
from .sections import SectionSpec
from .validate import (
    CJK,
    SPAN_CHARS,
    URL,
    _squash,  # the form names and terms are compared in
    distinctive_terms,
)

KEYWORDS_MIN, KEYWORDS_MAX = 3, 8
# Length of the translated title per character of the original, a CJK character counting CJK_WEIGHT: outside these
# bounds the "translation" is a fragment or a different text.
TITLE_RATIO = {"zh-CN": (0.4, 3.0), "en": (0.3, 2.0)}
CJK_WEIGHT = 2.5  # Latin characters one Chinese character stands for, roughly, in a translated title
# An affiliation item may say the first page does not state one.
NOT_STATED = re.compile(r"未(?:注明|说明|给出|列出|提及|标注)|不详|not (?:stated|given|listed|specified)", re.I)
_STOP = frozenset(["of", "the", "and", "for", "at", "in", "on", "de", "la", "du", "des", "und", "der", "a", "an"])
# A number in a result or step: a decimal, a percentage, or two or more digits (single digits count steps, not data).
NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s*%)?(?![\w.]*\d)")
_SENTENCE_END = re.compile(r"[。！？!?]|\.\s*$|\.\s+\S")
# Words of a statement about a paper, not of its title: a completed action, the paper or its authors as subject.
_STATEMENT = re.compile(r"(?<!为)了|本文|我们|作者|结果表明|实验(?:部分|结果)|的有效性|\b(?:we|this paper|our)\b", re.I)


def _fold(text: str) -> str:
    """Case- and width-insensitive form of a keyword: NFKC, case-folded, without spaces and punctuation."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


def _finding(section: str, code: str, message: str, span: str = "") -> Finding:
    return Finding(code=code, section=section, message=message, span=span[:SPAN_CHARS])


def check_keywords(section: str, keywords: list[str], *, topic: str = "") -> list[Finding]:
    """KEYWORDS: 3-8 keywords, distinct ignoring case and width, none of them the topic name alone."""
    out = []
    if not KEYWORDS_MIN <= len(keywords) <= KEYWORDS_MAX:
        out.append(_finding(section, "KEYWORDS", f"{len(keywords)} keywords; give {KEYWORDS_MIN} to {KEYWORDS_MAX}"))
    seen: dict[str, str] = {}
    for k in keywords:
        folded = _fold(k)
        if folded in seen:
            out.append(_finding(section, "KEYWORDS", f"keyword {k!r} repeats {seen[folded]!r}; give distinct "
                                "keywords", k))
            break
        seen[folded] = k
    names = {_fold(topic), _fold(re.sub(r"s$", "", topic.strip()))} - {""}
    for k in keywords:
        if _fold(k) in names:
            out.append(_finding(section, "KEYWORDS", f"keyword {k!r} is only the topic's name; name what is "
                                "specific to this paper", k))
            break
    return out


def _title_tokens(title: str) -> list[str]:
    """What a translation must keep: method and dataset names, acronyms, and numbers."""
    tokens = [t for t, _ in distinctive_terms(title)]
    tokens += [n for n in re.findall(r"\d+(?:\.\d+)?", title) if not any(n in t for t in tokens)]
    return tokens


def check_title(section: str, translation: str, title: str, *, language: str) -> list[Finding]:
    """TITLE: the translated title keeps the title's names, acronyms and numbers, is one phrase, and has a sane
    length for a translation of that title."""
    text = " ".join(translation.split())
    if not text or not title.strip():
        return []
    out = []
    squashed = _squash(text)
    missing = [t for t in _title_tokens(title) if _squash(t) not in squashed]
    if missing:
        out.append(_finding(section, "TITLE", f"the translated title drops {', '.join(missing)} from the title "
                            f"({title}); keep names, acronyms and numbers as printed", missing[0]))
    squashed_title = _squash(title)
    alien = [t for t, parts in distinctive_terms(text)
             if not all(_squash(p) in squashed_title for p in parts)]
    if alien:
        out.append(_finding(section, "TITLE", f"the translated title names {', '.join(alien)}, which the title "
                            "does not", alien[0]))
    question = "?" in title  # a title that asks keeps its question mark in translation
    body = re.sub(r"[?？]", "", text) if question else text
    if _SENTENCE_END.search(body.rstrip("。.")) or body.endswith("。") or (
            _STATEMENT.search(text) and not _STATEMENT.search(title)):
        out.append(_finding(section, "TITLE", "the translated title is a statement about the paper, not its title "
                            "translated", text))
    low, high = TITLE_RATIO.get(language, TITLE_RATIO["en"])
    cjk = len(CJK.findall(text))
    ratio = (len(text) - cjk + CJK_WEIGHT * cjk) / len(title)
    if not low <= ratio <= high:
        out.append(_finding(section, "TITLE", f"the translated title is {len(text)} characters for a title of "
                            f"{len(title)}; translate the whole title", text))
    return out


def check_affiliation(section: str, affiliation: str, first_page: str) -> list[Finding]:
    """AFFILIATION: the institution's printed name is on the paper's first page, or the item says it is not stated.

    A translation alone cannot be checked against the page, so the printed name must be given (a translation may
    sit beside it)."""
    text = " ".join(affiliation.split())
    if not first_page.strip() or NOT_STATED.search(text):
        return []
    page_words = set(re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKD", first_page).lower()))
    page_cjk = "".join(CJK.findall(first_page))
    latin_parts = [p for p in re.split(r"[,;，；、/()（）]|\band\b|和|与", text) if re.search(r"[A-Za-z]{2,}", p)]
    cjk_parts = [c for c in re.split(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+", text) if len(c) >= 2]
    found_latin = []
    for part in latin_parts:
        words = [w for w in re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKD", part).lower()) if w not in _STOP]
        found_latin.append(bool(words) and sum(w in page_words for w in words) >= 0.8 * len(words))
    if latin_parts and all(found_latin):
        return []
    if not latin_parts and cjk_parts and page_cjk and all(c in page_cjk for c in cjk_parts):
        return []
    if not latin_parts and cjk_parts and not page_cjk:
        return [_finding(section, "AFFILIATION", f"the affiliation {text!r} is not printed on the first page; give "
                         "the institution's name as printed there, or say it is not stated", text)]
    return [_finding(section, "AFFILIATION", f"the affiliation {text!r} is not on the paper's first page; copy "
                     "the first author's institution as printed, or say it is not stated", text)]


def check_numbers(section: str, path: str, text: str, source: str) -> list[Finding]:
    """UNGROUNDED: a number (a decimal, a percentage, two or more digits) the section's source text does not print."""
    out = []
    plain = source.replace(",", "")
    for m in NUMBER.finditer(URL.sub(" ", text)):
        number = m.group(1).replace(",", "")
        if "." not in number and len(number) < 2:
            continue
        if re.search(rf"(?<![\d.]){re.escape(number)}(?!\d|\.\d)", plain):
            continue
        out.append(_finding(section, "UNGROUNDED", f"field '{path}' gives the number {m.group(0).strip()}, which "
                            "the text it was written from does not contain", m.group(0).strip()))
        break
    return out


def label_pattern(spec: SectionSpec, field: str) -> re.Pattern[str] | None:
    """The template's label for ``field`` in any language, as a model copies it at the start of the value."""
    key = spec.field_labels.get(field)
    if key is None:
        return None
    names = {labels[key] for labels in spec.labels.values() if key in labels}
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"^\s*(?:[（(]?\d{{1,2}}[)）.]?\s*)?(?:\*\*)?(?:{alternatives})(?:\*\*)?\s*[:：]\s*", re.I)


def strip_echoed_labels(spec: SectionSpec, content: dict[str, Any]) -> dict[str, Any]:
    """The content with any leading copy of the template's own label removed from each labelled field."""
    out = dict(content)
    for field, value in content.items():
        pattern = label_pattern(spec, field)
        if pattern is None or not isinstance(value, str):
            continue
        stripped = value
        while (m := pattern.match(stripped)) and stripped[m.end():].strip():
            stripped = stripped[m.end():]
        out[field] = stripped
    return out


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[。！？!?；;：])|(?<=[.:])\s", URL.sub(" ", text))
    return [s.strip() for s in parts if len(s.strip()) >= 12]


def _strings(value: Any, path: str) -> Iterable[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{path}[{i}]")


def cross_repeats(section: str, content: Mapping[str, Any], earlier: Mapping[str, Mapping[str, Any]]) -> list[Finding]:
    """DEGENERATE: a sentence of this section that an earlier section already says word for word."""
    seen: dict[str, str] = {}
    for name, other in earlier.items():
        for field, value in other.items():
            for path, text in _strings(value, field):
                for s in _sentences(text):
                    seen.setdefault(re.sub(r"\W+", "", s), f"'{path}' in section {name}")
    for field, value in content.items():
        for path, text in _strings(value, field):
            for s in _sentences(text):
                if (where := seen.get(re.sub(r"\W+", "", s))) is not None:
                    return [_finding(section, "DEGENERATE", f"field '{path}' repeats {where} word for word; say "
                                     "something this section adds", s)]
    return []


def check_fields(spec: SectionSpec, content: Mapping[str, Any], *, language: str, title: str, topic: str = "",
                 first_page: str = "", source: str = "") -> list[Finding]:
    """Every field check that applies to ``spec``'s fields (generation passes the whole answer; lint what it found)."""
    out: list[Finding] = []
    name = spec.name
    if spec.keywords_field and isinstance(kw := content.get(spec.keywords_field), list):
        out += check_keywords(name, [str(k) for k in kw], topic=topic)
    if spec.title_field and isinstance(t := content.get(spec.title_field), str):
        out += check_title(name, t, title, language=language)
    if spec.affiliation_field and isinstance(a := content.get(spec.affiliation_field), str) and first_page:
        out += check_affiliation(name, a, first_page)
    if source.strip():
        for field in sorted(spec.grounded_numbers):
            for path, text in _strings(content.get(field), field):
                found = check_numbers(name, path, text, source)
                out += found
                if found:
                    break
    return out

