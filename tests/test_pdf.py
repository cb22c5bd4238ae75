"""Downloading PDFs from a real local HTTP server, opening them safely, and splitting their text into sections."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pymupdf
import pytest
import requests

from arxiv_digest.fetch import ArxivThrottle
from arxiv_digest.pdf import (
    PaperError,
    TextSection,
    TransientError,
    clip_text,
    download_pdf,
    first_pages_text,
    http_session,
    open_pdf,
    sections_for,
    split_sections,
)
from arxiv_digest.storage import LocalStorage
from pdfgen import make_paper

CAP = 100_000


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/pdf"
    content_length: bool = True  # False: no Content-Length, the body ends when the connection closes


@dataclass
class PdfHost:
    """A stdlib HTTP server on 127.0.0.1 whose replies the test sets per path; it counts requests."""

    url: str
    replies: dict[str, Reply] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)


@pytest.fixture(scope="module")
def paper_pdf() -> bytes:
    return make_paper(seed=3)[0]


@pytest.fixture
def host() -> Iterator[PdfHost]:
    state = PdfHost(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            state.hits[self.path] = state.hits.get(self.path, 0) + 1
            reply = state.replies.get(self.path, Reply(404, b"<html>Not Found</html>", "text/html"))
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            if reply.content_length:
                self.send_header("Content-Length", str(len(reply.body)))
            else:
                self.close_connection = True
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client stopped at its cap
                self.wfile.write(reply.body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def get(url: str, *, session: requests.Session | None = None, timeout: float = 5, max_bytes: int = CAP,
        throttle: ArxivThrottle | None = None) -> bytes:
    return download_pdf(url, session=session or http_session(retries=1, backoff=0), timeout=timeout,
                        max_bytes=max_bytes, throttle=throttle)


# ---- download_pdf ---------------------------------------------------------------------------------------


def test_download_success(host: PdfHost, paper_pdf: bytes) -> None:
    host.replies["/pdf/2406.10001v1"] = Reply(body=paper_pdf)
    data = get(f"{host.url}/pdf/2406.10001v1", max_bytes=len(paper_pdf))  # exactly at the cap is fine
    assert data == paper_pdf
    assert open_pdf(data).page_count >= 1


def test_download_without_content_length_streams_the_whole_body(host: PdfHost, paper_pdf: bytes) -> None:
    host.replies["/pdf/x"] = Reply(body=paper_pdf, content_length=False)
    assert get(f"{host.url}/pdf/x", max_bytes=len(paper_pdf) + 1) == paper_pdf


def test_html_page_with_200_is_not_a_pdf(host: PdfHost) -> None:
    host.replies["/pdf/2406.10001v1"] = Reply(body=b"<!DOCTYPE html><html><body>Processing...</body></html>",
                                              content_type="text/html")
    with pytest.raises(PaperError, match=r"did not return a PDF \(starts with '<!DOCTYPE html>"):
        get(f"{host.url}/pdf/2406.10001v1")


@pytest.mark.parametrize("status", [404, 410])
def test_missing_pdf_is_a_paper_error(host: PdfHost, status: int) -> None:
    host.replies["/pdf/gone"] = Reply(status, b"<html>Not Found</html>", "text/html")
    with pytest.raises(PaperError, match=f"not found.*HTTP {status}"):
        get(f"{host.url}/pdf/gone")
    assert host.hits["/pdf/gone"] == 1  # not retried


def test_forbidden_is_a_paper_error(host: PdfHost) -> None:
    host.replies["/pdf/private"] = Reply(403, b"no", "text/plain")
    with pytest.raises(PaperError, match="HTTP 403"):
        get(f"{host.url}/pdf/private")


def test_declared_size_over_the_cap_is_refused(host: PdfHost) -> None:
    host.replies["/pdf/big"] = Reply(body=b"%PDF-1.7\n" + b"0" * (CAP + 1))
    with pytest.raises(PaperError, match=f"over the {CAP}-byte cap"):
        get(f"{host.url}/pdf/big")


def test_streamed_body_over_the_cap_is_refused(host: PdfHost) -> None:
    host.replies["/pdf/big"] = Reply(body=b"%PDF-1.7\n" + b"0" * (3 * CAP), content_length=False)
    with pytest.raises(PaperError, match=f"exceeds the {CAP}-byte cap"):
        get(f"{host.url}/pdf/big")


def test_repeated_503_is_transient_after_retrying(host: PdfHost) -> None:
    host.replies["/pdf/busy"] = Reply(503, b"busy", "text/plain")
    with pytest.raises(TransientError, match="HTTP 503"):
        get(f"{host.url}/pdf/busy", session=http_session(retries=1, backoff=0))
    assert host.hits["/pdf/busy"] == 2  # the first try and one retry


def test_429_is_transient(host: PdfHost) -> None:
    host.replies["/pdf/slow-down"] = Reply(429, b"too many", "text/plain")
    with pytest.raises(TransientError, match="HTTP 429"):
        get(f"{host.url}/pdf/slow-down", session=http_session(retries=0, backoff=0))


def test_server_that_never_answers_is_transient() -> None:
    # The kernel completes the TCP handshake (listen backlog) but nobody ever reads or answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(TransientError, match="Timeout"):
            get(f"http://127.0.0.1:{port}/pdf/x", session=http_session(retries=1, backoff=0), timeout=0.3)
        assert time.monotonic() - started < 3


def test_connection_refused_is_transient() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(TransientError, match="ConnectionError"):
        get(f"http://127.0.0.1:{port}/pdf/x", session=http_session(retries=0, backoff=0))


def test_download_marks_the_throttle_even_on_failure(host: PdfHost, tmp_path: Path) -> None:
    store = LocalStorage(tmp_path)
    with pytest.raises(PaperError):
        get(f"{host.url}/pdf/absent", throttle=ArxivThrottle(store, interval=0.01))
    assert store.exists(ArxivThrottle.KEY)


# ---- open_pdf -------------------------------------------------------------------------------------------


def _blank_pdf(pages: int, **save: Any) -> bytes:
    doc = pymupdf.open()
    for i in range(pages):
        doc.new_page().insert_text((72, 72), f"page {i + 1}")
    return doc.tobytes(**save)


@pytest.mark.parametrize("data", [b"this is not a pdf", b"%PDF-1.7\n\x00\x01garbage", b""],
                         ids=["text", "garbage-after-header", "empty"])
def test_corrupt_bytes_are_a_paper_error(data: bytes) -> None:
    with pytest.raises(PaperError, match="cannot be opened"):
        open_pdf(data)


def test_encrypted_pdf_is_refused() -> None:
    data = _blank_pdf(1, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="x", owner_pw="y")
    assert pymupdf.open(stream=data, filetype="pdf").needs_pass  # the fixture really is encrypted
    with pytest.raises(PaperError, match="encrypted"):
        open_pdf(data)


def test_too_many_pages_is_refused() -> None:
    data = _blank_pdf(3)
    with pytest.raises(PaperError, match=r"PDF exceeds the 2-page limit \(DIGEST_PDF_MAX_PAGES\): it has 3 pages"):
        open_pdf(data, max_pages=2)
    assert open_pdf(data, max_pages=3).page_count == 3


# ---- sections -------------------------------------------------------------------------------------------


SECTIONS = {
    "1 Introduction": "Alpha-intro sentence about the problem. It motivates the work.",
    "2 Our Method": "Bravo-method sentence describing the lattice sampler. Code is at https://github.com/lab/lattice.",
    "3 Experiments": "Charlie-experiments sentence with results on benchmarks. We beat baselines.",
    "4 Conclusion": "Delta-conclusion sentence summarising. Future work remains.",
}


@pytest.fixture(scope="module")
def marked_sections() -> list[TextSection]:
    data, _ = make_paper(sections=SECTIONS, figures=[], seed=5)
    return split_sections(open_pdf(data))


def test_split_sections_finds_numbered_headings_and_drops_references(paper_pdf: bytes) -> None:
    sections = split_sections(open_pdf(paper_pdf))
    headings = [s.heading for s in sections]
    for expected in ("Abstract", "1 Introduction", "2 Related Work", "3 Method", "4 Experiments", "5 Conclusion"):
        assert expected in headings
    assert headings.index("1 Introduction") < headings.index("3 Method") < headings.index("5 Conclusion")
    assert not any("Reference" in h for h in headings)
    assert not any("[1]" in s.text or "In Proc. of the Conference" in s.text for s in sections)
    assert all(s.text for s in sections)


def test_split_sections_keeps_each_text_under_its_heading(marked_sections: list[TextSection]) -> None:
    by_heading = {s.heading: s.text for s in marked_sections}
    assert by_heading["1 Introduction"].startswith("Alpha-intro sentence")
    assert by_heading["2 Our Method"].startswith("Bravo-method sentence")
    assert "Charlie" not in by_heading["2 Our Method"]
    assert by_heading["4 Conclusion"] == "Delta-conclusion sentence summarising. Future work remains."


def test_sections_for_picks_sections_by_role(marked_sections: list[TextSection]) -> None:
    method = sections_for(marked_sections, "method", 2000)
    assert method.startswith("## 2 Our Method")
    assert "Bravo-method sentence describing the lattice sampler." in method
    assert "Alpha-intro" not in method and "Charlie" not in method
    assert "Charlie-experiments" in sections_for(marked_sections, "experiments", 2000)
    assert "Delta-conclusion" in sections_for(marked_sections, "conclusion", 2000)
    assert "Alpha-intro" in sections_for(marked_sections, "intro", 2000)
    assert len(sections_for(marked_sections, "method", 60)) <= 60


def test_sections_for_without_a_matching_heading_is_empty() -> None:
    assert sections_for([TextSection("1 Introduction", "Text.")], "experiments", 1000) == ""


def test_first_pages_text_starts_with_the_title(paper_pdf: bytes) -> None:
    text = first_pages_text(open_pdf(paper_pdf), pages=1, max_chars=500)
    assert "Learning Sparse Attention for Efficient Vision" in text
    assert len(text) <= 500


# ---- clip_text ---------------------------------------------------------------------------


TEXT = ("Diffusion models denoise step by step. The sampler halves the number of steps. "
        "Experiments on ImageNet confirm the speedup. Code will be released.")


def test_clip_text_short_text_is_only_normalised() -> None:
    assert clip_text("  two\n lines \t here ", 100) == "two lines here"


def test_clip_text_never_cuts_mid_word() -> None:
    for max_chars in range(10, len(TEXT)):  # property over every budget
        clipped = clip_text(TEXT, max_chars)
        assert 0 < len(clipped) <= max_chars, max_chars
        assert TEXT.startswith(clipped), max_chars
        assert TEXT[len(clipped)] in " .", (max_chars, clipped)  # the cut is at a word (or sentence) end


def test_clip_text_cuts_at_the_last_sentence_boundary() -> None:
    limit = TEXT.index("Experiments") + 20
    assert clip_text(TEXT, limit) == "Diffusion models denoise step by step. The sampler halves the number of steps."


def test_clip_text_without_punctuation_cuts_at_a_space() -> None:
    assert clip_text("alpha beta gamma delta epsilon", 14) == "alpha beta"
    assert clip_text("x" * 30, 10) == "x" * 10  # one unbreakable token: nothing better exists


def test_clip_text_chinese_sentence_boundary() -> None:
    text = "扩散模型逐步去噪。采样器将步数减半。实验证实了加速效果。"
    assert clip_text(text, 20) == "扩散模型逐步去噪。采样器将步数减半。"


def test_clip_text_keeps_a_sentence_that_ends_exactly_at_the_limit() -> None:
    two = "Diffusion models denoise step by step. The sampler halves the number of steps."
    assert clip_text(TEXT, len(two)) == two


