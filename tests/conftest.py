"""Shared fixtures: an isolated Airflow home, and real local stand-ins for S3, git, arXiv and Gemini."""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_AIRFLOW_HOME = tempfile.mkdtemp(prefix="digest-test-airflow-")
# Airflow reads its configuration at import time: isolate it before any test imports airflow.
os.environ.update({
    "AIRFLOW_HOME": _AIRFLOW_HOME,
    "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
    "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
})
for p in (ROOT / "tests", ROOT / "plugins", ROOT / "src"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from arxiv_digest.models import Paper  # noqa: E402
from pdfgen import make_paper  # noqa: E402
from servers.arxiv_server import ArxivServer, FakeEntry  # noqa: E402
from servers.gemini_server import GeminiServer  # noqa: E402

# Names of every setting the pipeline reads; cleared so the developer's own environment never leaks in.
DIGEST_ENV = [k for k in os.environ if k.startswith(("DIGEST_", "ARXIV_", "GEMINI_", "GOOGLE_GEMINI", "OPENAI_"))]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in DIGEST_ENV:
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def paper() -> Paper:
    """A paper as the arXiv client would give it."""
    return Paper(
        arxiv_id="2406.10001v1",
        title="Lattice Denoisers: Score Matching on Structured Grids",
        authors=["Mira Okafor", "Tomasz Lind", "Wen Hao"],
        summary="We study diffusion models whose score network runs on a lattice. Our sampler halves the steps.",
        published=datetime(2024, 6, 18, 19, 0, tzinfo=UTC),
        updated=datetime(2024, 6, 18, 19, 0, tzinfo=UTC),
        primary_category="cs.CV",
        categories=["cs.CV", "cs.LG"],
        comment="12 pages, 5 figures",
        abs_url="https://arxiv.org/abs/2406.10001v1",
        pdf_url="https://arxiv.org/pdf/2406.10001v1",
    )


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto's S3 server on a free port (real S3 REST protocol for boto3)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_client(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    import boto3

    for k, v in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                 "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(k, v)
    return boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")


@pytest.fixture
def bare_remote(tmp_path: Path) -> Path:
    """A bare git repository standing in for the blog's remote."""
    import git

    path = tmp_path / "blog.git"
    git.Repo.init(path, bare=True, initial_branch="main")
    return path


def listing_entries(n_on_topic: int = 2, *, passing_mention: bool = False) -> list[FakeEntry]:
    """Entries for the 2024-06-20 listing (window Tue 18:00 UTC .. Wed 18:00 UTC) plus distractors.

    With ``passing_mention``, one more paper in the window and category only mentions the topic in passing.
    """
    base = datetime(2024, 6, 18, 19, 0, tzinfo=UTC)
    titles = [
        "Lattice Denoisers: Score Matching on Structured Grids",
        "Few-Step Diffusion Models via Consistency Anchors",
        "Riemannian Diffusion Models for Molecular Conformers",
    ]
    entries = []
    for i in range(n_on_topic):
        pdf, _ = make_paper(title=titles[i % len(titles)], seed=i)
        entries.append(FakeEntry(
            arxiv_id=f"2406.1000{i + 1}v1",
            title=titles[i % len(titles)],
            authors=["Mira Okafor", "Tomasz Lind"] if i == 0 else ["Ana Ruiz", "Kofi Mensah", "Li Na"],
            summary=f"We present a new sampler for diffusion models (variant {i}). It needs fewer steps & less memory.",
            published=base.replace(hour=19 + i),
            categories=["cs.CV", "cs.LG"],
            comment="9 pages, 4 figures" if i == 0 else None,
            include_pdf_link=i != 1,
            pdf=pdf,
        ))
    entries.append(FakeEntry(  # outside the window: submitted after the deadline
        arxiv_id="2406.19999v1", title="Diffusion Models Next Day", authors=["Late Author"],
        summary="About diffusion models, but submitted after the deadline.",
        published=datetime(2024, 6, 19, 18, 30, tzinfo=UTC), pdf=make_paper(seed=9)[0]))
    if passing_mention:
        entries.append(FakeEntry(
            arxiv_id="2406.17777v1", title="Mixed Subspaces for Low-Rank Adapters", authors=["Passing Mention"],
            summary="We improve low-rank adaptation of language models. The same trick also helps diffusion models.",
            published=base.replace(minute=30), categories=["cs.CV"], pdf=None))
    entries.append(FakeEntry(  # in the window, off topic
        arxiv_id="2406.18888v1", title="Graph Coloring Bounds", authors=["Off Topic"],
        summary="A combinatorics paper.", published=base, categories=["math.CO"], primary_category="math.CO"))
    return entries


@pytest.fixture
def arxiv_server() -> Iterator[ArxivServer]:
    with ArxivServer(listing_entries()) as server:
        yield server


@pytest.fixture
def gemini_server() -> Iterator[GeminiServer]:
    with GeminiServer(api_key="test-key") as server:
        yield server


@pytest.fixture
def pipeline_env(tmp_path, arxiv_server, gemini_server, bare_remote, monkeypatch):  # type: ignore[no-untyped-def]
    """Settings that point every stage at the local stand-ins, for tests that call the stages in-process."""
    values = {"DIGEST_HOME": str(tmp_path / "home"), "ARXIV_API_URL": arxiv_server.api_url,
              "ARXIV_PDF_URL": arxiv_server.pdf_url, "ARXIV_REQUEST_INTERVAL": "0", "GEMINI_API_KEY": "test-key",
              "GOOGLE_GEMINI_BASE_URL": gemini_server.base_url, "DIGEST_BLOG_REPO": str(bare_remote)}
    for k, v in values.items():
        monkeypatch.setenv(k, v)
    return values


def paper_of(call: dict) -> str:
    """The arXiv id a recorded LLM call's prompt is about (the prompts print it on its own line)."""
    m = re.search(r"^arXiv id: (\S+)$", call["prompt_text"], re.M)
    return m.group(1) if m else "?"


def section_of(call: dict) -> str:
    """Which review section a recorded LLM call asked for, from the wording of include/prompts/*.j2."""
    text = call["prompt_text"]
    for marker, name in (("summary\": one sentence", "summary"), ("Opening pages", "overview"),
                         ("Method section", "methods"), ("Conclusion and experiments", "conclusion")):
        if marker in text:
            return name
    return "?"
