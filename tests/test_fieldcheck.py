"""fieldcheck.py: keywords, translated title, affiliation, grounded numbers, echoed labels, cross-section repeats."""

from __future__ import annotations

import json

import pytest

from arxiv_digest.fieldcheck import (
    check_affiliation,
    check_keywords,
    check_numbers,
    check_title,
    cross_repeats,
    strip_echoed_labels,
)
from arxiv_digest.llm import LLMAnswer
from arxiv_digest.models import Paper
from arxiv_digest.sections import spec
from arxiv_digest.validate import Validator

TITLE = "SDXL-Lattice: 2-Step Score Matching on Structured Grids"
FIRST_PAGE = ("SDXL-Lattice: 2-Step Score Matching on Structured Grids\nMira Okafor1, Tomasz Lind2\n"
              "1 University of Toronto 2 Max Planck Institute for Informatics\nAbstract\nWe study lattices.")


def codes(findings: list) -> list[str]:  # type: ignore[type-arg]
    return [f.code for f in findings]


@pytest.mark.parametrize(("keywords", "bad"), [
    (["扩散模型", "得分匹配", "格点"], False),
    (["扩散模型"] * 5, True),
    (["Score Matching", "score matching", "格点"], True),
    (["ＳＤＸＬ", "SDXL", "格点"], True),  # full-width is the same keyword
    (["Diffusion Models", "得分匹配", "格点"], True),  # only the topic's name
    (["扩散模型", "得分匹配"], True),
    ([f"关键词{i}" for i in range(9)], True),
])
def test_keywords(keywords: list[str], bad: bool) -> None:
    assert bool(check_keywords("overview", keywords, topic="Diffusion Models")) is bad


@pytest.mark.parametrize(("translation", "bad"), [
    ("SDXL-Lattice：结构化网格上的 2 步得分匹配", False),
    ("结构化网格上的得分匹配", True),  # drops the name and the number
    ("SDXL-Lattice：实验部分在多个数据集上验证了方法的有效性", True),  # a statement, not the title
    ("SDXL-Lattice：2 步得分匹配。", True),
    ("SDXL-Lattice 2", True),  # far too short for this title
    ("SDXL-Lattice 与 FLUX：2 步得分匹配", True),  # names a term the title does not
])
def test_translated_title(translation: str, bad: bool) -> None:
    assert bool(check_title("overview", translation, TITLE, language="zh-CN")) is bad


def test_a_question_title_keeps_its_question_mark() -> None:
    assert check_title("overview", "LLM 会遗忘吗？一项关于 RAG 的研究", "Do LLMs Forget? A Study of RAG",
                       language="zh-CN") == []


@pytest.mark.parametrize(("affiliation", "bad"), [
    ("University of Toronto", False),
    ("多伦多大学 (University of Toronto)", False),  # a translation beside the printed name
    ("Max Planck Institute for Informatics", False),
    ("某大学计算机学院", True),  # invented, and not the printed name
    ("多伦多大学", True),  # a translation alone cannot be checked against the page
    ("Stanford University", True),
    ("论文首页未注明作者单位", False),
])
def test_affiliation_must_be_on_the_first_page(affiliation: str, bad: bool) -> None:
    assert bool(check_affiliation("overview", affiliation, FIRST_PAGE)) is bad


def test_affiliation_in_a_chinese_paper() -> None:
    assert check_affiliation("overview", "清华大学", "格点去噪器\n张三 清华大学\n摘要") == []
    assert codes(check_affiliation("overview", "北京大学", "格点去噪器\n张三 清华大学\n摘要")) == ["AFFILIATION"]


@pytest.mark.parametrize(("text", "bad"), [
    ("采样步数从 1,000 减少到 50，FID 为 3.21。", False),
    ("FID 降到 2.95。", True),
    ("提升了 12%。", True),
    ("方法分 3 步。", False),  # a single digit counts steps, it is not data
])
def test_numbers_must_be_in_the_source(text: str, bad: bool) -> None:
    source = "We cut the steps from 1000 to 50 and reach FID 3.21."
    assert bool(check_numbers("methods", "steps[0]", text, source)) is bad


def test_echoed_labels_are_stripped() -> None:
    content = {"performance": "(4) 任务与性能：任务与性能：步数减半。", "background": "Background: 采样很慢。",
               "method": "研究方法很新。", "keywords": ["任务与性能：x"]}
    out = strip_echoed_labels(spec("overview"), content)
    assert out == {"performance": "步数减半。", "background": "采样很慢。", "method": "研究方法很新。",
                   "keywords": ["任务与性能：x"]}
    assert strip_echoed_labels(spec("overview"), {"performance": "任务与性能："})["performance"] == "任务与性能："


def test_cross_section_repeat_names_the_earlier_section() -> None:
    earlier = {"summary": {"summary": "短句。", "key_takeaways": ["格点上的得分网络让采样步数减半。", "其他。"]}}
    found = cross_repeats("methods", {"steps": ["第一步。", "格点上的得分网络让采样步数减半。"]}, earlier)
    assert codes(found) == ["DEGENERATE"] and "key_takeaways[0]' in section summary" in found[0].message
    assert cross_repeats("methods", {"steps": ["第一步，划分格点。", "第二步，估计得分。"]}, earlier) == []


def test_validator_runs_the_field_checks_and_strips_labels(paper: Paper) -> None:
    overview = {"title_translation": "实验部分验证了方法的有效性", "affiliation": "某大学计算机学院",
                "keywords": ["扩散模型"] * 4, "background": "扩散模型的采样需要上百次网络调用。",
                "past_methods": "蒸馏类加速方法需要额外训练学生网络。", "method": "让得分网络只在规则格点上运行。",
                "performance": "任务与性能：在图像生成基准上步数减半，FID 为 9.99。"}
    validator = Validator(language="zh-CN", paper=paper, topic="Diffusion Models", first_page=FIRST_PAGE)
    content, findings = validator.check("overview", LLMAnswer(text=json.dumps(overview), finish_reason="STOP"),
                                        spec("overview").schema, source_text="The sampler halves the steps.")
    assert sorted(set(codes(findings))) == ["AFFILIATION", "KEYWORDS", "TITLE", "UNGROUNDED"]
    assert content["performance"].startswith("在图像生成基准上")
