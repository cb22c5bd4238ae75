"""HTTP to arXiv: the shared request spacing and the PDF download helpers (fetch.py and pdf.py both use them)."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .errors import PaperError, TransientError
from .redaction import redact
from .storage import Storage

P = ParamSpec("P")
R = TypeVar("R")


class ArxivThrottle:
    """Keeps arXiv traffic to one request per ``interval`` seconds across tasks, via a timestamp in shared state.

    The Airflow pool (one slot) serialises the tasks; this spaces their requests even across workers.
    """

    KEY = "arxiv/last-request"

    def __init__(self, store: Storage, interval: float, clock: Callable[[], float] = time.time):
        self.store, self.interval, self.clock = store, interval, clock

    def wait(self) -> None:
        if self.interval <= 0 or not self.store.exists(self.KEY):
            return
        last = float(self.store.get(self.KEY).decode() or 0)
        remaining = last + self.interval - self.clock()
        if remaining > 0:
            time.sleep(min(remaining, self.interval))

    def mark(self) -> None:
        self.store.put(self.KEY, f"{self.clock():.3f}".encode(), "text/plain")


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
