"""lint.py: ``digest lint`` finds every defect class in a post, per paper and section, using the post's own facts."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from arxiv_digest.lint import add_subparser, lint_paths, lint_post, lint_text, main
from arxiv_digest.models import Attempt, Finding, Listing, Paper, Review, Section, SectionName
from arxiv_digest.render import PostRenderer
from arxiv_digest.topics import Topic

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "lint"
CLEAN, DEFECTIVE = FIXTURES / "clean_post.md", FIXTURES / "defective_post.md"
EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"

ZH: dict[str, dict[str, Any]] = {
    "summary": {"summary": "本文让得分网络只在格点上运行，使扩散模型的采样步数减少一半。",
                "key_takeaways": ["得分匹配被推广到结构化网格上。", "采样步数减半而生成质量基本不变。",
                                  "消融实验表明格点结构是提速的主要来源。"]},
    "overview": {"title_translation": "格点去噪器：结构化网格上的得分匹配", "affiliation": "University of Toronto",
                 "keywords": ["扩散模型", "得分匹配", "格点"],
                 "background": "扩散模型的采样通常需要上百次网络调用，推理代价很高。",
                 "past_methods": "以往的加速方法依赖蒸馏，需要额外训练一个学生网络。",
                 "method": "作者让得分网络只在规则格点上运行，并为此设计了确定性采样器。",
                 "performance": "在图像生成基准上采样步数减半，而生成质量与原方法持平。"},
    "methods": {"steps": ["把图像划分为规则的格点。", "在每个格点上估计得分函数。", "用确定性采样器逐步生成图像。"]},
    "conclusion": {"significance": "为加速扩散采样提供了一条无需蒸馏的路线。",
                   "innovation": "格点化的思路新颖，但理论分析较少。",
                   "performance": "步数减半而质量持平，但只在两个数据集上验证。",
                   "workload": "实验覆盖多个数据集，代码已经开源。"},
}
EN: dict[str, dict[str, Any]] = {
    "summary": {"summary": "Running the score network on a lattice halves the sampling steps.",
                "key_takeaways": ["Score matching is extended to structured grids.",
                                  "Sample quality stays level at half the steps.",
                                  "The lattice itself explains most of the speed-up."]},
    "overview": {"title_translation": "Lattice Denoisers", "affiliation": "University of Toronto",
                 "keywords": ["diffusion", "score matching", "lattice"],
                 "background": "Sampling from diffusion models takes hundreds of network calls.",
                 "past_methods": "Earlier speed-ups distil a student network, which costs extra training.",
                 "method": "The score network runs on a regular lattice with a matching deterministic sampler.",
                 "performance": "Image benchmarks need half the steps at the same sample quality."},
    "methods": {"steps": ["Split the image into a regular lattice.", "Estimate the score on every lattice point."]},
    "conclusion": {"significance": "A speed-up for diffusion sampling that needs no distillation.",
                   "innovation": "The lattice idea is new, but the theory is thin.",
                   "performance": "Half the steps at equal quality, shown on two datasets.",
                   "workload": "Experiments cover several datasets and the code is released."},
}


def section(name: str, content: dict[str, Any] | None) -> Section:
    if content is None:
        return Section(name=SectionName(name), ok=False, attempts=[Attempt(model="m", findings=[
            Finding(code="CHATTER", section=name, message="chatter")])])
    return Section(name=SectionName(name), ok=True, content=content, attempts=[Attempt(model="m")])


def render_post(paper: Paper, language: str = "zh-CN") -> str:
    """A post in this project's layout: one complete paper and one whose overview was unavailable, PDF unread."""
    contents = ZH if language == "zh-CN" else EN
    second = paper.model_copy(update={"arxiv_id": "2406.10002v2", "title": "Second Paper on Lattice Sampling",
                                      "abs_url": "https://arxiv.org/abs/2406.10002v2",
                                      "pdf_url": "https://arxiv.org/pdf/2406.10002v2", "comment": None})
    reviews = [
        Review(paper=paper, code_links=["https://github.com/lattice/denoisers"],
               sections={n: section(n, c) for n, c in contents.items()}),
        Review(paper=second, errors=["pdf: download failed"],
               sections={n: section(n, None if n == "overview" else c) for n, c in contents.items()}),
    ]
    t = Topic(name="Diffusion Models", query="diffusion", language=language)  # type: ignore[arg-type]
    listing = Listing(topic=t.name, listing_date=date(2024, 6, 20), window_start=datetime(2024, 6, 18, tzinfo=UTC),
                      window_end=datetime(2024, 6, 19, tzinfo=UTC), query=t.query, total_results=2,
                      papers=[r.paper for r in reviews])
    return PostRenderer(ROOT / "include" / "templates").render(t, listing, reviews, public_url="https://cdn/",
                                                               model="gemini-2.5-flash")


def where(report: Any) -> Counter[tuple[int, str, str]]:
    """(paper number, section, code) -> number of findings."""
    return Counter((i, f.section, f.code) for i, p in enumerate(report.papers, 1) for f in p.findings)


# --- this project's own posts are clean -------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_rendered_post_has_no_findings(paper: Paper, language: str) -> None:
    report = lint_text(render_post(paper, language))
    assert report.language == language
    assert [p.arxiv_id for p in report.papers] == ["2406.10001v1", "2406.10002v2"]
    assert report.all_findings() == []


def test_clean_fixture_is_the_renderers_layout(paper: Paper) -> None:
    assert CLEAN.read_text(encoding="utf-8") == render_post(paper)
    report = lint_post(CLEAN)
    assert report.all_findings() == [] and len(report.papers) == 2


# --- every defect class, at the right paper and section -------------------------------------------------------

EXPECTED = [
    (1, "summary", "FORMAT", "**摘要**"),  # header drift
    (1, "summary", "FORMAT", "**主要要点**"),
    (1, "summary", "CHATTER", "好的，"),
    (1, "overview", "FORMAT", "题目"),  # labels drifted from the template's
    (1, "overview", "FORMAT", "HTML list"),
    (1, "overview", "PLACEHOLDER", "信息缺失"),
    (1, "overview", "WRONG_FACT", "Maria Rossi"),  # wrong author list
    (1, "overview", "WRONG_FACT", "2311.05555"),  # another paper's link
    (1, "methods", "FORMAT", "方法"),
    (1, "methods", "REFUSAL", "Please refer to"),
    (1, "methods", "LANGUAGE", "Please refer to"),  # English where Chinese was asked
    (1, "conclusion", "FORMAT", "结论"),
    (1, "conclusion", "DEGENERATE", "作者在小波域学习一个稀疏扩散先验"),  # repeated paragraph
    (2, "summary", "FORMAT", "**Summary:**"),
    (2, "summary", "UNGROUNDED", "94.3%"),
    (2, "summary", "UNGROUNDED", "FID 3.2"),
    (2, "overview", "CHATTER", "好的，"),
    (2, "overview", "TRUNCATED", "按照记录下来的"),
    (2, "overview", "LANGUAGE", "The method reduces"),
    (2, "methods", "FORMAT", "方法论"),
    (2, "methods", "DEGENERATE", "计算相邻帧令牌"),  # run-on
    (2, "methods", "PLACEHOLDER", "xxx"),
    (2, "conclusion", "FORMAT", ""),  # item 8 missing
]


@pytest.mark.parametrize(("paper_no", "section_name", "code", "span"), EXPECTED,
                         ids=[f"{n}-{s}-{c}-{i}" for i, (n, s, c, _) in enumerate(EXPECTED)])
def test_defective_fixture(paper_no: int, section_name: str, code: str, span: str) -> None:
    report = lint_post(DEFECTIVE)
    found = [f for f in report.papers[paper_no - 1].findings if (f.section, f.code) == (section_name, code)]
    assert found, f"no {code} in paper {paper_no} {section_name}: {report.table()}"
    assert any(span in f.span or span in f.message for f in found), found


def test_defective_fixture_has_nothing_unexpected() -> None:
    report = lint_post(DEFECTIVE)
    assert set(where(report)) == {(n, s, c) for n, s, c, _ in EXPECTED}
    assert [p.arxiv_id for p in report.papers] == ["2403.01111v1", "2403.02222v1"]
    assert report.papers[0].title == "Sparse Wavelet Priors for Blind Image Restoration"


def test_correct_author_variants_are_not_wrong_facts() -> None:
    post = DEFECTIVE.read_text(encoding="utf-8").replace(
        "作者：Maria Rossi, Omar Haddad, Peter Novak", "作者：L. Brandt<em>1, Omar Haddad</em>2、Yuki Tanaka*")
    assert not [f for f in lint_text(post).papers[0].findings if "author" in f.message]


def test_author_order_and_translated_names_are_wrong_facts() -> None:
    post = DEFECTIVE.read_text(encoding="utf-8")
    swapped = lint_text(post.replace("Maria Rossi, Omar Haddad, Peter Novak", "Omar Haddad, Lena Brandt, Yuki Tanaka"))
    assert any("order" in f.message for f in swapped.papers[0].findings if f.code == "WRONG_FACT")
    translated = lint_text(post.replace("Maria Rossi, Omar Haddad, Peter Novak", "布兰特、哈达德、田中"))
    assert any("translated" in f.message for f in translated.papers[0].findings if f.code == "WRONG_FACT")


# --- outputs, exit status, folders ------------------------------------------------------------------------------


def test_json_output_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(DEFECTIVE), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"posts", "counts", "findings"}
    post = data["posts"][0]
    assert set(post) == {"path", "language", "counts", "by_section", "findings", "papers"}
    assert post["language"] == "zh-CN" and post["path"] == str(DEFECTIVE)
    first = post["papers"][0]
    assert set(first) == {"title", "arxiv_id", "line", "findings"} and first["arxiv_id"] == "2403.01111v1"
    assert set(first["findings"][0]) == {"code", "section", "message", "span"}
    assert data["findings"] == sum(data["counts"].values()) == sum(post["counts"].values()) > 0


def test_table_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(DEFECTIVE)]) == 1
    out = capsys.readouterr().out
    assert "2403.01111v1" in out and "WRONG_FACT" in out and "by code:" in out
    assert out.rstrip().splitlines()[-1].startswith("1 posts, ")


def test_exit_status(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main([str(CLEAN)]) == 0
    assert main([str(DEFECTIVE)]) == 1
    assert main([str(tmp_path / "absent.md")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_folder_mode_is_recursive(tmp_path: Path) -> None:
    (tmp_path / "2024" / "03").mkdir(parents=True)
    shutil.copy(CLEAN, tmp_path / "a.md")
    shutil.copy(DEFECTIVE, tmp_path / "2024" / "03" / "b.md")
    (tmp_path / "notes.txt").write_text("not a post")
    reports = lint_paths([tmp_path])
    assert {Path(r.path).name: bool(r.all_findings()) for r in reports} == {"a.md": False, "b.md": True}
    assert main([str(tmp_path), "--json"]) == 1


def test_subparser_registration() -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="digest")
    add_subparser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["lint", str(CLEAN), "--json"])
    assert args.json and args.func(args) == 0


# --- the original blog's example posts --------------------------------------------------------------------------

# Codes each example must show, with the least number of findings measured when this test was written.
EXAMPLE_FINDINGS: dict[str, dict[str, int]] = {
    "2024-01-24 Diffusion Models.md": {
        "FORMAT": 90, "DEGENERATE": 25, "WRONG_FACT": 11, "PLACEHOLDER": 5, "LANGUAGE": 3, "CHATTER": 1,
        "UNGROUNDED": 1,
    },
    "2024-06-20 Diffusion Models.md": {
        "FORMAT": 15, "CHATTER": 13, "PLACEHOLDER": 9, "DEGENERATE": 8, "REFUSAL": 4, "LANGUAGE": 2,
        "WRONG_FACT": 2, "TRUNCATED": 1, "READER_NOTE": 1,
    },
}
# Defects a reader sees in the examples, each pinned to its paper, section and code.
EXAMPLE_DEFECTS = [
    ("2024-06-20 Diffusion Models.md", "2406.12459", "overview", "CHATTER"),  # 好的，我将根据…
    ("2024-06-20 Diffusion Models.md", "2406.12459", "overview", "TRUNCATED"),
    ("2024-06-20 Diffusion Models.md", "2406.12459", "overview", "WRONG_FACT"),  # translated author names
    ("2024-06-20 Diffusion Models.md", "2406.12042", "overview", "REFUSAL"),  # Please refer to relevant websites
    ("2024-06-20 Diffusion Models.md", "2406.12042", "methods", "FORMAT"),  # no item 7
    ("2024-06-20 Diffusion Models.md", "2406.11909", "overview", "PLACEHOLDER"),  # 作者信息缺失
    ("2024-06-20 Diffusion Models.md", "2406.11713", "overview", "CHATTER"),  # 希望这个回答能满足您的要求
    ("2024-06-20 Diffusion Models.md", "2406.11427", "methods", "LANGUAGE"),
    ("2024-01-24 Diffusion Models.md", "2401.12208", "summary", "FORMAT"),  # **摘要** / **主要要点**
    ("2024-01-24 Diffusion Models.md", "2401.12208", "methods", "PLACEHOLDER"),  # Some Error for method
    ("2024-01-24 Diffusion Models.md", "2401.11949", "overview", "WRONG_FACT"),  # another paper's authors
    ("2024-01-24 Diffusion Models.md", "2401.11430", "overview", "WRONG_FACT"),  # DiTi title, 2302.04522 link
    ("2024-01-24 Diffusion Models.md", "2401.11605", "methods", "PLACEHOLDER"),  # <Methods>
    ("2024-01-24 Diffusion Models.md", "2401.12070", "conclusion", "DEGENERATE"),  # repeated items
    ("2024-01-24 Diffusion Models.md", "2401.11760", "conclusion", "LANGUAGE"),  # Innovation point: …
]


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason=f"{EXAMPLES} is not present")
def test_examples_findings() -> None:
    reports = {Path(r.path).name: r for r in lint_paths([EXAMPLES])}
    assert set(EXAMPLE_FINDINGS) <= set(reports)
    for name, minimum in EXAMPLE_FINDINGS.items():
        counts = reports[name].counts()
        short = {code: (counts.get(code, 0), n) for code, n in minimum.items() if counts.get(code, 0) < n}
        assert not short, f"{name}: (found, expected at least) {short}"
    for name, arxiv, section_name, code in EXAMPLE_DEFECTS:
        paper = next(p for p in reports[name].papers if p.arxiv_id.startswith(arxiv))
        assert any((f.section, f.code) == (section_name, code) for f in paper.findings), (name, arxiv, code)
    assert all(p.findings for r in reports.values() for p in r.papers)  # no example paper is clean
    assert main([str(EXAMPLES)]) == 1
