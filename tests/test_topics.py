"""topics.yaml: the shipped file, the search query, slugs, and errors that name the file, the topic and the field."""

from __future__ import annotations

import re
from datetime import UTC, datetime
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
    assert [t.name for t in topics] == ["Diffusion Models"]
    topic = topics[0]
    assert topic.categories == ["cs.CV", "cs.LG", "cs.AI", "cs.GR"]
    assert topic.language == "zh-CN"
    assert topic.max_papers is None  # every on-topic paper is reviewed
    assert topic.dag_id == "arxiv_digest__diffusion_models"
    parse_query(topic.search_query())  # the real query grammar accepts it


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
