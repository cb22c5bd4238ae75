"""validate.py: every defect an LLM answer can have is reported as a named Finding with section and span."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel

from arxiv_digest.llm import LLMAnswer
from arxiv_digest.models import Finding, Paper
from arxiv_digest.review import MethodsContent, OverviewContent, SummaryContent
from arxiv_digest.validate import (
    EN_MAX_CJK_SHARE,
    LANGUAGE_MIN_CHARS,
    MAX_FIELD_CHARS,
    ZH_MIN_CJK_SHARE,
    Validator,
    check_text,
)

# A clean Chinese answer for the conftest paper ("Lattice Denoisers"), with the English terms the prompt keeps.
GOOD_SUMMARY = "本文让基于 U-Net 的得分网络直接在格点上运行，并配合 DDIM 采样器把采样步数减少一半。"
GOOD_TAKEAWAYS = [
    "作者把得分匹配推广到结构化网格上，网络只需在格点处估计噪声。",
    "新的采样器在 ImageNet 上以一半的步数取得了相当的 FID，生成质量基本不变。",
    "消融实验表明，格点结构本身是效率提升的主要来源。",
]
GOOD_OVERVIEW = {
    "title_translation": "格点去噪器：结构化网格上的得分匹配",
    "affiliation": "多伦多大学计算机科学系",
    "keywords": ["扩散模型", "得分匹配", "格点采样"],
    "background": "扩散模型生成质量很高，但采样通常需要上百次网络调用，推理代价昂贵。",
    "past_methods": "以往的加速方法大多依赖知识蒸馏，需要额外训练一个学生网络，流程繁琐。",
    "method": "作者让得分网络只在规则格点上运行，并为这种结构专门设计了一个确定性采样器。",
    "performance": "在多个图像生成基准上，采样步数减半而 FID 基本持平，支持了论文的目标。",
}
# One sentence of 119 characters: too long for SummaryContent.summary (at most 100).
LONG_SUMMARY = (
    "本文提出一种让得分网络只在规则格点上运行的扩散模型，配合专门设计的确定性采样器，在图像生成、超分辨率和图像修复三类任务上"
    "都把采样步数减少了一半，同时生成质量与原方法基本持平，训练成本也没有明显增加，而且不需要额外训练任何蒸馏用的学生网络。"
)
# Findings that quote the answer: their span must be a piece of the answer's text.
QUOTING = {"REFUSAL", "CHATTER", "PLACEHOLDER", "DEGENERATE", "LANGUAGE", "WRONG_FACT", "TRUNCATED"}


def summary(text: str = GOOD_SUMMARY, takeaways: list[str] | None = None) -> dict[str, Any]:
    """A summary-section answer: the given one-sentence summary and takeaways (good ones by default)."""
    return {"summary": text, "key_takeaways": GOOD_TAKEAWAYS if takeaways is None else takeaways}


def as_json(content: dict[str, Any]) -> str:
    return json.dumps(content, ensure_ascii=False)


def check(
    paper: Paper,
    content: dict[str, Any] | str | None,
    *,
    finish_reason: str | None = "STOP",
    language: str = "zh-CN",
    schema: type[BaseModel] = SummaryContent,
    section: str = "summary",
    **answer: Any,
) -> tuple[dict[str, Any], list[Finding]]:
    """Validate one hand-built answer and check what every finding must carry."""
    text = as_json(content) if isinstance(content, dict) else content
    parsed, findings = Validator(language=language, paper=paper).check(
        section, LLMAnswer(text=text, finish_reason=finish_reason, **answer), schema
    )
    for f in findings:
        assert f.section == section, f
        assert f.message, f
        if f.code in QUOTING:
            assert f.span, f
            assert f.span in (text or ""), f
    return parsed, findings


def codes(findings: list[Finding]) -> list[str]:
    return sorted(f.code for f in findings)


# --- clean answers ------------------------------------------------------------------------------------------


def test_good_chinese_answer_with_english_terms_has_no_findings(paper: Paper) -> None:
    content, findings = check(paper, summary())
    assert findings == []
    assert content == summary()


def test_good_chinese_overview_has_no_findings(paper: Paper) -> None:
    content, findings = check(paper, GOOD_OVERVIEW, schema=OverviewContent, section="overview")
    assert findings == []
    assert content["affiliation"] == GOOD_OVERVIEW["affiliation"]


@pytest.mark.parametrize(
    "fence", ["```json\n{}\n```", "```\n{}\n```", "  ```json {} ```  "], ids=["json", "bare", "inline"]
)
def test_fenced_json_answer_parses(paper: Paper, fence: str) -> None:
    content, findings = check(paper, fence.replace("{}", as_json(summary())))
    assert findings == []
    assert content["key_takeaways"] == GOOD_TAKEAWAYS


def test_own_arxiv_id_in_another_version_is_not_a_wrong_fact(paper: Paper) -> None:
    _, findings = check(paper, summary("本文（arXiv 2406.10001v2）让格点扩散模型的采样步数减少一半。"))
    assert findings == []


def test_good_english_answer_for_english_topic_has_no_findings(paper: Paper) -> None:
    english = summary("The score network runs on a lattice, so the DDIM-style sampler needs half the steps.", [
        "Score matching is extended to structured grids.",
        "Sample quality on ImageNet stays level at half the number of steps.",
        "The lattice itself explains most of the speed-up.",
    ])
    assert check(paper, english, language="en")[1] == []


# --- refusals, chatter, placeholders --------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "抱歉，我无法访问这篇论文的全文，因此不能给出准确的总结。",
    "作为一个人工智能模型，我不能替您阅读论文的 PDF。",
    "我无法获取该论文的具体内容，请自行查阅原文。",
], ids=["apology", "as-an-ai", "cannot-get"])
def test_refusal(paper: Paper, text: str) -> None:
    _, findings = check(paper, summary(text))
    assert codes(findings) == ["REFUSAL"]


def test_english_refusal_is_a_refusal(paper: Paper) -> None:
    _, findings = check(paper, summary("I'm sorry, but I cannot access the full text of this paper."))
    assert "REFUSAL" in codes(findings)


def test_opening_chatter(paper: Paper) -> None:
    _, findings = check(paper, summary("好的，我将按照您的要求总结：格点扩散模型让采样步数减少一半。"))
    assert set(codes(findings)) == {"CHATTER"}
    assert findings[0].span.startswith("好的")


def test_closing_wish_is_chatter(paper: Paper) -> None:
    takeaways = [*GOOD_TAKEAWAYS, "希望以上总结能对您的研究有所帮助，如有疑问欢迎继续交流。"]
    _, findings = check(paper, summary(takeaways=takeaways))
    assert set(codes(findings)) == {"CHATTER", "READER_NOTE"}  # words to the requester, closing the answer
    assert all("key_takeaways[3]" in f.message for f in findings)


@pytest.mark.parametrize(("text", "span"), [
    ("该方法在 xxx 数据集上取得了最好的结果，采样步数减半。", "xxx"),
    ("第一作者的所属机构信息缺失，无法从摘要中确定。", "信息缺失"),
    ("该方法在 ImageNet 上的具体 FID 数值待补充。", "待补充"),
    ("该方法由[作者姓名]提出，使采样步数减少一半。", "[作者姓名]"),
], ids=["xxx", "missing-info", "to-be-added", "bracketed-blank"])
def test_placeholder(paper: Paper, text: str, span: str) -> None:
    _, findings = check(paper, summary(text))
    assert "PLACEHOLDER" in codes(findings)
    assert [f.span for f in findings if f.code == "PLACEHOLDER"] == [span]


# --- degenerate text -----------------------------------------------------------------------------------------


def test_sentence_repeated_in_two_fields(paper: Paper) -> None:
    repeated = "格点结构让得分网络的计算量大幅下降。"
    _, findings = check(paper, summary(repeated, [GOOD_TAKEAWAYS[0], repeated, GOOD_TAKEAWAYS[2]]))
    assert codes(findings) == ["DEGENERATE"]
    assert findings[0].span == repeated
    assert "key_takeaways[1]" in findings[0].message and "'summary'" in findings[0].message


def test_phrase_looping(paper: Paper) -> None:
    looping = "作者指出" + "采样步数减半，" * 5 + "效果不变。"
    _, findings = check(paper, summary(takeaways=[*GOOD_TAKEAWAYS[:2], looping]))
    assert codes(findings) == ["DEGENERATE"]
    assert "采样步数减半，采样步数减半，采样步数减半，" in findings[0].span


RUN_ON = (
    "作者首先把图像划分为规则的格点，然后在每个格点上独立估计得分函数，接着用一个轻量的卷积网络聚合相邻格点的信息，"
    "再把聚合后的特征送入时间条件模块，随后根据噪声水平调整每一层的归一化参数，同时在训练中随机丢弃部分格点以增强鲁棒性，"
    "并且引入一个额外的一致性损失来约束相邻两步之间的预测，此外还设计了一个自适应的步长调度器，"
    "它会根据当前样本的估计误差动态缩短或延长下一步，最后在采样阶段只保留最关键的若干步，"
    "从而在几乎不损失生成质量的情况下显著减少了网络调用次数，实验覆盖了多个公开数据集，"
    "结果显示新方法在大多数设置下都更快，作者还分析了格点密度对结果的影响，发现适中的密度效果最好，"
    "并认为更稀疏的格点会丢失纹理细节"
)


def test_run_on_passage_without_sentence_end(paper: Paper) -> None:
    assert len(RUN_ON) >= 300 and not any(c in RUN_ON for c in "。！？.!?；;")
    _, findings = check(paper, summary(takeaways=[*GOOD_TAKEAWAYS[:2], RUN_ON]))
    assert codes(findings) == ["DEGENERATE"]
    assert "run-on" in findings[0].message
    # The same clauses with sentence ends are fine.
    _, findings = check(paper, summary(takeaways=[*GOOD_TAKEAWAYS[:2], RUN_ON.replace("，", "。")]))
    assert findings == []


@pytest.mark.parametrize(("text", "span"), [
    ("按照上述要求，格点扩散模型让采样步数减少一半。", "按照上述要求"),
    ("本段依照 response schema 填写：格点扩散模型让采样步数减半。", "response schema"),
    ("以 JSON 格式给出：格点扩散模型让采样步数减少一半。", "JSON 格式"),
], ids=["as-required", "schema", "json-format"])
def test_leaked_instructions(paper: Paper, text: str, span: str) -> None:
    _, findings = check(paper, summary(text))
    assert codes(findings) == ["DEGENERATE"]
    assert findings[0].span == span


# --- answer-level failures ---------------------------------------------------------------------------------


def test_max_tokens_is_truncated(paper: Paper) -> None:
    cut = as_json(summary())[:70]
    content, findings = check(paper, cut, finish_reason="MAX_TOKENS", tokens_out=8192)
    assert (content, codes(findings)) == ({}, ["TRUNCATED"])
    assert cut.endswith(findings[0].span)


@pytest.mark.parametrize(("text", "finish", "block"), [
    (None, "SAFETY", None),
    (None, None, "PROHIBITED_CONTENT"),
    ('{"summary": "本文让格点', "RECITATION", None),
    (as_json(summary()), "safety", None),
], ids=["safety-finish", "prompt-blocked", "recitation", "lowercase"])
def test_blocked(paper: Paper, text: str | None, finish: str | None, block: str | None) -> None:
    content, findings = check(paper, text, finish_reason=finish, block_reason=block)
    assert (content, codes(findings)) == ({}, ["BLOCKED"])
    assert (block or finish or "").upper() in findings[0].message.upper()


@pytest.mark.parametrize("text", [None, "", "  \n\t"], ids=["none", "empty", "whitespace"])
def test_empty(paper: Paper, text: str | None) -> None:
    assert codes(check(paper, text)[1]) == ["EMPTY"]


def test_error_answer(paper: Paper) -> None:
    content, findings = check(paper, None, finish_reason=None, error="503 UNAVAILABLE: overloaded", transient=True)
    assert (content, codes(findings)) == ({}, ["ERROR"])
    assert "503" in findings[0].message


# --- format ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "本文让格点扩散模型的采样步数减少一半。",
    "好的，结果如下：" + as_json(summary()),
    json.dumps([summary()], ensure_ascii=False),
], ids=["prose", "prose-then-json", "array"])
def test_not_a_json_object(paper: Paper, text: str) -> None:
    content, findings = check(paper, text)
    assert (content, codes(findings)) == ({}, ["FORMAT"])
    assert findings[0].span and text.startswith(findings[0].span)


def test_summary_longer_than_100_characters(paper: Paper) -> None:
    assert len(LONG_SUMMARY) > 100
    content, findings = check(paper, summary(LONG_SUMMARY))
    assert (content, codes(findings)) == ({}, ["FORMAT"])
    assert "summary" in findings[0].message


def test_two_takeaways_are_too_few(paper: Paper) -> None:
    _, findings = check(paper, summary(takeaways=GOOD_TAKEAWAYS[:2]))
    assert codes(findings) == ["FORMAT"]
    assert "key_takeaways" in findings[0].message


def test_html_list_markup(paper: Paper) -> None:
    _, findings = check(paper, summary(takeaways=[*GOOD_TAKEAWAYS[:2], "<li>采样步数减少一半，质量基本不变。</li>"]))
    html = [f for f in findings if f.code == "FORMAT"]
    assert len(html) == 1 and html[0].span == "<li>"
    assert "HTML" in html[0].message


def test_empty_field(paper: Paper) -> None:
    _, findings = check(paper, summary(takeaways=[*GOOD_TAKEAWAYS[:2], "   "]))
    assert codes(findings) == ["FORMAT"]
    assert "key_takeaways[2]" in findings[0].message and "empty" in findings[0].message


# --- language and facts ---------------------------------------------------------------------------------------


def test_english_answer_for_chinese_topic(paper: Paper) -> None:
    text = "The authors run the score network on a lattice and halve the sampling steps."
    _, findings = check(paper, summary(text))
    assert codes(findings) == ["LANGUAGE"]
    assert text.startswith(findings[0].span)


def test_chinese_answer_for_english_topic(paper: Paper) -> None:
    _, findings = check(paper, summary(), language="en")
    assert codes(findings) == ["LANGUAGE"] * 4


@pytest.mark.parametrize("text", [
    "与 2405.01234 中的方法相比，格点扩散模型让采样步数减少一半。",
    "本文（arXiv:2311.04567v3）让格点扩散模型的采样步数减少一半。",
], ids=["plain", "versioned"])
def test_another_papers_arxiv_id_is_a_wrong_fact(paper: Paper, text: str) -> None:
    _, findings = check(paper, summary(text))
    assert codes(findings) == ["WRONG_FACT"]
    assert findings[0].span in ("2405.01234", "2311.04567v3")


# --- bugs: legitimate research writing rejected, or a defect let through ---------------------------------------


def test_wrong_fact_for_an_id_written_against_chinese_text(paper: Paper) -> None:
    _, findings = check(paper, summary("与论文2405.01234中的方法相比，格点扩散模型让采样步数减少一半。"))
    assert codes(findings) == ["WRONG_FACT"]


def test_english_affiliation_and_term_keywords_in_chinese_overview(paper: Paper) -> None:
    overview = {**GOOD_OVERVIEW, "affiliation": "University of Toronto",
                "keywords": ["扩散模型", "Score Matching", "Classifier-Free Guidance"]}
    _, findings = check(paper, overview, schema=OverviewContent, section="overview")
    assert findings == []


def test_missing_modality_is_a_research_topic_not_a_placeholder(paper: Paper) -> None:
    _, findings = check(paper, summary("本文研究模态缺失时的扩散生成，并给出一种补全缺失值的采样方法。"))
    assert findings == []


def test_limitation_of_past_methods_is_not_a_refusal(paper: Paper) -> None:
    overview = {**GOOD_OVERVIEW, "past_methods": "卷积去噪网络无法获取全局上下文，因而难以建模长程依赖。"}
    _, findings = check(paper, overview, schema=OverviewContent, section="overview")
    assert findings == []


def test_text_prompt_of_a_text_to_image_model_is_not_leaked_instructions(paper: Paper) -> None:
    _, findings = check(paper, summary("文生图扩散模型根据文本提示词生成图像，本文让其采样步数减少一半。"))
    assert findings == []


def test_inequalities_in_a_method_step_are_not_a_placeholder(paper: Paper) -> None:
    steps = {"steps": ["当 t<T 时网络在格点上预测噪声，当 t>0 时继续迭代。", "最后一步直接输出去噪后的图像。"]}
    _, findings = check(paper, steps, schema=MethodsContent, section="methods")
    assert findings == []


def test_schema_violation_quotes_the_offending_value(paper: Paper) -> None:
    _, findings = check(paper, summary(LONG_SUMMARY))
    assert findings[0].span and findings[0].span in LONG_SUMMARY


# --- taxonomy: UNGROUNDED, extended WRONG_FACT, long fields, header drift, cut-off text ---------------------------

PAPER_TEXT = (
    "We evaluate Lattice Denoisers on ImageNet and LSUN-Church with a U-Net backbone and the DDIM sampler. "
    "FID improves from 4.1 to 3.6 while the number of steps drops by 50%."
)


def check_grounded(paper: Paper, content: dict[str, Any], paper_text: str = PAPER_TEXT) -> list[Finding]:
    """Validate a summary answer against the paper's text."""
    return Validator(language="zh-CN", paper=paper, paper_text=paper_text).check(
        "summary", LLMAnswer(text=as_json(content), finish_reason="STOP"), SummaryContent)[1]


def test_grounded_numbers_and_names_pass(paper: Paper) -> None:
    text = "本文在 ImageNet 和 LSUN-Church 上用 U-Net 与 DDIM 采样，FID 从 4.1 降到 3.6，步数减少 50%。"
    assert check_grounded(paper, summary(text)) == []


@pytest.mark.parametrize(("text", "span"), [
    ("该方法在 ImageNet 上的准确率达到 94.3%，步数减半。", "94.3%"),
    ("该方法在 ImageNet 上取得 FID 3.2，步数减半。", "FID 3.2"),
    ("作者在 CelebA 数据集上验证了格点采样器，步数减半。", "CelebA"),
    ("作者提出的 LatticeFormer 让采样步数减少一半。", "LatticeFormer"),
], ids=["percent", "metric", "dataset", "method"])
def test_ungrounded(paper: Paper, text: str, span: str) -> None:
    findings = check_grounded(paper, summary(text))
    assert [(f.code, f.span) for f in findings] == [("UNGROUNDED", span)]
    assert findings[0].section == "summary"


def test_ungrounded_is_skipped_without_paper_text(paper: Paper) -> None:
    assert check_grounded(paper, summary("该方法在 CelebA 上的准确率达到 94.3%，步数减半。"), paper_text="") == []


@pytest.mark.parametrize(("text", "span"), [
    ("本文发表于2019年，让格点扩散模型的采样步数减少一半。", "发表于2019"),
    ("这篇论文的作者是 John Smith 和 Mira Okafor，他们让采样步数减半。", "John Smith"),
], ids=["year", "author"])
def test_wrong_year_or_author_is_a_wrong_fact(paper: Paper, text: str, span: str) -> None:
    _, findings = check(paper, summary(text))
    assert [(f.code, f.span) for f in findings] == [("WRONG_FACT", span)]


@pytest.mark.parametrize("text", [
    "本文发表于 2024 年，让格点扩散模型的采样步数减少一半。",
    "这篇论文的作者是 M. Okafor 和 Tomasz Lind，他们让采样步数减半。",
    "DDPM 由 Ho 等人提出，本文让格点扩散模型的采样步数减少一半。",
], ids=["own-year", "own-authors", "cited-work"])
def test_right_year_and_authors_pass(paper: Paper, text: str) -> None:
    assert check(paper, summary(text))[1] == []


def test_field_longer_than_the_bound_is_degenerate(paper: Paper) -> None:
    long = "".join(f"在第{i}组设置下，格点采样器的步数约为原来的{i}成。" for i in range(1, 40))
    assert len(long) > MAX_FIELD_CHARS
    _, findings = check(paper, {**GOOD_OVERVIEW, "background": long}, schema=OverviewContent, section="overview")
    assert codes(findings) == ["DEGENERATE"]
    assert "background" in findings[0].message and str(MAX_FIELD_CHARS) in findings[0].message


@pytest.mark.parametrize(("text", "span"), [
    ("**摘要**：格点扩散模型让采样步数减少一半。", "**摘要**"),
    ("Summary: 格点扩散模型让采样步数减少一半，质量不变。", "Summary:"),
    ("1. 格点扩散模型让采样步数减少一半，质量不变。", "1."),
    ("(2) 格点扩散模型让采样步数减少一半，质量不变。", "(2)"),
    ("## 方法\n格点扩散模型让采样步数减少一半。", "## 方法"),
], ids=["bold-header", "summary-colon", "numbered", "parenthesised", "heading"])
def test_header_drift_inside_a_field(paper: Paper, text: str, span: str) -> None:
    _, findings = check(paper, summary(takeaways=[*GOOD_TAKEAWAYS[:2], text]))
    assert [(f.code, f.span) for f in findings] == [("FORMAT", span)]
    assert "key_takeaways[2]" in findings[0].message


def test_text_that_stops_mid_clause_is_truncated(paper: Paper) -> None:
    cut = "作者把得分匹配推广到结构化网格上，并在多个数据集上比较了不同的"
    _, findings = check(paper, summary(takeaways=[*GOOD_TAKEAWAYS[:2], cut]))
    assert codes(findings) == ["TRUNCATED"]
    assert cut.endswith(findings[0].span)


def test_urls_and_english_glosses_do_not_make_chinese_english(paper: Paper) -> None:
    takeaways = [*GOOD_TAKEAWAYS[:2], "代码见 https://github.com/lattice/denoisers-official-release 仓库。",
                 "格点去噪器（Lattice Denoisers for Structured Grid Score Matching）让采样步数减半。"]
    printed = paper.model_copy(update={"comment": "Code: https://github.com/lattice/denoisers-official-release"})
    assert check(printed, summary(takeaways=takeaways))[1] == []  # the paper prints the URL, so it may be quoted


def test_language_thresholds_are_named() -> None:
    assert 0 < EN_MAX_CJK_SHARE < ZH_MIN_CJK_SHARE <= 1 and LANGUAGE_MIN_CHARS > 0


@dataclass
class Facts:
    arxiv_id: str
    title: str
    authors: list[str]
    summary: str


def test_check_text_is_the_shared_pure_function() -> None:
    facts = Facts("2403.01111v1", "Sparse Wavelet Priors", ["Lena Brandt"], "We restore images in 20 steps.")
    fields: dict[str, str | list[str]] = {"summary": "好的，本文在 2302.00001 中提出了方法。",
                                          "steps": ["采样只需 20 步。", "准确率达到 99.9%。"]}
    findings = check_text("methods", fields, language="zh-CN", paper_like=facts, source_text="We use 20 steps.")
    assert sorted((f.code, f.span) for f in findings) == [
        ("CHATTER", "好的，"), ("UNGROUNDED", "99.9%"), ("WRONG_FACT", "2302.00001")]
    assert {f.section for f in findings} == {"methods"}
    assert any("steps[1]" in f.message for f in findings)


@pytest.mark.parametrize("note", [
    "以上是对本文方法的简要归纳，细节以论文为准。",
    "注意：以上内容仅供参考，具体实现需要阅读原文获取。",
    "实验设置请您根据实际情况填写。",
    "第一作者单位：（此处填写机构名称）",
    "希望以上总结对您有所帮助。",
    "This is a brief summary of the paper; please read the original paper for details.",
])
def test_reader_notes_and_fill_in_asks_are_a_defect(paper: Paper, note: str) -> None:
    takeaways = [*GOOD_TAKEAWAYS, note]
    _, findings = check(paper, summary(takeaways=takeaways))
    assert "READER_NOTE" in codes(findings), note


def test_a_sound_sentence_is_not_a_reader_note(paper: Paper) -> None:
    sound = "作者根据实验结果调整了采样步数，并在三个数据集上与原文的基线比较。"
    _, findings = check(paper, summary(takeaways=[*GOOD_TAKEAWAYS, sound]))
    assert "READER_NOTE" not in codes(findings)
