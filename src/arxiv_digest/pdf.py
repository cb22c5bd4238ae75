"""Download a paper's PDF safely, open it, and split its text into sections for the review prompts."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

import pymupdf

from .errors import PaperError, TransientError  # noqa: F401 - part of this module's interface
from .net import download_pdf, http_session  # noqa: F401 - part of this module's interface


def open_pdf(data: bytes, *, max_pages: int = 300) -> pymupdf.Document:
    """Open PDF bytes, refusing encrypted, empty, corrupt or oversized documents with a clear reason."""
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:
        raise PaperError(f"PDF cannot be opened: {exc}") from exc
    problem = (
        "not a PDF (an HTML page saved as .pdf?)" if not doc.is_pdf
        else "PDF is encrypted with a password; it cannot be read" if doc.needs_pass
        else "PDF has no pages" if doc.page_count == 0
        else f"PDF exceeds the {max_pages}-page limit (DIGEST_PDF_MAX_PAGES): it has {doc.page_count} pages"
        if doc.page_count > max_pages
        else None
    )
    if problem:
        doc.close()
        raise PaperError(problem)
    return doc


@dataclass(frozen=True)
class TextSection:
    """A heading and the text under it."""

    heading: str
    text: str
    level: int = 1


_NUMBERED = re.compile(r"^(?:\d+(?:\.\d+)*|[IVX]+|[A-H])\.?\s+\S")
_BACK_MATTER = re.compile(r"^(?:\d+\.?\s*)?(references|bibliography|acknowledg|appendix|supplementary)", re.I)


def _lines(doc: pymupdf.Document, max_pages: int) -> list[tuple[str, float, bool]]:
    out = []
    for page in doc.pages(0, min(doc.page_count, max_pages)):
        for block in page.get_text("dict", flags=pymupdf.TEXT_PRESERVE_WHITESPACE)["blocks"]:
            for line in block.get("lines", []):
                spans = [s for s in line["spans"] if s["text"].strip()]
                if not spans:
                    continue
                text = " ".join(" ".join(s["text"] for s in spans).split())
                size = max(s["size"] for s in spans)
                bold = all(s["flags"] & 16 or "bold" in s["font"].lower() for s in spans)
                out.append((text, size, bold))
    return out


def split_sections(doc: pymupdf.Document, *, max_pages: int = 40) -> list[TextSection]:
    """Sections found by typography (size, weight, numbering), not by a list of names; back matter dropped."""
    lines = _lines(doc, max_pages)
    if not lines:
        return []
    body = statistics.mode(round(size, 1) for _, size, _ in lines)
    sections: list[TextSection] = [TextSection("", "")]
    buf: list[str] = []
    for text, size, bold in lines:
        short = len(text) <= 80 and not text.endswith((".", ",", ";"))
        bigger = size >= body + 0.9
        heading = short and (bigger or (bold and bool(_NUMBERED.match(text)))) and len(text.split()) <= 12
        if heading and any(c.isalpha() for c in text):
            sections[-1] = TextSection(sections[-1].heading, " ".join(buf).strip())
            buf = []
            if _BACK_MATTER.match(text):
                break
            sections.append(TextSection(text, ""))
        else:
            buf.append(text)
    else:
        sections[-1] = TextSection(sections[-1].heading, " ".join(buf).strip())
    return [s for s in sections if s.text]


def clip_text(text: str, max_chars: int) -> str:
    """Cut ``text`` to at most ``max_chars`` at a sentence boundary (never mid-word)."""
    text = " ".join(text.split())
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars + 1]  # one extra char, so a ". " ending exactly at the limit is still seen
    end = max([cut.rfind(sep) for sep in (". ", "! ", "? ")] + [cut.rfind("。", 0, max_chars)])
    if end > max_chars // 2:
        return cut[: end + 1]
    cut = cut[:max_chars]
    return cut[: cut.rfind(" ")] if " " in cut else cut


_ROLES = {
    "intro": re.compile(r"introduction|background|motivation", re.I),
    "method": re.compile(
        r"method|approach|model|framework|architecture|algorithm|proposed|our|design|formulation|preliminar",
        re.I,
    ),
    "experiments": re.compile(r"experiment|evaluation|result|benchmark|ablation|analysis", re.I),
    "conclusion": re.compile(r"conclusion|discussion|summary|future work|limitation", re.I),
}


def sections_for(sections: list[TextSection], role: str, max_chars: int) -> str:
    """The text of the sections whose headings play ``role``, within a character budget."""
    pattern = _ROLES[role]
    picked = [f"## {s.heading}\n{s.text}" for s in sections if s.heading and pattern.search(s.heading)]
    return clip_text("\n".join(picked), max_chars) if picked else ""


def first_pages_text(doc: pymupdf.Document, *, pages: int = 2, max_chars: int = 12000) -> str:
    """The opening pages' text (title block, abstract, introduction)."""
    text = " ".join(doc[i].get_text("text") for i in range(min(pages, doc.page_count)))
    return clip_text(text, max_chars)
