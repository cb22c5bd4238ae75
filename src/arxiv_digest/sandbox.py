"""Run PyMuPDF work in a child process that can be stopped: memory cap, wall clock per paper and per page.

MuPDF runs in C and cannot be interrupted from Python, so a hostile PDF (nested form XObjects, image bombs) is
parsed in a spawned child with ``RLIMIT_AS`` set; the parent kills it when the paper or one page takes too long.
The child reports the page it is on through shared memory each time the job touches a page.
"""

from __future__ import annotations

import multiprocessing
import re
import resource
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.sharedctypes import Synchronized
from typing import Any, TypeVar

import pymupdf

from .pdf import PaperError, TextSection, first_pages_text, open_pdf, split_sections

T = TypeVar("T")
_SPAWN = multiprocessing.get_context("spawn")  # never fork a process that holds Airflow's or MuPDF's state
_STARTING = threading.Lock()  # one child start at a time: it edits process-wide flags for a moment


class PdfLimitError(PaperError):
    """A PDF went over one of the parse limits: that paper's error ("PDF exceeds <limit>: ...")."""

    def __init__(self, limit: str, detail: str | None = None):
        super().__init__(limit if detail is None else f"PDF exceeds {limit}: {detail}")


@dataclass(frozen=True)
class PdfLimits:
    """The hard limits every PDF parse runs under (settings DIGEST_PDF_*)."""

    memory_mb: int = 768
    paper_seconds: float = 25.0
    page_seconds: float = 10.0
    max_pages: int = 300
    max_text_mb: float = 4.0

    @classmethod
    def from_settings(cls, s: Any) -> PdfLimits:
        return cls(s.pdf_memory_mb, s.pdf_timeout, s.pdf_page_timeout, s.pdf_max_pages, s.pdf_max_text_mb)

    @property
    def max_text_chars(self) -> int:
        return int(self.max_text_mb * 1_000_000)


# In the child: the shared (page, started-at) pair the parent watches. None in the parent (no watchdog).
_BEAT: tuple[Synchronized[int], Synchronized[float]] | None = None


def _beat(page: int) -> None:
    if _BEAT is not None:
        _BEAT[1].value = time.monotonic()  # CLOCK_MONOTONIC is system-wide: comparable with the parent's
        _BEAT[0].value = page


class WatchedDocument:
    """A pymupdf.Document whose page accesses are reported to the watchdog, so one slow page can be stopped."""

    def __init__(self, doc: pymupdf.Document):
        self._doc = doc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._doc, name)

    def __getitem__(self, index: int) -> pymupdf.Page:
        _beat(index if index >= 0 else self._doc.page_count + index)
        return self._doc[index]

    def __len__(self) -> int:
        return int(self._doc.page_count)

    def __iter__(self) -> Iterator[pymupdf.Page]:
        return self.pages()

    def pages(self, start: int | None = None, stop: int | None = None, step: int | None = None) -> Iterator[Any]:
        for i in range(*slice(start, stop, step).indices(self._doc.page_count)):
            yield self[i]


_OUT_OF_MEMORY = re.compile(r"\b(?:m|c|re)alloc\b|out of memory", re.I)


def _child(conn: Any, beat: tuple[Any, Any], memory_mb: int, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    global _BEAT
    _BEAT = beat
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))  # soft cap: lifted again to report a failure
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        reply: tuple[str, Any] = ("ok", fn(*args))
    except MemoryError:
        reply = ("memory", "")
    except PdfLimitError as exc:
        reply = ("limit", str(exc))
    except PaperError as exc:
        reply = ("paper", str(exc))
    except Exception as exc:  # noqa: BLE001 - any failure inside MuPDF is this paper's problem
        text = f"{exc.__class__.__name__}: {exc}"
        reply = ("memory" if _OUT_OF_MEMORY.search(text) else "paper", text)
    if reply[0] != "ok":
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
    try:
        conn.send(reply)
    except Exception as exc:  # noqa: BLE001 - e.g. the result does not fit in memory: the parent reports the limit
        print(f"PDF parser could not report its result: {type(exc).__name__}", file=sys.stderr)
    finally:
        conn.close()


@contextmanager
def _main_not_reimported() -> Iterator[None]:
    """A spawned child re-imports the parent's ``__main__`` (under Airflow: the whole CLI, seconds per child).

    The jobs live in importable modules, so the main module is hidden while the child's start data is taken.
    A Celery worker's process is daemonic, and multiprocessing refuses children to those; the sandbox always
    kills and joins its child, so the flag is lifted while the child starts. Threads start children one at a time.
    """
    with _STARTING:
        main = sys.modules.get("__main__")
        saved: dict[str, Any] = {k: main.__dict__[k] for k in ("__file__", "__spec__") if main and k in main.__dict__}
        me = multiprocessing.current_process()
        daemon = me._config.get("daemon")  # type: ignore[attr-defined]
        authkey = me._config.get("authkey")  # type: ignore[attr-defined]
        try:
            me._config.pop("daemon", None)  # type: ignore[attr-defined]
            if authkey is not None:  # a Celery (billiard) parent's key type refuses the spawn pickler
                me._config["authkey"] = multiprocessing.process.AuthenticationString(bytes(authkey))  # type: ignore[attr-defined]
            if main is not None:
                main.__dict__.pop("__file__", None)
                main.__dict__["__spec__"] = None
            yield
        finally:
            if daemon is not None:
                me._config["daemon"] = daemon  # type: ignore[attr-defined]
            if authkey is not None:
                me._config["authkey"] = authkey  # type: ignore[attr-defined]
            if main is not None:
                main.__dict__.update(saved)
                if "__spec__" not in saved:
                    main.__dict__.pop("__spec__", None)


def run_limited(fn: Callable[..., T], *args: Any, limits: PdfLimits, what: str = "PDF") -> T:
    """``fn(*args)`` in a child process under ``limits``; over a limit (or a crash) raises a PaperError."""
    receiver, sender = _SPAWN.Pipe(duplex=False)
    beat = (_SPAWN.Value("i", -1, lock=False), _SPAWN.Value("d", time.monotonic(), lock=False))
    proc = _SPAWN.Process(target=_child, args=(sender, beat, limits.memory_mb, fn, args), daemon=True)
    proc.authkey = bytes(proc.authkey)  # the same for the key the child's Process copied from its parent
    start = time.monotonic()
    with _main_not_reimported():
        proc.start()
    sender.close()
    try:
        while not receiver.poll(0.05):
            now = time.monotonic()
            if not proc.is_alive() and not receiver.poll(0):
                proc.join()
                if proc.exitcode is not None and proc.exitcode < 0:
                    raise PaperError(f"the PDF parser crashed on {what} (signal {-proc.exitcode})")
                raise PdfLimitError(f"DIGEST_PDF_MEMORY_MB ({limits.memory_mb} MB)",
                                    f"the parser of {what} ran out of memory; raise the limit or skip this paper")
            if now - start > limits.paper_seconds:
                raise PdfLimitError(f"DIGEST_PDF_TIMEOUT ({limits.paper_seconds:g} s per paper)",
                                    f"{what} was still being parsed after {now - start:.0f} s")
            page, since = beat[0].value, beat[1].value
            if page >= 0 and now - since > limits.page_seconds:
                raise PdfLimitError(f"DIGEST_PDF_PAGE_TIMEOUT ({limits.page_seconds:g} s per page)",
                                    f"page {page + 1} of {what} took over {limits.page_seconds:g} s")
        try:
            status, value = receiver.recv()
        except EOFError:
            status, value = "memory", ""
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        receiver.close()
    if status == "memory":
        raise PdfLimitError(f"DIGEST_PDF_MEMORY_MB ({limits.memory_mb} MB)",
                            f"the parser of {what} ran out of memory {value}".strip())
    if status == "limit":
        raise PdfLimitError(value)
    if status == "paper":
        raise PaperError(value)
    return value


# ---- jobs run in the child (top-level functions, so they pickle) ------------------------------------------
def open_watched(data: bytes, limits: PdfLimits) -> WatchedDocument:
    """Open PDF bytes under the page-count cap, as a document the watchdog sees page by page."""
    doc = open_pdf(data, max_pages=limits.max_pages)
    return WatchedDocument(doc)


def check_job(data: bytes, limits: PdfLimits) -> int:
    """Open the PDF and touch its first page: the page count of a usable PDF."""
    doc = open_watched(data, limits)
    doc[0].bound()
    return len(doc)


TEXT_VERSION = "1"  # bump when text_job or what it calls reads PDFs differently: cached texts are read again


@dataclass(frozen=True)
class PdfText:
    """What the review needs from a PDF: its sections, opening pages, full text, first page and own links."""

    sections: list[TextSection]
    opening: str
    full: str
    first_page: str
    links: list[str]


def text_job(data: bytes, limits: PdfLimits, opening_chars: int) -> PdfText:
    """Sections, opening text, full text and the paper's own links, refusing text beyond ``limits.max_text_chars``."""
    from .provenance import pdf_own_links

    doc: Any = open_watched(data, limits)
    parts, size = [], 0
    for page in doc.pages():
        text = page.get_text("text")
        size += len(text)
        if size > limits.max_text_chars:
            raise PdfLimitError(f"DIGEST_PDF_MAX_TEXT_MB ({limits.max_text_mb:g} MB of text)",
                                f"{size:,} characters by page {page.number + 1}")
        parts.append(text)
    return PdfText(split_sections(doc), first_pages_text(doc, max_chars=opening_chars), " ".join(parts),
                   parts[0] if parts else "", pdf_own_links(doc))


def figures_job(data: bytes, limits: PdfLimits, options: dict[str, Any]) -> list[Any]:
    """figures.extract on a watched document; its own soft time limit ends the search before the hard one."""
    from . import figures

    doc: Any = open_watched(data, limits)
    return figures.extract(doc, time_limit=limits.paper_seconds * 0.6, **options)
