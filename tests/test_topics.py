"""topics.yaml: the shipped file, the search query, slugs, and errors that name the file, the topic and the field."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from arxiv_digest.topics import Topic, TopicsError, load_topics
from servers.arxiv_server import FakeEntry, parse_query

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "topics.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_topics_file_loads() -> None:
    topics = load_topics(ROOT / "include" / "topics.yaml")
    assert [t.name for t in topics] == ["Diffusion Models", "NeRF", "3D Gaussian Splatting", "Talking Head Generation"]
    topic = topics[0]
    assert topic.categories == ["cs.CV", "cs.LG", "cs.AI", "cs.GR"]
    assert topic.dag_id == "arxiv_digest__diffusion_models"
    for t in topics:
        assert t.language == "zh-CN" and t.max_papers is None and t.relevance_phrases  # every on-topic paper
        parse_query(t.search_query())  # the real query grammar accepts it


# Papers written for this test, one or two per shipped topic, plus one that belongs to two topics.
OWN_PAPERS = {
    "Diffusion Models": [("Consistency Distillation for Latent Diffusion Models",
                          "We distill a latent diffusion model into a four-step sampler.")],
    "NeRF": [("Sparse-View Neural Radiance Fields with Depth Priors",
              "Neural radiance fields need many views. We train a NeRF from three images with monocular depth.")],
    "3D Gaussian Splatting": [("Compact 3D Gaussian Splatting via Vector Quantization",
                               "3D Gaussian Splatting renders in real time but stores millions of Gaussians. "
                               "We quantize their attributes.")],
    "Talking Head Generation": [("Audio-Driven Talking Head Synthesis with Phoneme-Aware Motion",
                                 "We generate a talking head video from one portrait and a speech clip.")],
}
BOTH = ("Diffusion Priors for Sparse-View 3D Gaussian Splatting",  # 3DGS and Diffusion Models
        "We regularize 3D Gaussian Splatting from sparse views with a pretrained diffusion model prior.")


@pytest.mark.parametrize("name", list(OWN_PAPERS))
def test_each_shipped_gate_keeps_its_own_papers_and_drops_the_others(paper, name: str) -> None:
    from arxiv_digest.relevance import why_off_topic

    topic = next(t for t in load_topics(ROOT / "include" / "topics.yaml") if t.name == name)
    for owner, papers in OWN_PAPERS.items():
        for title, summary in papers:
            kept = why_off_topic(paper.model_copy(update={"title": title, "summary": summary}), topic) is None
            assert kept is (owner == name), (name, title)
    both = why_off_topic(paper.model_copy(update={"title": BOTH[0], "summary": BOTH[1]}), topic) is None
    assert both is (name in ("Diffusion Models", "3D Gaussian Splatting"))


def test_defaults_of_a_minimal_topic(tmp_path: Path) -> None:
    (topic,) = load_topics(write(tmp_path, "topics:\n  - name: Graph Networks\n    query: 'abs:graph'\n"))
    assert topic.categories == [] and topic.tags == []
    assert (topic.max_papers, topic.language, topic.model, topic.quota) == (None, "zh-CN", "gemini-2.5-flash", None)
    assert topic.search_query() == "(abs:graph)"


def test_search_query_restricts_to_categories_with_correct_precedence() -> None:
    topic = Topic(name="Diffusion", query='ti:"diffusion" OR abs:"diffusion"', categories=["cs.CV", "cs.LG"])
    query = topic.search_query()
    assert query == '(ti:"diffusion" OR abs:"diffusion") AND (cat:cs.CV OR cat:cs.LG)'

    # Evaluate it with the stand-in arXiv's parser: the category filter must apply to both OR branches.
    matches = parse_query(query)
    when = datetime(2024, 6, 18, tzinfo=UTC)

    def entry(title: str, summary: str, categories: list[str]) -> FakeEntry:
        return FakeEntry("2406.00001v1", title, ["A"], summary, when, categories=categories,
                         primary_category=categories[0])

    assert matches(entry("Diffusion for images", "x", ["cs.CV"]))
    assert matches(entry("Other", "about diffusion", ["cs.LG", "stat.ML"]))
    assert not matches(entry("Other", "about diffusion", ["math.PR"]))
    assert not matches(entry("Diffusion on graphs", "x", ["math.CO"]))
    assert not matches(entry("Other", "x", ["cs.CV"]))


@pytest.mark.parametrize(
    ("fields", "slug"),
    [
        ({"name": "Diffusion Models"}, "diffusion_models"),
        ({"name": "  3D Gaussian-Splatting & NeRF!  "}, "3d_gaussian_splatting_nerf"),
        ({"name": "扩散模型"}, "kuo_san_mo_xing"),
        ({"name": "Diffusion Models", "slug": "diffusion"}, "diffusion"),
    ],
)
def test_slug_and_dag_id(fields: dict[str, str], slug: str) -> None:
    topic = Topic.model_validate({"query": "all:x", **fields})
    assert topic.slug == slug
    assert topic.dag_id == f"arxiv_digest__{slug}"
    assert re.fullmatch(r"[A-Za-z0-9_.\-]+", topic.dag_id)  # Airflow's dag_id alphabet


@pytest.mark.parametrize(
    ("body", "topic", "field"),
    [
        ("  - query: 'all:x'\n", "#1", "name"),
        ("  - name: Diffusion\n    query: 'all:x'\n    colour: red\n", "Diffusion", "colour"),
        ("  - name: Diffusion\n    query: 'all:x'\n    categories: [CS.CV]\n", "Diffusion", "categories"),
        ("  - name: Diffusion\n    query: 'all:x'\n    categories: [computer vision]\n", "Diffusion", "categories"),
        ("  - name: Diffusion\n    query: 'all:x'\n    language: fr\n", "Diffusion", "language"),
        ("  - name: Diffusion\n    query: 'all:x'\n    max_papers: 0\n", "Diffusion", "max_papers"),
        ("  - name: Ok\n    query: 'all:x'\n  - name: Second\n    query: ''\n", "Second", "query"),
    ],
    ids=["missing-name", "unknown-field", "uppercase-category", "bad-category", "bad-language", "max-papers-0",
         "empty-query-second-topic"],
)
def test_invalid_topic_names_file_topic_and_field(tmp_path: Path, body: str, topic: str, field: str) -> None:
    path = write(tmp_path, "topics:\n" + body)
    with pytest.raises(TopicsError) as info:
        load_topics(path)
    message = str(info.value)
    assert str(path) in message
    assert f"topic '{topic}'" in message
    assert f"field '{field}" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("topics:\n  name: Diffusion\n  query: 'all:x'\n", "top-level 'topics:' list"),
        ("- name: Diffusion\n  query: 'all:x'\n", "top-level 'topics:' list"),
        ("topics: []\n", "at least one topic"),
        ("", "top-level 'topics:' list"),
        ("topics:\n  - just a string\n", "topic #1: expected a mapping"),
        ("topics:\n  - name: [unclosed\n", "not valid YAML"),
        ("topics:\n\t- name: tab\n", "not valid YAML"),
    ],
    ids=["mapping-not-list", "bare-list", "empty-list", "empty-file", "entry-not-mapping", "unclosed", "tab"],
)
def test_malformed_file_is_reported_with_its_path(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(TopicsError) as info:
        load_topics(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_missing_file_says_which_setting_to_fix(tmp_path: Path) -> None:
    with pytest.raises(TopicsError, match="file not found.*DIGEST_TOPICS"):
        load_topics(tmp_path / "nope.yaml")


def test_duplicate_slug_names_both_topics(tmp_path: Path) -> None:
    path = write(tmp_path, "topics:\n  - name: Diffusion Models\n    query: 'all:a'\n"
                           "  - name: diffusion-models\n    query: 'all:b'\n")
    with pytest.raises(TopicsError) as info:
        load_topics(path)
    message = str(info.value)
    assert str(path) in message
    assert "topic 'diffusion-models'" in message and "'Diffusion Models'" in message
    assert "field 'name'" in message and "diffusion_models" in message


def test_duplicate_slug_via_override_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "topics:\n  - name: A\n    query: 'all:a'\n    slug: shared\n"
                           "  - name: B\n    query: 'all:b'\n    slug: shared\n")
    with pytest.raises(TopicsError, match="same slug 'shared'"):
        load_topics(path)


def test_name_without_letters_or_digits_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(TopicsError, match="name"):
        load_topics(write(tmp_path, "topics:\n  - name: '+++'\n    query: 'all:x'\n"))


def test_topic_quota_overrides_are_validated(tmp_path: Path) -> None:
    (topic,) = load_topics(write(tmp_path, "topics:\n  - name: G\n    query: 'abs:g'\n    quota: {rpm: 60}\n"))
    assert topic.quota == {"rpm": 60}
    with pytest.raises(TopicsError, match="quota"):
        load_topics(write(tmp_path, "topics:\n  - name: G\n    query: 'abs:g'\n    quota: {rpm: 0}\n"))
    with pytest.raises(TopicsError, match="quota"):
        load_topics(write(tmp_path, "topics:\n  - name: G\n    query: 'abs:g'\n    quota: {rpn: 5}\n"))


def test_a_paper_in_two_shipped_topics_is_reviewed_once_and_the_record_says_so(tmp_path, monkeypatch) -> None:
    from arxiv_digest.fetch import make_client
    from arxiv_digest.llm import GeminiLLM, gemini_client
    from arxiv_digest.pdf import http_session
    from arxiv_digest.pipeline import Runtime, stage_check, stage_fetch, stage_pdf, stage_render, stage_review
    from arxiv_digest.settings import load_settings
    from pdfgen import make_paper
    from servers.arxiv_server import ArxivServer
    from servers.gemini_server import GeminiServer

    day, submitted = date(2024, 6, 20), datetime(2024, 6, 18, 20, tzinfo=UTC)
    papers = [(BOTH, "2406.50001v1"), (OWN_PAPERS["3D Gaussian Splatting"][0], "2406.50002v1"),
              (OWN_PAPERS["Diffusion Models"][0], "2406.50003v1")]
    entries = [FakeEntry(arxiv_id, title, ["A. Author"], summary, submitted, categories=["cs.CV"],
                         pdf=make_paper(title=title, seed=i)[0])
               for i, ((title, summary), arxiv_id) in enumerate(papers)]
    topics = {t.name: t for t in load_topics(ROOT / "include" / "topics.yaml")}
    with ArxivServer(entries) as arxiv, GeminiServer(api_key="test-key") as gemini:
        monkeypatch.setenv("DIGEST_HOME", str(tmp_path))
        monkeypatch.setenv("ARXIV_PDF_URL", arxiv.pdf_url)
        monkeypatch.setenv("ARXIV_REQUEST_INTERVAL", "0")
        monkeypatch.setenv("DIGEST_LATE_LOOKBACK_DAYS", "0")
        rt = Runtime.from_settings(load_settings())
        llm = GeminiLLM(gemini_client("test-key", base_url=gemini.base_url))
        records = {}
        for name in ("Diffusion Models", "3D Gaussian Splatting"):
            topic = topics[name]
            client = make_client(arxiv.api_url, page_size=20, interval=0, retries=1, timeout=5)
            for arxiv_id in stage_fetch(rt, topic, day, client=client):
                stage_review(rt, topic, day, stage_pdf(rt, topic, day, arxiv_id, session=http_session()), llm=llm)
            stage_render(rt, topic, day)
            try:
                records[name] = stage_check(rt, topic, day)
            except Exception as exc:  # not published to a blog here: the record is written all the same
                assert "was not published" in str(exc)
                records[name] = json.loads(rt.state.get(rt.run_key(topic, day)))

    assert {r["papers_published"] for r in records.values()} == {2}
    assert len(gemini.calls) == 3 * 4  # three distinct papers, four sections each: the shared one asked once
    assert records["Diffusion Models"]["reused"] == {}
    assert records["3D Gaussian Splatting"]["reused"] == {"2406.50001v1": "Diffusion Models"}
    assert "2406.50001v1" not in records["3D Gaussian Splatting"]["usage_by_paper"]  # its calls are not billed twice
