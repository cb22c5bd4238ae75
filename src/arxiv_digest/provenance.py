"""The paper's own code and project links: from its abstract, its arXiv comment and the PDF's own parts only.

A paper cites other repositories all the time (baselines, datasets, libraries) in its related work, its experiments
and its references. Only the places where a paper presents itself are read: the arXiv abstract and comment, then the
PDF's title block and abstract (everything before the first section), footnotes (on the first page any; later only
those that say the code is the authors'), sentences that say the code or project page is available at an
address, outside related-work sections and without a citation, and a journal's "Data/Code Availability" statement.
References and bibliography are never read.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from typing import Any

LIMIT = 3
CODE_URL = re.compile(
    r"https?://(?:www\.)?(?:(?:github\.com|gitlab\.com|huggingface\.co|bitbucket\.org)/[A-Za-z0-9_.\-]+"
    r"/[A-Za-z0-9_.\-]+|[A-Za-z0-9\-]+\.github\.io(?:/[A-Za-z0-9_.\-~]+)*)",
)
_HOSTS_ONLY = re.compile(r"https?://(?:www\.)?(?:github\.com|gitlab\.com|huggingface\.co|bitbucket\.org)/?$")
# Words that say a link is the paper's own.
OWN = re.compile(r"\b(?:our|we|this (?:paper|work|project))\b|project (?:page|website)|homepage", re.I)
AVAILABLE = re.compile(
    r"\b(?:code|codes|implementation|software|tool(?:kit)?s?|library|package|project page|project website|website"
    r"|models?|weights|data(?:set)?s?|demo)\b"
    r"[^.]{0,80}?\b(?:is|are|will be|has been|have been|can be)\s+(?:made\s+)?(?:publicly\s+|freely\s+)?"
    r"(?:available|released|accessible|found|hosted|open[- ]?sourced)"
    r"|\b(?:we|our)\b[^.]{0,60}?\b(?:release|open[- ]?source|publish)"
    r"|^\s*(?:code|project page|project|website|homepage)\s*:",
    re.I,
)
CITATION = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]|\([A-Z][A-Za-z\-]+(?: et al\.)?,? \d{4}[a-z]?\)")
FIRST_SECTION = re.compile(r"^\s*(?:1\.?|I\.)?\s*Introduction\s*$", re.I | re.M)
BACK_MATTER = re.compile(r"^\s*(?:[\dA-Z]+\.?\s*)?(?:References|Bibliography|Acknowledge?ments?|Appendix)\s*$",
                         re.I | re.M)
RELATED = re.compile(r"related work|prior work|previous work|literature|background", re.I)
HEADING = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[IVX]+\.)\s+[A-Z][^\n]{2,60}$|^\s*(?:Abstract|Introduction|"
                     r"Related Work|Conclusions?|Method|Experiments?)\s*$", re.M)
FRONT_CHARS = 2500  # without an Introduction heading, the front matter is this much of the first page
AVAILABILITY_STATEMENT = re.compile(r"(?:Data|Code|Software)(?: and (?:Code|Data|Software))? Availability", re.I)
STATEMENT_CHARS = 600  # how much of a "Data Availability" statement is read
FOOT_ZONE = 0.55  # footnotes sit in the lower part of a page: below this share of its height (ACM starts at ~0.7)
FOOTNOTE_MARK = re.compile(r"(?<=[A-Za-z)\]])(\d{1,2})(?=[\s.,;:]|$)")


def _join_broken(text: str) -> str:
    """Undo line breaks inside URLs (PDF text breaks long addresses after a slash, a hyphen or an underscore; a
    break after a dot is a sentence's end as often as not)."""
    return re.sub(r"(https?://\S*[/_\-])\s*\n\s*(?=[A-Za-z0-9])", r"\1", text)


def links_in(text: str) -> list[str]:
    """Code-host and project-page URLs in ``text``, in order, without trailing punctuation or duplicates."""
    out: list[str] = []
    for m in CODE_URL.finditer(_join_broken(text)):
        url = m.group(0).rstrip(".,;:)")
        if url.endswith(".git"):
            url = url[:-4]
        if not _HOSTS_ONLY.match(url) and url not in out:
            out.append(url)
    return out


def _sentences(text: str) -> Iterable[str]:
    flat = " ".join(_join_broken(text).split())
    return re.split(r"(?<=[.!?])\s+(?=[A-Z\[(])|(?<=\.)\s*(?=https?://)\s*(?!\S)", flat)


def _body_size(doc: Any, pages: int) -> float:
    sizes = [round(s["size"], 1) for page in doc.pages(0, pages) for b in page.get_text("dict")["blocks"]
             for ln in b.get("lines", []) for s in ln["spans"] if s["text"].strip()]
    return statistics.mode(sizes) if sizes else 10.0


def _footnotes(doc: Any, last_page: int, body: float) -> list[tuple[int, str]]:
    """(page, text) of small-type lines in the bottom quarter of each page before the references."""
    out = []
    for index in range(last_page + 1):
        page = doc[index]
        bottom = page.rect.height * FOOT_ZONE
        lines = []
        for b in page.get_text("dict")["blocks"]:
            for ln in b.get("lines", []):
                spans = [s for s in ln["spans"] if s["text"].strip()]
                if spans and ln["bbox"][1] >= bottom and max(s["size"] for s in spans) <= body - 0.9:
                    lines.append("".join(s["text"] for s in spans))
        if lines:
            out.append((index, "\n".join(lines)))
    return out


def _annotation_links(page: Any, top: float | None, bottom: float | None) -> list[str]:
    """URI link annotations above ``top`` (the front matter) or below ``bottom`` (footnotes) of a page."""
    out = []
    for link in page.get_links():
        uri = link.get("uri") or ""
        rect = link.get("from")
        if not uri or rect is None:
            continue
        if (top is not None and rect.y1 <= top) or (bottom is not None and rect.y0 >= bottom):
            out.extend(links_in(uri))
    return out


def pdf_own_links(doc: Any) -> list[str]:
    """The PDF's own links: title block and abstract, footnotes, then "code is available at" sentences."""
    pages = [doc[i].get_text("text") for i in range(doc.page_count)]
    last = len(pages) - 1
    for i, text in enumerate(pages):
        if BACK_MATTER.search(text):
            last = i
            break
    if not pages:
        return []
    first = pages[0]
    intro = FIRST_SECTION.search(first)
    front = first[: intro.start()] if intro else first[:FRONT_CHARS]
    found = links_in(front)
    intro_y = None
    if intro:
        hits = doc[0].search_for(intro.group(0).strip())
        intro_y = hits[0].y0 if hits else None
    body = _body_size(doc, min(doc.page_count, 3))
    notes = _footnotes(doc, last, body)
    found += _annotation_links(doc[0], intro_y, None)
    for index, note in notes:
        if index == 0 or OWN.search(note) or AVAILABLE.search(note):
            found += links_in(note)
            found += _annotation_links(doc[index], None, doc[index].rect.height * FOOT_ZONE)
    found += _availability_links(pages, last)
    for m in AVAILABILITY_STATEMENT.finditer("\n".join(pages)):  # journals' own declaration, often after references
        found += links_in("\n".join(pages)[m.end(): m.end() + STATEMENT_CHARS])
    return list(dict.fromkeys(found))


def _availability_links(pages: list[str], last: int) -> list[str]:
    """Links in sentences that say the code or project page is available, outside related work and references."""
    text = "\n".join(pages[: last + 1])
    if (m := BACK_MATTER.search(text)) is not None:
        text = text[: m.start()]
    out: list[str] = []
    chunks = re.split(f"({HEADING.pattern})", text, flags=re.M)
    related = False
    for chunk in chunks:
        if chunk and HEADING.fullmatch(chunk.strip() if chunk.strip() else "-"):
            related = bool(RELATED.search(chunk))
            continue
        if related or not chunk:
            continue
        for sentence in _sentences(chunk):
            if not AVAILABLE.search(sentence) or (CITATION.search(sentence) and not OWN.search(sentence)):
                continue
            if CODE_URL.search(sentence):
                out.extend(links_in(sentence))
            elif OWN.search(sentence):  # "Our software is available as part of cdec¹": the link is in footnote 1
                for mark in FOOTNOTE_MARK.findall(sentence):
                    note = re.search(rf"(?m)^\s*{mark}\s*(https?://[^\s]+(?:\n[^\s]+)?)", text)
                    if note:
                        out.extend(links_in(note.group(1)))
    return out


def own_links(paper: Any, doc: Any | None = None, limit: int = LIMIT, *, pdf_links: list[str] | None = None
              ) -> list[str]:
    """The paper's code and project links: abstract, arXiv comment, then the PDF's own parts; at most ``limit``.

    ``pdf_links`` is ``pdf_own_links`` already computed (in the PDF sandbox) when the caller holds no document."""
    found = links_in(paper.summary) + links_in(paper.comment or "")
    if doc is not None:
        found += pdf_own_links(doc)
    found += pdf_links or []
    return list(dict.fromkeys(found))[:limit]
