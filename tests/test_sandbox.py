"""sandbox.run_limited from a daemonic process, as a Celery prefork worker runs tasks."""

from __future__ import annotations

import multiprocessing

import pymupdf
import pytest

from arxiv_digest.sandbox import PdfLimits, check_job, run_limited


def _one_page_pdf() -> bytes:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "A page.")
    return doc.tobytes()


def _parse_in_daemon(queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    limits = PdfLimits(memory_mb=768, paper_seconds=60, page_seconds=30, max_pages=10, max_text_mb=1)
    try:
        queue.put(("ok", run_limited(check_job, _one_page_pdf(), limits, limits=limits, what="daemon test")))
    except Exception as exc:  # noqa: BLE001 - reported to the test
        queue.put(("error", f"{type(exc).__name__}: {exc}"))


@pytest.mark.parametrize("pool", ["multiprocessing", "billiard"])
def test_a_daemonic_worker_can_parse_a_pdf_in_the_sandbox(pool: str) -> None:
    """A daemonic worker (Celery's prefork pool runs tasks in billiard's, whose auth key type differs) parses."""
    ctx = pytest.importorskip(pool).get_context("spawn" if pool == "multiprocessing" else "fork")
    queue = ctx.Queue()
    worker = ctx.Process(target=_parse_in_daemon, args=(queue,), daemon=True)
    worker.start()
    result = queue.get(timeout=120)
    worker.join(timeout=30)
    assert result == ("ok", 1), result
