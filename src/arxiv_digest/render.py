"""Render a topic's day as a Hexo post (butterfly front matter) with jinja2; untrusted text never becomes HTML."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
import yaml
from markupsafe import Markup

from . import sections as section_registry
from .models import FigureKind, Listing, Review
from .sections import SectionSpec, section_labels
from .topics import Topic

_BLOCK_START = re.compile(r"^(\s*)([#>+\-*=|`~]|\d+[.)])")
# C0/C1 controls, DEL and the bidirectional embedding/override/isolate marks: never shown, never echoed.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# MathJax typesets any `$...$`, `\(...\)`, `\[...\]` or `\begin{..}` in the page text (entities do not hide
# them), and `\href` there becomes a live link. Every TeX command and delimiter needs `\` or `$`: their full-width
# forms read the same and are never math.
_NO_MATH = str.maketrans({"$": "\uff04", "\\": "\uff3c"})
# GFM autolinks (hexo-renderer-marked) turn `scheme://`, `www.` and `a@b.c` in text into links: break the pattern
# with a character reference, which Markdown shows as the same character but does not autolink.
_AUTOLINK = re.compile(r"(?<=[A-Za-z0-9])(:)(?=//)|(?<![A-Za-z0-9])(www)(\.)|(@)", re.I)


def strip_controls(text: str) -> str:
    """``text`` without control or bidi characters (newlines and tabs kept): safe to print to a terminal."""
    return _INVISIBLE.sub("", text)


def inert_text(value: object) -> str:
    """Untrusted text on one line, without control or bidi characters, and with no TeX MathJax would typeset."""
    text = _INVISIBLE.sub("", str(value)) if value is not None else ""
    return " ".join(text.split()).translate(_NO_MATH)


def _no_autolink(m: re.Match[str]) -> str:
    if m.group(1):
        return "&#58;"
    if m.group(2):
        return m.group(2) + "&#46;"
    return "&#64;"


def md_escape(value: object) -> Markup:
    """Untrusted text as one inert Markdown line: HTML-escaped, Hexo tag braces and link brackets neutralised."""
    if isinstance(value, Markup):
        return value
    text = html.escape(inert_text(value), quote=True)
    text = _AUTOLINK.sub(_no_autolink, text)
    text = text.replace("{", "&#123;").replace("}", "&#125;").replace("[", "&#91;").replace("]", "&#93;")
    text = _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return Markup(text)  # noqa: S704 - escaped just above


class _FrontMatterDumper(yaml.SafeDumper):
    """Writes null as an empty value (``toc:``), as the blog's posts do, without touching any string."""


_FrontMatterDumper.add_representer(type(None), lambda d, _: d.represent_scalar("tag:yaml.org,2002:null", ""))


def url_escape(value: object) -> Markup:
    """A link or image address for the template: http(s), file or site-relative only, percent-encoded."""
    text = quote(str(value).strip(), safe=":/?#@!&*+,;=%~.-_")
    if urlsplit(text).scheme.lower() not in ("", "http", "https", "file") or text.startswith("//"):
        return Markup("#")
    return Markup(html.escape(text, quote=True))  # noqa: S704 - percent-encoded and escaped just above


def _plain(value: object) -> str:
    """Front-matter text: one line, no angle brackets (themes print some fields unescaped)."""
    return inert_text(value).replace("<", "‹").replace(">", "›")


_GENERAL: dict[str, dict[str, str]] = {
    "zh-CN": {
        "updated": "更新", "colon": "：", "lp": "（", "rp": "）",
        "screenshots": "点此查看论文截图",
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


# Labels by language: the post's own, plus every section's from the registry.
LABELS: dict[str, dict[str, str]] = {lang: {**section_labels(lang), **own} for lang, own in _GENERAL.items()}


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
        self.env.filters["url"] = url_escape

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
        text = yaml.dump(data, Dumper=_FrontMatterDumper, sort_keys=False, allow_unicode=True, width=10_000, indent=4)
        return Markup(text.strip())  # noqa: S704 - YAML built from plain strings, not shown as HTML

    def section_templates(self) -> list[tuple[SectionSpec, str]]:
        """Each section in registry order with its partial (the generic one when it has none of its own)."""
        names = set(self.env.list_templates())
        return [(s, s.template if s.template in names else "sections/_generic.md.j2")
                for s in section_registry.SECTIONS]

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
            section_templates=self.section_templates(),
            front_matter=self.front_matter(topic, listing, reviews, public_url),
            topic=topic,
            listing_date=listing.listing_date.isoformat(),
            papers=papers,
            L={**section_labels(topic.language), **_GENERAL[topic.language]},
            model=model,
            cut=listing.cut,
            waiting=[(p, (waiting or {})[p.arxiv_id]) for p in listing.papers if p.arxiv_id in (waiting or {})],
        )


def post_path(post_dir: str, listing_date: date, topic: Topic) -> str:
    """Where the post lives in the blog repo (the original blog's layout)."""
    return f"{post_dir.rstrip('/')}/{listing_date.isoformat()}/{topic.name.replace('/', '-')}.md"
