"""render.py: the Hexo post's layout, front matter, unavailable sections, escaping and path."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from arxiv_digest.models import Attempt, Figure, FigureKind, Finding, Listing, Paper, Review, Section, SectionName
from arxiv_digest.render import LABELS, PostRenderer, post_path
from arxiv_digest.review import ConclusionContent, MethodsContent, OverviewContent, SummaryContent
from arxiv_digest.topics import Topic

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = "https://cdn.example.org/digest/"
DAY = date(2024, 6, 20)
FRONT_MATTER_KEYS = [
    "title", "date", "author", "cover", "categories", "tags", "description", "keywords", "toc", "toc_number",
    "toc_style_simple", "copyright", "copyright_author", "copyright_author_href", "copyright_url", "copyright_info",
    "mathjax", "katex", "aplayer", "highlight_shrink", "aside",
]
ZH_L, EN_L = LABELS["zh-CN"], LABELS["en"]
IMG = re.compile(r'<img src="([^"<>]*)" alt="([^"<>]*)" align="middle" loading="lazy" decoding="async">')

ZH: dict[str, dict[str, Any]] = {
    "summary": SummaryContent(
        summary="本文让得分网络只在格点上运行，使扩散模型的采样步数减少一半。",
        key_takeaways=["得分匹配被推广到结构化网格。", "采样步数减半而 FID 基本不变。", "格点结构是提速的主要来源。"],
    ).model_dump(),
    "overview": OverviewContent(
        title_translation="格点去噪器：结构化网格上的得分匹配",
        affiliation="多伦多大学",
        keywords=["扩散模型", "得分匹配", "格点"],
        background="扩散模型的采样需要上百次网络调用。",
        past_methods="蒸馏类加速方法需要额外训练学生网络。",
        method="让得分网络只在规则格点上运行，并配套设计采样器。",
        performance="在图像生成基准上步数减半，质量持平。",
    ).model_dump(),
    "methods": MethodsContent(
        steps=["把图像划分为规则格点。", "在格点上估计得分。", "用确定性采样器生成图像。"],
    ).model_dump(),
    "conclusion": ConclusionContent(
        significance="为加速扩散采样提供了一条无需蒸馏的路线。",
        innovation="格点化的思路新颖，但理论分析较少。",
        performance="步数减半而质量持平，但只在两个数据集上验证。",
        workload="实验充分，代码已开源。",
    ).model_dump(),
}
EN: dict[str, dict[str, Any]] = {
    "summary": {
        "summary": "Running the score network on a lattice halves the sampling steps.",
        "key_takeaways": ["Score matching on grids.", "Half the steps at equal FID.", "The lattice is the key."],
    },
    "overview": {"title_translation": "Lattice Denoisers", "affiliation": "University of Toronto",
                 "keywords": ["diffusion", "score matching", "lattice"], "background": "Sampling is slow.",
                 "past_methods": "Distillation needs a student network.", "method": "A lattice score network.",
                 "performance": "Half the steps at equal quality."},
    "methods": {"steps": ["Split the image into a lattice.", "Estimate the score on the lattice."]},
    "conclusion": {"significance": "A distillation-free speed-up.", "innovation": "New idea, little theory.",
                   "performance": "Good, on two datasets.", "workload": "Thorough experiments."},
}


def make_paper(paper: Paper, **changes: Any) -> Paper:
    return paper.model_copy(update=changes)


def figure(kind: FigureKind, page: int, key: str, caption: str = "") -> Figure:
    return Figure(kind=kind, number=None if kind == FigureKind.PAGE else "1", page=page, bbox=(0, 0, 100, 100),
                  caption=caption, key=key, content_type="image/png", width=800, height=600, nbytes=1234)


FIGURES = [
    figure(FigureKind.FIGURE, 2, "figures/aa/fig1.png", "Figure 1: Lattice sampler overview."),
    figure(FigureKind.TABLE, 5, "figures/bb/tab1.png", "Table 1: FID on ImageNet."),
    figure(FigureKind.PAGE, 0, "figures/cc/page0.png"),
]


def ok(name: str, content: dict[str, Any]) -> Section:
    return Section(name=SectionName(name), ok=True, content=content,
                   attempts=[Attempt(model="gemini-2.5-flash", tokens_in=900, tokens_out=300)])


def make_review(paper: Paper, contents: dict[str, dict[str, Any]] = ZH, **kw: Any) -> Review:
    options: dict[str, Any] = {"figures": FIGURES, "code_links": ["https://github.com/lattice/denoisers"]}
    options.update(kw)
    return Review(paper=paper, sections={n: ok(n, c) for n, c in contents.items()}, **options)


def topic(**kw: Any) -> Topic:
    return Topic(**{"name": "Diffusion Models", "query": 'ti:"diffusion model"', "tags": ["Diffusion Models"], **kw})


def render(reviews: list[Review], t: Topic | None = None) -> str:
    t = t or topic()
    listing = Listing(topic=t.name, listing_date=DAY, window_start=datetime(2024, 6, 18, 18, tzinfo=UTC),
                      window_end=datetime(2024, 6, 19, 18, tzinfo=UTC), query=t.search_query(),
                      total_results=len(reviews), papers=[r.paper for r in reviews])
    return PostRenderer(ROOT / "include" / "templates").render(t, listing, reviews, public_url=PUBLIC,
                                                               model="gemini-2.5-flash")


def split(post: str) -> tuple[dict[str, Any], str]:
    assert post.startswith("---\n")
    front, body = post.split("---\n", 2)[1:]
    return yaml.safe_load(front), body


def in_order(text: str, parts: list[str]) -> None:
    """Every part occurs in ``text``, each after the previous one."""
    pos = 0
    for part in parts:
        found = text.find(part, pos)
        assert found >= 0, f"{part!r} missing (or out of order) after position {pos}"
        pos = found + len(part)


# --- layout ------------------------------------------------------------------------------------------------


def test_front_matter_keys_and_values(paper: Paper) -> None:
    meta, _ = split(render([make_review(paper)]))
    assert list(meta) == FRONT_MATTER_KEYS
    assert meta["title"] == "Diffusion Models"
    assert meta["date"] == datetime(2024, 6, 20, 0, 0)
    assert meta["author"] == "arxiv-digest"
    assert meta["cover"] in {PUBLIC + f.key for f in FIGURES}
    assert meta["categories"] == "Paper"
    assert meta["tags"] == ["Diffusion Models"]
    assert paper.title in meta["description"] and "2024-06-20" in meta["description"]
    assert meta["keywords"] == "Diffusion Models"
    assert (meta["mathjax"], meta["toc_number"], meta["toc_style_simple"]) == (True, False, True)
    for key in ("toc", "copyright", "copyright_author", "katex", "aplayer", "highlight_shrink", "aside"):
        assert meta[key] is None


def test_body_follows_the_blog_layout(paper: Paper) -> None:
    _, body = split(render([make_review(paper)]))
    zh, o, c = ZH, ZH["overview"], ZH["conclusion"]
    in_order(body, [
        "\n# 2024-06-20 更新\n",
        f"\n## {paper.title}\n",
        "\n**Authors:Mira Okafor, Tomasz Lind, Wen Hao**\n",
        f"\n{paper.summary}\n",
        f"\n[PDF]({paper.pdf_url}) 12 pages, 5 figures\n",
        "\n**Summary**\n" + zh["summary"]["summary"] + "\n",
        "\n**Key Takeaways**\n" + "".join(f"- {t}\n" for t in zh["summary"]["key_takeaways"]),
        f"\n1. Title: {o['title_translation']}\n",
        "\n2. Authors: Mira Okafor, Tomasz Lind, Wen Hao\n",
        f"\n3. Affiliation: {o['affiliation']}\n",
        "\n4. Keywords: 扩散模型, 得分匹配, 格点\n",
        f"\n5. Urls: [arXiv]({paper.abs_url}), Github: "
        "[https://github.com/lattice/denoisers](https://github.com/lattice/denoisers)\n",
        "\n6. Summary:\n",
        f"\n    - (1) 研究背景：{o['background']}\n",
        f"    - (2) 过去的方法及其问题：{o['past_methods']}\n",
        f"    - (3) 研究方法：{o['method']}\n",
        f"    - (4) 任务与性能：{o['performance']}\n",
        "\n7. Methods:\n",
        "".join(f"    - ({i}) {s}\n" for i, s in enumerate(zh["methods"]["steps"], 1)),
        "\n8. Conclusion:\n",
        f"    - (1) 意义：{c['significance']}\n",
        f"    - (2) 创新点：{c['innovation']} 性能：{c['performance']} 工作量：{c['workload']}\n",
        "<details>\n  <summary>点此查看论文截图</summary>\n",
        "</details>",
    ])
    assert body.count("\n## ") == 1
    assert "本节暂不可用" not in body


def test_screenshots_page_image_first_then_figures_in_order(paper: Paper) -> None:
    _, body = split(render([make_review(paper)]))
    details = body[body.index("<details>"):body.index("</details>")]
    images = IMG.findall(details)
    assert images == [
        (PUBLIC + "figures/cc/page0.png", f"{paper.title} p.1"),
        (PUBLIC + "figures/aa/fig1.png", "Figure 1: Lattice sampler overview."),
        (PUBLIC + "figures/bb/tab1.png", "Table 1: FID on ImageNet."),
    ]
    assert details.count("<img") == 3


def test_paper_without_figures_has_no_screenshot_block(paper: Paper) -> None:
    _, body = split(render([make_review(paper, figures=[], code_links=[])]))
    assert "<details>" not in body and "<img" not in body
    assert f"5. Urls: [arXiv]({paper.abs_url}), Github: None\n" in body


def test_two_papers_in_listing_order(paper: Paper) -> None:
    other = make_paper(paper, arxiv_id="2406.10002v1", title="Consistency Anchors for Few-Step Sampling",
                       authors=["Ana Ruiz"], pdf_url="https://arxiv.org/pdf/2406.10002v1")
    _, body = split(render([make_review(paper), make_review(other, figures=[])]))
    in_order(body, [f"\n## {paper.title}\n", "</details>", f"\n## {other.title}\n", "**Authors:Ana Ruiz**"])
    assert body.count("\n## ") == 2


def test_no_papers_says_so(paper: Paper) -> None:
    meta, body = split(render([]))
    assert list(meta) == FRONT_MATTER_KEYS
    assert "今日没有与本方向相关的新论文。" in body and "## " not in body


def test_several_code_links_are_separated_by_comma_and_space(paper: Paper) -> None:
    links = ["https://github.com/lattice/denoisers", "https://huggingface.co/lattice/weights"]
    _, body = split(render([make_review(paper, code_links=links)]))
    assert "Github: " + ", ".join(f"[{u}]({u})" for u in links) + "\n" in body


# --- unavailable sections --------------------------------------------------------------------------------------


def test_unavailable_section_shows_notice_with_codes_and_none_of_its_content(paper: Paper) -> None:
    def failed(name: str, *codes: str) -> Section:
        findings = [Finding(code=c, section=name, message=f"{c} in {name}", span="x") for c in codes]
        leaked = {k: f"LEAKED-{name.upper()}-{k}" for k in ("summary", "significance", "steps")}
        return Section(name=SectionName(name), ok=False, content=leaked,
                       attempts=[Attempt(model="m", findings=[]), Attempt(model="m", findings=findings)])

    review = make_review(paper, errors=["pdf: the download was not a PDF"])
    review.sections["summary"] = failed("summary", "REFUSAL", "CHATTER", "REFUSAL")
    review.sections["conclusion"] = failed("conclusion", "TRUNCATED")
    del review.sections["methods"]
    _, body = split(render([review]))

    assert "LEAKED-" not in body and "Key Takeaways" not in body and "意义：" not in body
    assert "the download was not a PDF" not in body  # internal error text stays in the run record
    in_order(body, [
        f"> ⚠️ {ZH_L['no_pdf']}\n",
        f"**Summary**\n> ⚠️ {ZH_L['unavailable']}（REFUSAL, CHATTER）\n",
        "\n1. Title: ",  # the overview is still fine
        f"\n7. Methods:\n\n> ⚠️ {ZH_L['unavailable']}（ERROR）\n",
        f"\n8. Conclusion:\n\n> ⚠️ {ZH_L['unavailable']}（TRUNCATED）\n",
    ])


def test_section_without_paper_text_says_so_instead_of_blaming_the_model(paper: Paper) -> None:
    review = make_review(paper, errors=["pdf: not a PDF"])
    for name in ("overview", "methods", "conclusion"):
        review.sections[name] = Section(name=SectionName(name), ok=False, attempts=[Attempt(model="-", findings=[
            Finding(code="NO_TEXT", section=name, message="the paper's PDF could not be read")])])
    _, body = split(render([review]))
    assert body.count(f"> ⚠️ {ZH_L['no_text']}\n") == 3
    assert ZH_L["unavailable"] not in body
    assert "**Key Takeaways**" in body  # the abstract-based summary is still shown


def test_unavailable_overview_falls_back_to_metadata(paper: Paper) -> None:
    review = make_review(paper)
    review.sections["overview"] = Section(name=SectionName.OVERVIEW, ok=False, attempts=[
        Attempt(model="m", findings=[Finding(code="LANGUAGE", section="overview", message="not Chinese")])])
    _, body = split(render([review]))
    in_order(body, [
        f"\n1. Title: {paper.title}\n", "\n2. Authors: Mira Okafor, Tomasz Lind, Wen Hao\n",
        f"\n5. Urls: [arXiv]({paper.abs_url})\n", "\n6. Summary:\n",
        f"> ⚠️ {ZH_L['unavailable']}（LANGUAGE）\n", "\n7. Methods:\n",
    ])
    assert "3. Affiliation" not in body and ZH["overview"]["affiliation"] not in body


# --- front matter and escaping ------------------------------------------------------------------------------


def test_title_with_colon_and_quotes_keeps_front_matter_valid(paper: Paper) -> None:
    title = 'Lattice Denoisers: "Score" Matching — it\'s #1: yes'
    name = 'Diffusion: "Score" Models'
    meta, body = split(render([make_review(make_paper(paper, title=title))], topic(name=name, tags=[name, "no"])))
    assert list(meta) == FRONT_MATTER_KEYS
    assert meta["title"] == name and meta["keywords"] == name
    assert meta["tags"] == [name, "no"]  # not the YAML boolean false
    assert meta["description"].endswith(": " + title)
    heading = next(line for line in body.splitlines() if line.startswith("## "))
    assert html.unescape(heading) == f"## {title}"


EVIL = "# Injected heading <script>alert(1)</script> <img src=x onerror=alert(2)> {{ site }} {% raw %} {# c #} " \
       "[x](javascript:alert(1))"


def _inject(where: str, paper: Paper) -> Review:
    if where in ("title", "summary", "comment"):
        return make_review(make_paper(paper, **{where: EVIL}))
    if where == "authors":
        return make_review(make_paper(paper, authors=["Mira Okafor", EVIL]))
    if where == "abstract-lines":
        return make_review(make_paper(paper, summary=f"First line.\n{EVIL}\n\n## Another\n> quote"))
    if where == "caption":
        return make_review(paper, figures=[figure(FigureKind.FIGURE, 1, "figures/dd/f.png", EVIL)])
    if where == "error":
        return make_review(paper, errors=[EVIL])
    section, field = where.split(".")
    content = {k: dict(v) for k, v in ZH.items()}
    value = content[section][field]
    content[section][field] = [EVIL, *value[1:]] if isinstance(value, list) else EVIL
    return make_review(paper, content)


@pytest.mark.parametrize("where", [
    "title", "summary", "comment", "authors", "abstract-lines", "caption", "error",
    "summary.summary", "summary.key_takeaways", "overview.title_translation", "overview.keywords",
    "overview.background", "methods.steps", "conclusion.significance", "conclusion.workload",
])
def test_untrusted_text_cannot_inject_html_hexo_tags_links_or_headings(paper: Paper, where: str) -> None:
    post = render([_inject(where, paper)])
    meta, body = split(post)
    assert list(meta) == FRONT_MATTER_KEYS  # the front matter still parses
    assert "<script" not in post.lower()
    assert len(re.findall(r"<img\b", post, re.I)) == len(IMG.findall(post)), "an <img> that is not ours"
    assert all(src.startswith(PUBLIC) for src, _ in IMG.findall(post))
    assert all(IMG.fullmatch(tag) for tag in re.findall(r"<img\b[^>]*>", post, re.I)), "an attribute was injected"
    for tag in ("{{", "{%", "{#"):
        assert tag not in body
    assert not re.search(r"\]\(\s*javascript:", body, re.I)  # front matter is YAML text, not Markdown
    assert not re.search(r"<\s*javascript:", post, re.I)
    headings = [line for line in body.splitlines() if re.match(r"\s{0,3}#{1,6}\s", line)]
    assert len(headings) == 2, headings
    assert headings[0] == "# 2024-06-20 更新" and headings[1].startswith("## ")
    assert not re.search(r"^\s{0,3}>\s*quote", body, re.M)
    if where != "error":  # error texts are not shown at all
        assert "Injected heading" in body  # the text is shown, only made inert


def test_caption_quote_cannot_break_out_of_alt(paper: Paper) -> None:
    caption = 'Figure 2: the "lattice" view" onerror="alert(1)" data-x="'
    _, body = split(render([make_review(paper, figures=[figure(FigureKind.FIGURE, 1, "figures/ee/f.png", caption)])]))
    tags = re.findall(r"<img\b[^>]*>", body)
    assert len(tags) == 1
    assert IMG.findall(body) == [(PUBLIC + "figures/ee/f.png", html.escape(caption, quote=True))]
    assert html.unescape(IMG.findall(body)[0][1]) == caption


# --- English topic and post path ------------------------------------------------------------------------------


def test_english_topic_uses_english_labels(paper: Paper) -> None:
    review = make_review(paper, EN)
    review.sections["conclusion"] = Section(name=SectionName.CONCLUSION, ok=False, attempts=[
        Attempt(model="m", findings=[Finding(code="EMPTY", section="conclusion", message="empty")])])
    meta, body = split(render([review], topic(language="en")))
    assert list(meta) == FRONT_MATTER_KEYS
    in_order(html.unescape(body), [
        "Generated automatically by the language model gemini-2.5-flash",
        "\n# 2024-06-20 Update\n", "**Summary**\n" + EN["summary"]["summary"], "**Paper review**",
        "1. Title: Lattice Denoisers", "- (1) Background", "- (2) Past methods and their problems",
        "7. Methods:", "8. Conclusion:", EN_L["unavailable"],
        "<summary>Click to see the paper's figures</summary>",
    ])
    for chinese in ("更新", "论文速览", "研究背景", "意义", "点此查看论文截图", "本节暂不可用", "大语言模型"):
        assert chinese not in post_text(meta, body)


def post_text(meta: dict[str, Any], body: str) -> str:
    return yaml.safe_dump(meta, allow_unicode=True) + body


def test_english_post_has_no_full_width_punctuation(paper: Paper) -> None:
    review = make_review(paper, EN)
    review.sections["methods"] = Section(name=SectionName.METHODS, ok=False, attempts=[
        Attempt(model="m", findings=[Finding(code="EMPTY", section="methods", message="empty")])])
    _, body = split(render([review], topic(language="en")))
    assert "：" not in body and "（" not in body


def test_post_path() -> None:
    assert post_path("source/_posts/Paper", DAY, topic()) == "source/_posts/Paper/2024-06-20/Diffusion Models.md"
    assert post_path("source/_posts/Paper/", DAY, topic()) == "source/_posts/Paper/2024-06-20/Diffusion Models.md"
    assert post_path("posts", DAY, topic(name="Flow/Diffusion")) == "posts/2024-06-20/Flow-Diffusion.md"


def test_cut_and_waiting_papers_are_listed_compactly_under_headings_that_say_why(paper: Paper) -> None:
    t = topic(max_papers=1)
    cut = make_paper(paper, arxiv_id="2406.10009v1", title="Cut <b>Paper</b>", authors=["Zed Q"],
                     abs_url="https://arxiv.org/abs/2406.10009v1")
    waiting = make_paper(paper, arxiv_id="2406.10008v1", title="Waiting Paper", abs_url="https://arxiv.org/abs/2406.10008v1")
    listing = Listing(topic=t.name, listing_date=DAY, window_start=datetime(2024, 6, 18, 18, tzinfo=UTC),
                      window_end=datetime(2024, 6, 19, 18, tzinfo=UTC), query=t.search_query(), total_results=3,
                      papers=[paper, waiting], cut=[cut])
    post = PostRenderer(ROOT / "include" / "templates").render(
        t, listing, [make_review(paper)], public_url=PUBLIC, model="gemini-2.5-flash",
        waiting={waiting.arxiv_id: "deferred: the LLM's daily quota was used up"},
    )
    _, body = split(post)
    headings = [h for h in body.splitlines() if h.startswith("## ")]
    assert headings == [f"## {paper.title}", f"## {ZH_L['waiting']}", "## " + ZH_L["cut"].format(n=1)]
    assert "- [Cut &lt;b&gt;Paper&lt;/b&gt;](https://arxiv.org/abs/2406.10009v1), Zed Q\n" in body
    assert "- [Waiting Paper](https://arxiv.org/abs/2406.10008v1), " in body and "daily quota" in body
    assert body.count("**Authors:") == 1  # cut and waiting papers get a line each, not a review
