"""Download a paper's PDF safely, open it, and split its text into sections for the review prompts."""

from __future__ import annotations

import functools
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

import pymupdf
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .fetch import ArxivThrottle
from .redaction import redact

P = ParamSpec("P")
R = TypeVar("R")


class PaperError(Exception):
    """This paper cannot be used (bad PDF, missing, too large): recorded for the paper, the day goes on."""


class TransientError(Exception):
    """A fault worth retrying later (network, server 5xx): Airflow retries the task."""


def http_session(retries: int = 3, backoff: float = 2.0) -> requests.Session:
    """A session that retries connection errors and 429/5xx with exponential backoff, honouring Retry-After."""
    session = requests.Session()
    retry = Retry(
        total=retries,
        backoff_factor=backoff,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET", "HEAD"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.headers["User-Agent"] = "arxiv-digest (+https://github.com/arxiv-digest/arxiv-digest)"
    return session


def _redacted(fn: Callable[P, R]) -> Callable[P, R]:
    """Re-raise the paper's errors with any credentials (URL userinfo, tokens) blanked out of the message."""
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except (PaperError, TransientError) as exc:
            raise type(exc)(redact(exc)) from None
    return wrapper


@_redacted
def download_pdf(
    url: str,
    *,
    session: requests.Session,
    timeout: float,
    max_bytes: int,
    throttle: ArxivThrottle | None = None,
) -> bytes:
    """GET a PDF with a timeout and a size cap, and check it really is a PDF (messages never carry credentials)."""
    if throttle:
        throttle.wait()
    try:
        with session.get(url, timeout=timeout, stream=True) as resp:
            if resp.status_code in (404, 410):
                raise PaperError(f"PDF not found at {url} (HTTP {resp.status_code})")
            if resp.status_code >= 500 or resp.status_code == 429:
                raise TransientError(f"PDF server answered HTTP {resp.status_code} for {url}")
            if resp.status_code != 200:
                raise PaperError(f"PDF download from {url} answered HTTP {resp.status_code}")
            declared = int(resp.headers.get("Content-Length") or 0)
            if declared > max_bytes:
                raise PaperError(f"PDF at {url} is {declared} bytes, over the {max_bytes}-byte cap")
            chunks, size = [], 0
            for chunk in resp.iter_content(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise PaperError(f"PDF at {url} exceeds the {max_bytes}-byte cap (DIGEST_PDF_MAX_MB)")
                chunks.append(chunk)
    except requests.RequestException as exc:
        raise TransientError(f"PDF download from {url} failed: {exc.__class__.__name__}: {exc}") from exc
    finally:
        if throttle:
            throttle.mark()
    data = b"".join(chunks)
    if not data.lstrip()[:5].startswith(b"%PDF"):
        head = data[:60].decode("latin-1", "replace").strip()
        raise PaperError(f"{url} did not return a PDF (starts with {head!r}); arXiv may not have it yet")
    return data


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


_CODE_URL = re.compile(r"https?://(?:www\.)?(?:github\.com|gitlab\.com|huggingface\.co|bitbucket\.org)/"
                       r"[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+")


def code_links(*texts: str, limit: int = 3) -> list[str]:
    """Code repository URLs printed in the given texts, in order of appearance, without duplicates."""
    found: list[str] = []
    for text in texts:
        for m in _CODE_URL.finditer(text):
            url = m.group(0).rstrip(".")
            if url not in found:
                found.append(url)
    return found[:limit]
