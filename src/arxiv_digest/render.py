"""Render a topic's day as a Hexo post (butterfly front matter) with jinja2; untrusted text never becomes HTML."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markupsafe import Markup

from .models import FigureKind, Listing, Review
from .topics import Topic

_BLOCK_START = re.compile(r"^(\s*)([#>+\-*=|`~]|\d+[.)])")


def md_escape(value: object) -> Markup:
    """Untrusted text as one inert Markdown line: HTML-escaped, Hexo tag braces and link brackets neutralised."""
    if isinstance(value, Markup):
        return value
    text = " ".join(str(value).split()) if value is not None else ""
    text = html.escape(text, quote=True)
    text = text.replace("{", "&#123;").replace("}", "&#125;").replace("[", "&#91;").replace("]", "&#93;")
    text = _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return Markup(text)  # noqa: S704 - escaped just above


def _plain(value: object) -> str:
    """Front-matter text: one line, no angle brackets (themes print some fields unescaped)."""
    return " ".join(str(value).split()).replace("<", "‹").replace(">", "›")


LABELS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "updated": "更新", "colon": "：", "lp": "（", "rp": "）",
        "screenshots": "点此查看论文截图",
        "review": "论文速览",
        "title": "Title",
        "authors": "Authors",
        "affiliation": "Affiliation",
        "keywords": "Keywords",
        "urls": "Urls",
        "summary": "Summary",
        "methods": "Methods",
        "conclusion": "Conclusion",
        "background": "研究背景",
        "past_methods": "过去的方法及其问题",
        "method": "研究方法",
        "performance": "任务与性能",
        "significance": "意义",
        "innovation": "创新点",
        "perf": "性能",
        "workload": "工作量",
        "unavailable": "本节暂不可用：模型的回答未通过校验",
        "no_pdf": "未能读取论文 PDF，本文只有基于摘要的内容与元数据",
        "no_text": "论文全文不可用，本节从缺",
        "description": "{topic} 方向 {date} 的 arXiv 新论文速览，共 {n} 篇",
        "disclaimer": "以下内容由大语言模型 {model} 根据 arXiv 元数据与论文全文自动生成，可能有误，仅供论文初筛参考",
        "no_papers": "今日没有与本方向相关的新论文。",
        "cut": "未收录的论文（超出每日上限 max_papers={n}，按相关性保留前 {n} 篇）",
        "waiting": "待后续评述的论文（今日大语言模型配额已用完）",
    },
    "en": {
        "updated": "Update", "colon": ": ", "lp": " (", "rp": ")",
        "screenshots": "Click to see the paper's figures",
        "review": "Paper review",
        "title": "Title",
        "authors": "Authors",
        "affiliation": "Affiliation",
        "keywords": "Keywords",
        "urls": "Urls",
        "summary": "Summary",
        "methods": "Methods",
        "conclusion": "Conclusion",
        "background": "Background",
        "past_methods": "Past methods and their problems",
        "method": "Method",
        "performance": "Tasks and performance",
        "significance": "Significance",
        "innovation": "Innovation",
        "perf": "Performance",
        "workload": "Workload",
        "unavailable": "This section is unavailable: the model's answer failed validation",
        "no_pdf": "The paper's PDF could not be read: only the abstract-based parts are shown",
        "no_text": "The paper's full text is unavailable, so this section is missing",
        "description": "{topic}: {n} new arXiv papers on {date}",
        "disclaimer": "Generated automatically by the language model {model} from arXiv metadata and the papers' "
        "text. It may contain mistakes; use it only to decide what to read.",
        "no_papers": "No new papers on this topic today.",
        "cut": "Not reviewed: over the daily limit (max_papers={n}; the {n} most relevant were kept)",
        "waiting": "Waiting for a later run (the LLM's daily quota was used up)",
    },
}


class PostRenderer:
    """Jinja2 environment over ``include/templates`` where every ``{{ }}`` is escaped unless built by code."""

    def __init__(self, templates: Path):
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates),
            autoescape=True,
            finalize=md_escape,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

    def front_matter(self, topic: Topic, listing: Listing, reviews: list[Review], public_url: str) -> Markup:
        """The butterfly front matter, keys in the examples' order, YAML-dumped so any title stays valid."""
        labels = LABELS[topic.language]
        cover = next((public_url + f.key for r in reviews for f in r.figures), "")
        first = reviews[0].paper.title if reviews else ""
        description = labels["description"].format(topic=topic.name, date=listing.listing_date, n=len(reviews))
        data: dict[str, Any] = {
            "title": _plain(topic.name),
            "date": datetime.combine(listing.listing_date, time(0, 0)),
            "author": _plain(topic.author),
            "cover": cover,
            "categories": "Paper",
            "tags": [_plain(t) for t in (topic.tags or [topic.name])],
            "description": _plain(f"{description}: {first}" if first else description),
            "keywords": _plain(topic.name),
            **dict.fromkeys(
                [
                    "toc",
                    "toc_number",
                    "toc_style_simple",
                    "copyright",
                    "copyright_author",
                    "copyright_author_href",
                    "copyright_url",
                    "copyright_info",
                ],
                None,
            ),
            "mathjax": True,
            **dict.fromkeys(["katex", "aplayer", "highlight_shrink", "aside"], None),
        }
        data["toc_number"], data["toc_style_simple"] = False, True
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000, indent=4)
        text = re.sub(r": null$", ":", text, flags=re.M)
        return Markup(text.strip())  # noqa: S704 - YAML built from plain strings, not shown as HTML

    def render(
        self,
        topic: Topic,
        listing: Listing,
        reviews: list[Review],
        *,
        public_url: str,
        model: str,
        waiting: dict[str, str] | None = None,
    ) -> str:
        """The whole post as Markdown; papers cut by max_papers or waiting for a later run are listed at the end."""
        template = self.env.get_template("post.md.j2")
        papers = []
        for r in reviews:
            figures = sorted(r.figures, key=lambda f: (f.kind != FigureKind.PAGE,))
            papers.append(
                {
                    "paper": r.paper,
                    "errors": r.errors,
                    "code_links": r.code_links,
                    "sections": {name: s for name, s in r.sections.items()},
                    "figures": [
                        {"url": public_url + f.key, "alt": f.caption or f"{r.paper.title} p.{f.page + 1}"}
                        for f in figures
                    ],
                }
            )
        return template.render(
            front_matter=self.front_matter(topic, listing, reviews, public_url),
            topic=topic,
            listing_date=listing.listing_date.isoformat(),
            papers=papers,
            L=LABELS[topic.language],
            model=model,
            cut=listing.cut,
            waiting=[(p, (waiting or {})[p.arxiv_id]) for p in listing.papers if p.arxiv_id in (waiting or {})],
        )


def post_path(post_dir: str, listing_date: date, topic: Topic) -> str:
    """Where the post lives in the blog repo (the original blog's layout)."""
    return f"{post_dir.rstrip('/')}/{listing_date.isoformat()}/{topic.name.replace('/', '-')}.md"
