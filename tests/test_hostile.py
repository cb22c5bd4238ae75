"""The fault table: hostile PDFs, text, configuration and secrets, each with the outcome it must have.

PDFs: ``digest figures`` ends within 30 s and 1 GB with a clear error or exit 0, the review text is parsed under the
same limits, and the pipeline still publishes every paper (with a notice when its PDF was unusable). Run with
``-s`` to see the table (input, outcome, seconds, peak MB).
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import git
import pytest

import hostile_pdfs as hp
from arxiv_digest.pdf import http_session
from arxiv_digest.render import md_escape
from arxiv_digest.sandbox import PdfLimitError, PdfLimits, run_limited, text_job
from arxiv_digest.settings import SettingsError, load_settings
from arxiv_digest.topics import TopicsError, load_topics
from pdfgen import make_paper

DAY = date(2024, 6, 20)
MAX_SECONDS, MAX_MB = 30.0, 1024
# name -> (bytes, the `digest figures` outcome: 0 for images written, else a regex of the error it must print)
PDFS: dict[str, tuple[Callable[[], bytes], str | None]] = {
    "nested forms (fan-out 10, depth 7)": (hp.nested_forms, None),  # over the time or the memory limit
    "nested forms at page 60": (lambda: hp.nested_forms(before=59), None),
    "image bomb (30000^2 RGB)": (hp.image_bomb, None),
    "SMask bomb (30000^2)": (hp.smask_bomb, None),
    "2000 pages": (hp.many_pages, r"PDF exceeds the 300-page limit \(DIGEST_PDF_MAX_PAGES\)"),
    "20000-point page": (hp.huge_page, None),
    "encrypted": (hp.encrypted, r"encrypted"),
    "truncated": (hp.truncated, None),
    "zero bytes": (lambda: b"", r"cannot be opened"),
    "not a PDF (HTML)": (lambda: b"<!DOCTYPE html><html><body><h1>403</h1></body></html>", r"not a PDF"),
}
# PDFs whose text the review cannot use: the paper is published from its abstract, with a notice.
UNUSABLE = {"nested forms (fan-out 10, depth 7)", "nested forms at page 60", "2000 pages", "encrypted", "zero bytes",
            "not a PDF (HTML)"}
TABLE: list[tuple[str, str, str, float, float]] = []

# The interpreter's own peak is VmHWM: Linux carries ru_maxrss over exec, so RUSAGE_SELF would report the test
# process's size at the fork (over a gigabyte once a long test run has read many PDFs).
_MEASURE = """
import resource, sys, time
start = time.monotonic()
{body}
def _own_peak_kb():
    try:
        with open("/proc/self/status") as status:
            return next(int(x.split()[1]) for x in status if x.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("MEASURED", round(time.monotonic() - start, 2),
      max(_own_peak_kb(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) // 1024, flush=True)
sys.exit(code)
"""
_FIGURES = "from arxiv_digest.cli import main\ncode = main(['figures', sys.argv[1], sys.argv[2]])"
_TEXT = """
from pathlib import Path
from arxiv_digest.sandbox import PdfLimits, run_limited, text_job, check_job
from arxiv_digest.pdf import PaperError
limits = PdfLimits()
data = Path(sys.argv[1]).read_bytes()
try:
    run_limited(check_job, data, limits, limits=limits)
    text = run_limited(text_job, data, limits, 24000, limits=limits)
    print(f"text: {len(text.full)} characters, {len(text.sections)} sections", file=sys.stderr)
    code = 0
except PaperError as exc:
    print(exc, file=sys.stderr)
    code = 2
"""


def measure(body: str, *args: str) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """Run ``body`` in a fresh interpreter; (result, wall seconds, peak RSS in MB of it and its children)."""
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-c", _MEASURE.format(body=body), *args], capture_output=True, text=True,
                            timeout=120, check=False)
    wall = time.monotonic() - start
    line = next((x for x in result.stdout.splitlines() if x.startswith("MEASURED")), "MEASURED 0 0")
    return result, wall, float(line.split()[2])


def _last(text: str, pdf: Path | None = None) -> str:
    """The last line a command printed (not the measurement), with the temporary path shortened."""
    lines = [x for x in text.strip().splitlines() if x.strip() and not x.startswith("MEASURED")]
    line = lines[-1] if lines else ""
    return (line.replace(str(pdf), "paper.pdf").replace(str(pdf.parent), ".") if pdf else line)[:120]


@pytest.fixture(scope="module", autouse=True)
def _print_table() -> Iterator[None]:
    yield
    if TABLE:
        print("\n\n| input | parse | outcome | seconds | peak MB |\n|---|---|---|---|---|")
        for row in TABLE:
            print("| {} | {} | {} | {:.1f} | {:.0f} |".format(*row))


@pytest.mark.parametrize("name", list(PDFS))
def test_hostile_pdf_ends_in_bounded_time_and_memory(name: str, tmp_path: Path) -> None:
    make, expected = PDFS[name]
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(make())

    figures, wall, peak = measure(_FIGURES, str(pdf), str(tmp_path / "out"))
    said = _last(figures.stdout, pdf) if figures.returncode == 0 else _last(figures.stderr, pdf)
    outcome = f"exit {figures.returncode}: {said}"
    TABLE.append((name, "digest figures", outcome.replace("|", "/"), wall, peak))
    assert wall < MAX_SECONDS and peak < MAX_MB, (wall, peak)
    if expected is None:  # images written, or this paper's clear error: over a limit
        if figures.returncode == 0:
            assert isinstance(json.loads((tmp_path / "out" / "figures.json").read_text()), list)
        else:
            assert figures.returncode == 2 and "PDF exceeds" in figures.stderr, figures.stdout + figures.stderr
    else:
        assert figures.returncode == 2, figures.stdout + figures.stderr
        assert re.search(expected, figures.stderr), figures.stderr
        assert "Traceback" not in figures.stderr

    text, wall, peak = measure(_TEXT, str(pdf))
    TABLE.append((name, "review text", _last(text.stderr, pdf).replace("|", "/"), wall, peak))
    assert wall < MAX_SECONDS and peak < MAX_MB, (wall, peak)
    assert text.returncode in (0, 2) and "Traceback" not in text.stderr, text.stderr


def test_a_page_over_the_page_limit_is_stopped_where_it_is() -> None:
    start = time.monotonic()
    limits = PdfLimits(page_seconds=2, paper_seconds=60)
    with pytest.raises(PdfLimitError, match=r"PDF exceeds DIGEST_PDF_PAGE_TIMEOUT \(2 s per page\): page 60"):
        run_limited(text_job, hp.nested_forms(before=59), limits, 1000, limits=limits, what="p60")
    assert time.monotonic() - start < 15


def test_memory_cap_stops_a_parse_that_needs_more() -> None:
    limits = PdfLimits(memory_mb=256, paper_seconds=60, page_seconds=60)
    with pytest.raises(PdfLimitError, match=r"PDF exceeds DIGEST_PDF_MEMORY_MB \(256 MB\)"):
        run_limited(_allocate, 2 * 2**30, limits=limits)


def _allocate(nbytes: int) -> int:
    return len(bytearray(nbytes))


def test_text_cap_refuses_a_pdf_with_too_much_text() -> None:
    data, _ = make_paper(seed=3)
    limits = PdfLimits(max_text_mb=0.001)
    with pytest.raises(PdfLimitError, match=r"PDF exceeds DIGEST_PDF_MAX_TEXT_MB \(0.001 MB of text\)"):
        run_limited(text_job, data, limits, 1000, limits=limits)


# ---- the pipeline: every hostile paper is published, the day goes on ------------------------------------------
def test_pipeline_publishes_every_hostile_paper_with_a_notice(tmp_path, gemini_server, bare_remote, monkeypatch):
    from arxiv_digest.fetch import make_client
    from arxiv_digest.llm import GeminiLLM, gemini_client
    from arxiv_digest.models import Review
    from arxiv_digest.pipeline import (
        DegradedRun,
        Runtime,
        stage_check,
        stage_fetch,
        stage_figures,
        stage_pdf,
        stage_publish,
        stage_render,
        stage_review,
    )
    from arxiv_digest.storage import get_model
    from servers.arxiv_server import ArxivServer, FakeEntry

    good, _ = make_paper(title="Diffusion Models on Good Ground", seed=4)
    pdfs = {name: make() for name, (make, _) in PDFS.items()} | {"a sound paper": good}
    base = datetime(2024, 6, 18, 19, 0, tzinfo=UTC)
    entries = [FakeEntry(arxiv_id=f"2406.2{i:04d}v1", title=f"Diffusion Models under test: {name}",
                         authors=["Ana Ruiz"], summary=f"We study diffusion models. Case {name}.",
                         published=base + timedelta(minutes=i), categories=["cs.CV"], pdf=pdf)
               for i, (name, pdf) in enumerate(pdfs.items())]
    with ArxivServer(entries) as arxiv:
        for k, v in {"DIGEST_HOME": str(tmp_path / "home"), "ARXIV_API_URL": arxiv.api_url,
                     "ARXIV_PDF_URL": arxiv.pdf_url, "ARXIV_REQUEST_INTERVAL": "0", "GEMINI_API_KEY": "test-key",
                     "GOOGLE_GEMINI_BASE_URL": gemini_server.base_url, "DIGEST_BLOG_REPO": str(bare_remote),
                     "DIGEST_LATE_LOOKBACK_DAYS": "0"}.items():
            monkeypatch.setenv(k, v)
        s = load_settings()
        rt, topic = Runtime.from_settings(s), load_topics(s.topics_file)[0]
        ids = stage_fetch(rt, topic, DAY, client=make_client(s.arxiv_api_url, page_size=50, interval=0, retries=1,
                                                              timeout=10))
        assert len(ids) == len(pdfs)
        llm = GeminiLLM(gemini_client("test-key", base_url=gemini_server.base_url))
        seconds = {}
        for arxiv_id in ids:
            start = time.monotonic()
            ref = stage_figures(rt, topic, DAY, stage_pdf(rt, topic, DAY, arxiv_id, session=http_session()))
            stage_review(rt, topic, DAY, ref, llm=llm)
            seconds[arxiv_id] = time.monotonic() - start
    assert stage_render(rt, topic, DAY) and stage_publish(rt, topic, DAY).pushed
    with pytest.raises(DegradedRun):
        stage_check(rt, topic, DAY)  # the unusable PDFs are problems the operator sees; the post went out

    post = (next(git.Repo(bare_remote).iter_commits("main")).tree
            / f"source/_posts/Paper/{DAY}/{topic.name}.md").data_stream.read().decode()
    by_name = {name: entry.arxiv_id for name, entry in zip(pdfs, entries, strict=True)}
    for name, arxiv_id in by_name.items():
        review = get_model(rt.state, rt.review_key(topic, DAY, arxiv_id), Review)
        assert f"Diffusion Models under test: {name}" in post.replace("&#39;", "'")
        assert review.sections["summary"].ok, name  # the abstract-based summary is always there
        assert seconds[arxiv_id] < 2 * MAX_SECONDS, (name, seconds[arxiv_id])
        assert bool(review.errors) == (name in UNUSABLE), (name, review.errors)
        if name in ("2000 pages", "nested forms (fan-out 10, depth 7)", "nested forms at page 60"):
            assert any("PDF exceeds" in e for e in review.errors), review.errors
    assert post.count("未能读取论文 PDF") == sum(bool(get_model(rt.state, rt.review_key(topic, DAY, i), Review).errors)
                                              for i in ids)


# ---- configuration: early, clear, named ------------------------------------------------------------------------
@pytest.mark.parametrize(("variable", "value", "message"), [
    ("DIGEST_REVIEW_TIMEOUT", "inf", "DIGEST_REVIEW_TIMEOUT"),
    ("DIGEST_DEADLINE_HOURS", "1e12", "DIGEST_DEADLINE_HOURS"),
    ("DIGEST_LLM_TIMEOUT", "nan", "DIGEST_LLM_TIMEOUT"),
    ("DIGEST_FIGURE_MAX_PIXELS", "100000000", "DIGEST_FIGURE_MAX_PIXELS"),
    ("DIGEST_PDF_MEMORY_MB", "16", "DIGEST_PDF_MEMORY_MB"),
    ("DIGEST_STORAGE", "ftp://example.org/figures", "DIGEST_STORAGE"),
    ("DIGEST_STATE", "gs://bucket/state", "DIGEST_STATE"),
])
def test_bad_numbers_and_locations_name_the_variable(variable: str, value: str, message: str, monkeypatch) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=message):
        load_settings()


@pytest.mark.parametrize(("yaml_text", "message"), [
    ("topics:\n  - name: A/B\n    query: x\n  - name: A-B\n    query: y\n    slug: a_b_2\n",
     r"topic 'A-B': field 'name': its post file name is the same as the one of 'A/B'"),
    ("topics:\n  - name: A\n    query: x\n    slug: a/b\n", r"topic 'A': field 'slug'"),
    ("topics:\n  - name: A\n    query: x\n    name: B\n", r"key 'name' appears twice"),
    ("topics:\n  - name: \"A\\u0007B\"\n    query: x\n", r"field 'name'.*control characters"),
])
def test_bad_topics_fail_early_naming_the_topic_and_field(yaml_text: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "topics.yaml"
    path.write_text(yaml_text)
    with pytest.raises(TopicsError, match=message):
        load_topics(path)


def test_configuration_error_fails_the_task_without_retries(monkeypatch) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    from digest_runtime import settings

    monkeypatch.setenv("DIGEST_STORAGE", "ftp://example.org/x")
    with pytest.raises(AirflowFailException, match="DIGEST_STORAGE"):
        settings()


# ---- small hostile strings ---------------------------------------------------------------------------------------
def test_control_and_bidi_characters_never_reach_the_post() -> None:
    text = str(md_escape("a\x00b\x07c\x1b[31md\u202eevil\u2066x\u2069 \x9b"))
    assert text == "abc&#91;31md" + "evilx"


def test_lint_never_echoes_a_terminal_escape(tmp_path: Path, capsys) -> None:
    from arxiv_digest.cli import main

    post = tmp_path / "post.md"
    post.write_text("---\ntitle: x\n---\n\n## Title \x1b]0;pwned\x07\x1b[2J\n\n**Authors:A B**\n\nabstract\n")
    main(["lint", str(post)])
    out = capsys.readouterr()
    assert "\x1b" not in out.out + out.err and "\x07" not in out.out + out.err


def test_slack_alert_text_is_escaped() -> None:
    from digest_alerts import slack_escape

    assert slack_escape("<!channel> <https://evil.example|click> & co") == \
        "&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; co"


def test_front_matter_keeps_a_title_ending_in_null(paper) -> None:
    import yaml

    from arxiv_digest.models import Listing, Review
    from arxiv_digest.render import PostRenderer
    from arxiv_digest.topics import Topic

    topic = Topic(name="Diffusion: null", query="x")
    listing = Listing(topic=topic.name, listing_date=DAY, window_start=datetime(2024, 6, 18, tzinfo=UTC),
                      window_end=datetime(2024, 6, 19, tzinfo=UTC), query="q", total_results=1, papers=[paper])
    review = Review(paper=paper.model_copy(update={"title": "Why x: null"}), figures=[], code_links=[],
                    sections={}, errors=[])
    text = PostRenderer(Path(__file__).resolve().parents[1] / "include" / "templates").front_matter(
        topic, listing, [review], "/")
    meta = yaml.safe_load(str(text))
    assert meta["title"] == "Diffusion: null" and meta["description"].endswith("Why x: null")
    assert "toc:\n" in str(text) + "\n" and meta["toc"] is None


# ---- secrets: canary tokens everywhere, a day that fails at push, 0 hits ------------------------------------------
@pytest.mark.e2e
def test_canary_secrets_appear_nowhere(tmp_path: Path) -> None:
    from conftest import listing_entries
    from servers.arxiv_server import ArxivServer
    from servers.capture import SmtpCapture, WebhookCapture
    from servers.gemini_server import GeminiServer
    from servers.git_http_server import GitHttpServer

    canaries = {"git": "CANARYgit7a1d", "pdf": "CANARYpdf93c2", "gemini": "CANARYgem55e0", "openai": "CANARYoai0b7f",
                "aws": "CANARYaws4d19"}
    bare = tmp_path / "srv" / "blog.git"
    with git.Repo.init(bare, bare=True, initial_branch="main").config_writer() as cw:
        cw.set_value("http", "receivepack", "false")  # reads work with the token, every push is refused
    home = tmp_path / "home"
    with (ArxivServer(listing_entries()) as arxiv, GeminiServer(api_key=canaries["gemini"]) as gemini,
          GitHttpServer(tmp_path / "srv", "digest-bot", canaries["git"]) as git_http,
          SmtpCapture() as smtp, WebhookCapture() as slack):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DIGEST_"))}
        env.update({
            "DIGEST_HOME": str(home), "ARXIV_API_URL": arxiv.api_url,
            "ARXIV_PDF_URL": arxiv.pdf_url.replace("http://", f"http://reader:{canaries['pdf']}@"),
            "ARXIV_REQUEST_INTERVAL": "0", "DIGEST_RETRY_DELAY": "1", "DIGEST_TASK_RETRIES": "0",
            "GEMINI_API_KEY": canaries["gemini"], "GOOGLE_GEMINI_BASE_URL": gemini.base_url,
            "OPENAI_API_KEY": canaries["openai"],
            "DIGEST_BLOG_REPO": git_http.root_url.replace("http://", f"http://digest-bot:{canaries['git']}@")
            + "/blog.git",
            "AIRFLOW_CONN_AWS_DEFAULT": json.dumps({"conn_type": "aws", "login": "AKIDCANARY",
                                                    "password": canaries["aws"]}),
            "DIGEST_ALERT_EMAIL": "oncall@example.org", "AIRFLOW_CONN_SMTP_DEFAULT": smtp.connection_json(),
            "AIRFLOW_CONN_SLACK_ALERTS": slack.connection_json(),
        })
        digest = str(Path(sys.executable).with_name("digest"))
        result = subprocess.run([digest, "run", "--date", DAY.isoformat()], env=env, capture_output=True, text=True,
                                timeout=900, check=False)
        alerts = [m.as_string() for m in smtp.messages] + [json.dumps(p["json"]) for p in slack.posts]
    assert result.returncode == 1, result.stdout + result.stderr
    assert "publish_post" in result.stderr and "log:" in result.stderr, result.stderr  # it failed at push
    assert len(gemini.calls) >= 4 and alerts  # the day really ran, and alerted

    forms = [c for v in canaries.values() for c in (v, base64.b64encode(f"digest-bot:{v}".encode()).decode()[:-4])]
    places = {"stdout": result.stdout, "stderr": result.stderr, **{f"alert {i}": a for i, a in enumerate(alerts)}}
    hits = [(where, c) for where, text in places.items() for c in forms if c in text]
    files = [p for p in home.rglob("*") if p.is_file()]
    task_logs = [p for p in files if p.suffix == ".log" and b"task_id=publish_post" in p.read_bytes()]
    assert task_logs  # `dags test` writes the task logs into the run's log under DIGEST_HOME
    hits += [(str(p), c) for p in files for c in forms if c.encode() in p.read_bytes()]
    assert hits == []
