"""``digest lint``: audit published posts for review defects, taking each post's metadata lines as the facts."""

# A post is the Hexo Markdown this project renders, or the original blog's variant of it: front matter, then per
# paper ``## title``, ``**Authors:...**``, the abstract, a ``[PDF](...)`` line, ``**Summary**`` and
# ``**Key Takeaways**``, the review block (items 1-8 in Markdown or as an HTML ``<ol>``) and a ``<details>`` block of
# screenshots. Each paper's authors line, title and the arXiv id of its PDF link are the facts its review is checked
# against; the abstract is the source the summary section must be grounded in. The review items were written from
# the full paper, which a post does not carry, so they get every check but UNGROUNDED.

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .fieldcheck import check_keywords, check_title
from .models import Finding
from .provenance import CODE_URL
from .render import LABELS, strip_controls
from .sections import SECTIONS as SPECS_IN_ORDER
from .sections import SummaryContent, lint_items
from .validate import (
    ARXIV_ID,
    CJK,
    SPAN_CHARS,
    base_id,
    check_text,
    cjk_share,
    distinctive_terms,
    name_matches,
    split_names,
    unknown_authors,
)

SECTIONS = ("metadata", *(s.name for s in SPECS_IN_ORDER))
# Review items 1-8 by number, from the section registry: the section each belongs to, the field lint files its text
# under, the label key the template prints, and every name the item goes by (the original blog's drifted ones too).
ITEM_SECTION = {n: spec.name for n, (spec, _) in lint_items().items()}
ITEM_FIELD = {n: item.field for n, (_, item) in lint_items().items()}
ITEM_LABEL_KEY = {n: item.label_key for n, (_, item) in lint_items().items()}
ITEM_LABELS = {n: item.aliases for n, (_, item) in lint_items().items()}
REVIEW_SECTIONS = tuple(s.name for s in SPECS_IN_ORDER if s.items)
LANGUAGE_EXEMPT = frozenset({"authors", "affiliation", "keywords", "urls"})
SUMMARY_HEADERS = {"summary", "摘要", "总结", "概要"}
TAKEAWAY_HEADERS = {"key takeaways", "要点", "主要要点", "关键要点", "要点总结"}
REVIEW_HEADERS = {LABELS[lang]["review"] for lang in LABELS}
HTML_MARK = "\ue000"  # put on a converted line that came from HTML list markup

_HEADING = re.compile(r"^##\s+(.+?)\s*$")
_AUTHORS = re.compile(r"^\*\*\s*Authors?\s*[:：]\s*(.*?)\s*\*\*\s*$", re.I)
_PDF = re.compile(r"^\[PDF\]\(([^)\s]+)\)\s*(.*)$")
_BOLD_LINE = re.compile(r"^\*\*\s*(.+?)\s*\*\*\s*[:：]?\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_UNAVAILABLE = re.compile(r"^\s*>\s*⚠️")
_ITEM_LABEL = "|".join(f"(?:{p})" for p in ITEM_LABELS.values())
_ITEM = re.compile(
    rf"^\s*(?:\*\*)?\s*(?:(?P<num>\d{{1,2}})\s*[.、．)]\s*)?(?P<bold>\*\*)?\s*&?(?:lt;)?<?\s*"
    rf"(?P<label>{_ITEM_LABEL})(?:部分|概述)?\s*(?:>|&gt;)?\s*(?:\*\*)?\s*[:：]\s*(?:\*\*)?\s*(?P<rest>.*?)\s*(?:\*\*)?$",
    re.I,
)
_NUMBERED = re.compile(r"^\s*(?P<num>\d{1,2})\s*[.、．]\s*(?P<rest>.*)$")
_SUB_MARKER = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:[（(]\s*\d{1,2}\s*[)）]\s*[:：]?|[一二三四五六七八九十]+、|\d{1,2}\)\s)?\s*"
)
_SUB_LABEL = re.compile(
    "^(?:" + "|".join(sorted({re.escape(text) for s in SPECS_IN_ORDER for field, key in s.field_labels.items()
                              for labels in s.labels.values() if (text := labels.get(key))
                              and field not in s.inline_fields and key not in {i.label_key for i in s.items}},
                             key=len, reverse=True))
    + r")\s*[:：]\s*"
)
_HTML_TOKEN = re.compile(r"(</?(?:ol|ul|li|p|br|em|strong|b|i)\b[^>]*>)", re.I)
_URL = re.compile(r"https?://[^\s，,；;）)\]<>\"']+")


@dataclass
class PostPaper:
    """One paper's facts as the post prints them: the heading, the authors line and the PDF link."""

    arxiv_id: str
    title: str
    authors: list[str]
    summary: str
    comment: str = ""
    line: int = 0
    topic: str = ""


@dataclass
class PaperReport:
    """The findings for one paper of a post."""

    title: str
    arxiv_id: str
    line: int
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """This paper as a JSON-ready dict."""
        return {"title": self.title, "arxiv_id": self.arxiv_id, "line": self.line,
                "findings": [f.model_dump() for f in self.findings]}


@dataclass
class LintReport:
    """Every finding in one post, per paper, plus those about the post as a whole."""

    path: str
    language: str
    papers: list[PaperReport] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def all_findings(self) -> list[Finding]:
        """Post-level findings followed by each paper's."""
        return [*self.findings, *(f for p in self.papers for f in p.findings)]

    def counts(self) -> dict[str, int]:
        """Number of findings per code, most frequent first."""
        return dict(Counter(f.code for f in self.all_findings()).most_common())

    def by_section(self) -> dict[str, dict[str, int]]:
        """Number of findings per section and code, sections in post order."""
        out: dict[str, Counter[str]] = {s: Counter() for s in SECTIONS}
        for f in self.all_findings():
            out.setdefault(f.section, Counter())[f.code] += 1
        return {s: dict(c.most_common()) for s, c in out.items() if c}

    def to_dict(self) -> dict[str, Any]:
        """This post as a JSON-ready dict."""
        return {"path": self.path, "language": self.language, "counts": self.counts(),
                "by_section": self.by_section(),
                "findings": [f.model_dump() for f in self.findings], "papers": [p.to_dict() for p in self.papers]}

    def to_json(self) -> str:
        """This post's report as indented JSON."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def table(self) -> str:
        """A plain-text table: one row per finding, then the counts by code."""
        n = len(self.all_findings())
        rows = [f"{self.path}  ({self.language}, {len(self.papers)} papers, {n} findings)"]
        if n:
            rows.append(f"  {'#':>2}  {'arXiv':<12} {'section':<10} {'code':<11} finding")
        for f in self.findings:
            rows.append(f"  {'-':>2}  {'-':<12} {f.section:<10} {f.code:<11} {_one_line(f)}")
        for i, paper in enumerate(self.papers, 1):
            for f in paper.findings:
                rows.append(f"  {i:>2}  {paper.arxiv_id or '-':<12} {f.section:<10} {f.code:<11} {_one_line(f)}")
        if n:
            rows.append("  by code: " + ", ".join(f"{code} {count}" for code, count in self.counts().items()))
            rows.append("  by section: " + "; ".join(
                f"{s} " + ", ".join(f"{c} {k}" for c, k in codes.items()) for s, codes in self.by_section().items()))
        return "\n".join(rows)


def _one_line(f: Finding, width: int = 140) -> str:
    text = " ".join(f.message.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass
class _Item:
    number: int
    label: str
    numbered: bool
    bold: bool
    lines: list[str] = field(default_factory=list)
    html: bool = False
    unavailable: bool = False
    slot: bool = False  # the label is a template slot such as <Methods>


@dataclass
class _Review:
    items: dict[int, _Item] = field(default_factory=dict)
    preamble: dict[str, list[str]] = field(default_factory=dict)
    html: dict[str, str] = field(default_factory=dict)
    unavailable: set[str] = field(default_factory=set)


def lint_post(path: str | Path, *, language: str | None = None) -> LintReport:
    """Lint one post file; ``language`` (zh-CN or en) is detected from the post when not given."""
    text = Path(path).read_text(encoding="utf-8")
    return lint_text(text, path=str(path), language=language)


def lint_text(text: str, *, path: str = "<post>", language: str | None = None) -> LintReport:
    """Lint a post given as text."""
    lines = text.splitlines()
    body_start, post_findings = _front_matter(lines)
    lang = language or detect_language(lines[body_start:])
    report = LintReport(path=path, language=lang, findings=post_findings)
    starts = [i for i in range(body_start, len(lines)) if _HEADING.match(lines[i])]
    topic = next((m.group(1).strip() for ln in lines[:body_start] if (m := re.match(r"^title:\s*(.+)$", ln))), "")
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        report.papers.append(_lint_paper(lines[start:end], start + 1, lang, topic))
    return report


def lint_paths(paths: Iterable[str | Path], *, language: str | None = None) -> list[LintReport]:
    """Lint files and folders (every ``*.md`` below a folder, recursively, in name order)."""
    reports: list[LintReport] = []
    for p in map(Path, paths):
        files = sorted(p.rglob("*.md")) if p.is_dir() else [p]
        reports.extend(lint_post(f, language=language) for f in files)
    return reports


def detect_language(lines: Sequence[str]) -> str:
    """zh-CN when the post's date heading or its review text is Chinese, else en."""
    for line in lines:
        if line.startswith("# "):
            if "更新" in line:
                return "zh-CN"
            if "Update" in line:
                return "en"
    prose = [ln for ln in lines if not _AUTHORS.match(ln) and not _HEADING.match(ln) and not ln.startswith("<img")]
    return "zh-CN" if cjk_share("\n".join(prose)) >= 0.3 else "en"


def _front_matter(lines: list[str]) -> tuple[int, list[Finding]]:
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i < len(lines) and lines[i].strip() == "---":
        for j in range(i + 1, len(lines)):
            if lines[j].strip() == "---":
                return j + 1, []
    return i, [Finding(code="FORMAT", section="metadata", message="the post has no YAML front matter")]


def _lint_paper(lines: list[str], line_no: int, language: str, topic: str = "") -> PaperReport:
    """Parse one ``## title`` block and check each of its sections."""
    heading = _HEADING.match(lines[0])
    title = " ".join((heading.group(1) if heading else lines[0]).split())
    out: list[Finding] = []

    def finding(code: str, section: str, message: str, span: str = "") -> None:
        out.append(Finding(code=code, section=section, message=message, span=span[:SPAN_CHARS]))

    auth = next(((i, m) for i, ln in enumerate(lines) if (m := _AUTHORS.match(ln))), None)
    pdf = next(((i, m) for i, ln in enumerate(lines) if (m := _PDF.match(ln))), None)
    authors = [a.strip() for a in auth[1].group(1).split(",") if a.strip()] if auth else []
    url, comment = pdf[1].groups() if pdf else ("", "")
    arxiv_id = m.group(0) if (m := ARXIV_ID.search(url)) else ""
    abstract_lines = lines[(auth[0] + 1 if auth else 1):pdf[0]] if pdf else []
    abstract = " ".join(ln.strip() for ln in abstract_lines if ln.strip())
    facts = PostPaper(arxiv_id=arxiv_id, title=title, authors=authors, summary=abstract, comment=comment.strip(),
                      line=line_no, topic=topic)
    if not authors:
        finding("FORMAT", "metadata", "the paper has no **Authors:...** line")
    if pdf is None:
        finding("FORMAT", "metadata", "the paper has no [PDF](...) line")
    elif not arxiv_id:
        finding("WRONG_FACT", "metadata", f"the PDF link {url} carries no arXiv id", url)
    report = PaperReport(title=title, arxiv_id=arxiv_id, line=line_no, findings=out)
    if pdf is None:
        return report

    rest = _drop_details(lines[pdf[0] + 1:])
    seen: dict[str, str] = {}
    review_from = _lint_summary(rest, facts, language, seen, out)
    review = _parse_review(rest[review_from:])
    _lint_review(review, facts, language, seen, out)
    return report


def _drop_details(lines: list[str]) -> list[str]:
    out, inside = [], False
    for ln in lines:
        if ln.strip().startswith("<details"):
            inside = True
        if not inside:
            out.append(ln)
        if inside and "</details>" in ln:
            inside = False
    return out


def _header(line: str, names: set[str]) -> str | None:
    """The inner text of a bold header line when it names one of ``names`` (any case, colon or not)."""
    m = _BOLD_LINE.match(line.strip())
    if not m:
        return None
    inner = m.group(1).rstrip(":：").strip()
    return m.group(0).strip() if inner.lower() in names else None


def _lint_summary(lines: list[str], facts: PostPaper, language: str, seen: dict[str, str],
                  out: list[Finding]) -> int:
    """Check **Summary** and **Key Takeaways**; return the index where the review block starts."""
    def finding(code: str, message: str, span: str = "") -> None:
        out.append(Finding(code=code, section="summary", message=message, span=span[:SPAN_CHARS]))

    i_sum = next((i for i, ln in enumerate(lines) if _header(ln, SUMMARY_HEADERS)), None)
    i_key = next((i for i, ln in enumerate(lines) if _header(ln, TAKEAWAY_HEADERS)), None)
    if i_sum is None:
        finding("FORMAT", "the paper has no **Summary** section")
    elif (h := _header(lines[i_sum], SUMMARY_HEADERS)) != "**Summary**":
        finding("FORMAT", f"the summary header drifted to {h} (expected **Summary**)", h or "")
    if i_key is not None and (h := _header(lines[i_key], TAKEAWAY_HEADERS)) != "**Key Takeaways**":
        finding("FORMAT", f"the takeaways header drifted to {h} (expected **Key Takeaways**)", h or "")
    if i_sum is None and i_key is None:
        return 0
    start = i_sum if i_sum is not None else i_key
    assert start is not None
    summary_end = i_key if i_key is not None and i_key > start else start + 1
    summary_lines = [ln.strip() for ln in lines[start + 1:summary_end] if ln.strip()]
    unavailable = any(_UNAVAILABLE.match(ln) for ln in summary_lines)
    takeaways: list[str] = []
    end = summary_end
    if i_key is not None:
        end = i_key + 1
        while end < len(lines) and (not lines[end].strip() or _BULLET.match(lines[end])):
            if b := _BULLET.match(lines[end]):
                takeaways.append(b.group(1).strip())
            end += 1
    elif not unavailable:
        finding("FORMAT", "the paper has no **Key Takeaways** section")
    if unavailable:
        return end
    summary = "".join(summary_lines)
    try:
        SummaryContent.model_validate({"summary": summary, "key_takeaways": takeaways})
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            finding("FORMAT", f"field '{where}': {err['msg']}", str(err.get("input", ""))[:80])
    fields: dict[str, str | list[str]] = {"summary": summary, "key_takeaways": takeaways} if summary else {
        "key_takeaways": takeaways}
    out.extend(check_text("summary", fields, language=language, paper_like=facts,
                          source_text=f"{facts.summary}\n{facts.comment}", seen=seen))
    return end


def _html_to_lines(text: str) -> str:
    """The review block with HTML lists turned into numbered or bulleted lines marked with HTML_MARK."""
    if not _HTML_TOKEN.search(text):
        return text
    out: list[str] = []
    stack: list[int | None] = []

    def newline() -> None:
        if out and not out[-1].endswith("\n"):
            out.append("\n")

    for token in _HTML_TOKEN.split(text):
        if not token:
            continue
        tag = re.match(r"<(/?)(\w+)", token) if _HTML_TOKEN.fullmatch(token) else None
        if tag is None:
            if stack and not token.strip():
                newline()
            else:
                out.append(unescape(token))
            continue
        closing, name = tag.group(1) == "/", tag.group(2).lower()
        if name in ("ol", "ul"):
            newline()
            if closing:
                if stack:
                    stack.pop()
            else:
                start = re.search(r'start\s*=\s*"?(\d+)', token)
                stack.append((int(start.group(1)) if start else 1) if name == "ol" else None)
        elif name == "li" and not closing:
            newline()
            counter = stack[-1] if stack else None
            if counter is not None:
                out.append(f"{HTML_MARK}{counter}. ")
                stack[-1] = counter + 1
            else:
                out.append(f"{HTML_MARK}- ")
        elif name == "p" and not closing and out and out[-1].startswith(HTML_MARK):
            continue  # <li><p>: the paragraph is the list item's own text
        elif name in ("li", "p", "br"):
            newline()
            if name == "p" and not closing:
                out.append(HTML_MARK)
    return "".join(out)


def _parse_review(lines: list[str]) -> _Review:
    """Split the review block into items 1-8; text outside any item goes to the preamble of its section."""
    review = _Review()
    text = "\n".join(lines)
    first = next((ln for ln in lines if ln.strip()), "")
    if (header := _BOLD_LINE.match(first.strip())) and ("](" in first or header.group(1) in REVIEW_HEADERS):
        text = text.split(first, 1)[1]
    current: _Item | None = None
    pending: list[str] = []
    started_in_chunk = False
    blank = 0

    def flush(section: str) -> None:
        if pending:
            review.preamble.setdefault(section, []).extend(pending)
            pending.clear()

    for raw in _html_to_lines(text).split("\n"):
        html = HTML_MARK in raw
        line = raw.replace(HTML_MARK, "").rstrip()
        if not line.strip():
            blank += 1
            continue
        if blank >= 2:  # the original blog separates the answers of its section prompts with runs of blank lines
            flush(ITEM_SECTION[current.number] if current else "overview")
            started_in_chunk = False
        blank = 0
        if html:
            section = ITEM_SECTION[current.number] if current else "overview"
            review.html.setdefault(section, line.strip())
        if _UNAVAILABLE.match(line):
            review.unavailable.add(ITEM_SECTION[current.number] if current else "overview")
            continue
        item = _item_start(line, current)
        if item is not None:
            item.html = html
            flush(ITEM_SECTION[item.number])
            review.items[item.number] = current = item
            started_in_chunk = True
            continue
        if current is not None and started_in_chunk:
            current.lines.append(line)
        else:
            pending.append(line)
    flush(ITEM_SECTION[current.number] if current else "overview")
    return review


def _item_start(line: str, current: _Item | None) -> _Item | None:
    """The item a line opens: ``N. Label: value``, a bare or bold ``Label：value``, or ``N. value`` in order."""
    floor = current.number if current else 0
    m = _ITEM.match(line)
    if m:
        label = m.group("label")
        number = next(n for n, p in ITEM_LABELS.items() if re.fullmatch(p, label, re.I))
        stated = int(m.group("num")) if m.group("num") else None
        if stated is not None and stated != number and 1 <= stated <= 8:
            number = stated
        if number > floor:
            rest = m.group("rest")
            item = _Item(number=number, label=label, numbered=stated is not None,
                         bold=bool(m.group("bold")) or line.lstrip().startswith("**"))
            if rest:
                item.lines.append(rest)
            item.slot = "<" in line.split(label)[0][-2:] or "&lt;" in line
            return item
    n = _NUMBERED.match(line)
    if n and floor < int(n.group("num")) <= 8 and int(n.group("num")) == floor + 1 and current is not None:
        item = _Item(number=int(n.group("num")), label="", numbered=True, bold=False)
        if n.group("rest"):
            item.lines.append(n.group("rest"))
        return item
    return None


def _item_text(item: _Item) -> list[str]:
    """The item's lines without list markers and without the template's own sub-labels."""
    lines = (_SUB_MARKER.sub("", ln, count=1).strip() for ln in item.lines)
    return [t for t in (_SUB_LABEL.sub("", ln, count=1).strip() for ln in lines) if t]


# A line that says which section it stands for, wherever a drifting layout put it ("Some Error for method").
_MEANT = re.compile(r"\bSome Error for (?P<name>method|conclusion|summary)", re.I)
_MEANT_SECTION = {"method": "methods", "conclusion": "conclusion", "summary": "overview"}


def _refile(review: _Review) -> None:
    """Move lines that name the section they stand for into that section's preamble."""
    def meant(line: str, here: str) -> str | None:
        m = _MEANT.search(line)
        target = _MEANT_SECTION[m.group("name").lower()] if m else None
        return target if target and target != here else None

    for number, item in review.items.items():
        keep = []
        for line in item.lines:
            if target := meant(line, ITEM_SECTION[number]):
                review.preamble.setdefault(target, []).append(line)
            else:
                keep.append(line)
        item.lines = keep
    for section, lines in list(review.preamble.items()):
        moved = [(ln, t) for ln in lines if (t := meant(ln, section))]
        for line, target in moved:
            lines.remove(line)
            review.preamble.setdefault(target, []).append(line)


def _lint_review(review: _Review, facts: PostPaper, language: str, seen: dict[str, str],
                 out: list[Finding]) -> None:
    """Check the review items section by section: layout, missing items, facts and every text defect.

    Findings are filed under the section a line stands for, even when a drifting layout put it elsewhere."""
    labels = LABELS.get(language, LABELS["zh-CN"])
    _refile(review)
    for section in REVIEW_SECTIONS:
        def finding(code: str, message: str, span: str = "", section: str = section) -> None:
            out.append(Finding(code=code, section=section, message=message, span=span[:SPAN_CHARS]))

        numbers = [n for n, s in ITEM_SECTION.items() if s == section]
        items = [review.items[n] for n in numbers if n in review.items]
        unavailable = section in review.unavailable or any(i.unavailable for i in items)
        required = [n for n in numbers if not (unavailable and n in (3, 4))]
        missing = [n for n in required if n not in review.items]
        if missing and not (unavailable and section != "overview"):
            what = ", ".join(str(n) for n in missing)
            finding("FORMAT", f"the review has no item{'s' if len(missing) > 1 else ''} {what} ({section})")
        drift = []
        for item in items:
            expected = labels[ITEM_LABEL_KEY[item.number]]
            if not item.numbered:
                drift.append(f"item {item.number} '{item.label}' is not numbered")
            elif item.bold:
                drift.append(f"item {item.number} '{item.label}' is set in bold")
            elif item.label and item.label.lower() != expected.lower():
                drift.append(f"item {item.number} is labelled '{item.label}' (expected '{expected}')")
        if drift:
            finding("FORMAT", "review headers drifted: " + "; ".join(drift), drift[0])
        for item in items:
            if item.slot:
                finding("PLACEHOLDER", f"item {item.number} is labelled with the template slot <{item.label}>",
                        f"<{item.label}>")
        if section in review.html:
            finding("FORMAT", "the review is written as an HTML list inside Markdown", review.html[section])
        fields: dict[str, str | list[str]] = {}
        if review.preamble.get(section):
            fields["preamble"] = [ln.strip() for ln in review.preamble[section]]
        for item in items:
            fields[ITEM_FIELD[item.number]] = _item_text(item)
        exempt = set(LANGUAGE_EXEMPT)
        title_lines = fields.get("title", [])
        if title_lines and isinstance(title_lines, list) and _same(title_lines[0], facts.title):
            exempt.add("title")
        found = check_text(section, fields, language=language, paper_like=facts, source_text="",
                           exempt=frozenset(exempt), seen=seen)
        found += _field_checks(section, review, facts, language, "title" in exempt)
        out.extend(found)
        if section == "overview":
            _check_overview_facts(review, facts, found, finding)


def _field_checks(section: str, review: _Review, facts: PostPaper, language: str, title_is_english: bool
                  ) -> list[Finding]:
    """The generation's field checks on what the post prints: keywords, the translated title, echoed labels."""
    out: list[Finding] = []
    if section == "overview":
        if (kw := review.items.get(4)) and (text := " ".join(_item_text(kw))):
            keywords = [k for k in re.split(r"\s*[、,，;；]\s*", text.rstrip("。.")) if k.strip()]
            out += check_keywords(section, keywords, topic=facts.topic)
        if (title := review.items.get(1)) and not title_is_english and (text := " ".join(_item_text(title))):
            out += check_title(section, text, facts.title, language=language)
    for number, item in review.items.items():
        if ITEM_SECTION[number] != section:
            continue
        for line in item.lines:
            bare = _SUB_MARKER.sub("", line, count=1).strip()
            first = _SUB_LABEL.match(bare)
            if first and _SUB_LABEL.match(bare[first.end():]):
                out.append(Finding(code="FORMAT", section=section, message=f"item {number} repeats the label "
                                   f"{first.group(0).strip()!r} the template already prints", span=bare[:SPAN_CHARS]))
                break
    return out


def _same(a: str, b: str) -> bool:
    return re.sub(r"\W+", "", a).lower() == re.sub(r"\W+", "", b).lower()


def _check_overview_facts(review: _Review, facts: PostPaper, found: list[Finding], finding: Any) -> None:
    """WRONG_FACT for items 1, 2 and 5: the title, the author list and the paper link against the metadata lines."""
    if (title := review.items.get(1)) and (text := " ".join(_item_text(title))) and not _same(text, facts.title):
        squashed_title = re.sub(r"[^a-z0-9]", "", facts.title.lower())
        alien = [t for t, parts in distinctive_terms(text)
                 if not all(re.sub(r"[^a-z0-9]", "", p.lower()) in squashed_title for p in parts)]
        if alien:
            finding("WRONG_FACT", f"the title item names {', '.join(alien)}, which the paper's title "
                    f"({facts.title}) does not", alien[0])
    if (item := review.items.get(2)) and facts.authors:
        _check_authors(" ".join(item.lines), facts.authors, finding)
    if (links := review.items.get(5)) and facts.arxiv_id:
        text = " ".join(links.lines)
        own = base_id(facts.arxiv_id)
        urls = _URL.findall(text)
        if own in text or any(ARXIV_ID.search(u) for u in urls[:1]):
            return
        if urls and any(not CODE_URL.match(u) for u in urls):
            finding("WRONG_FACT", f"the links item points to {urls[0]}, not to this paper (arXiv {own})", urls[0])
        elif not urls and not any("'urls" in f.message for f in found):
            finding("PLACEHOLDER", f"the links item has no link to this paper (arXiv {own})", text)


def _check_authors(text: str, authors: list[str], finding: Any) -> None:
    """The review's author list must be the authors line: the same people, in the same order."""
    names = split_names(text)
    if not names:
        plain = re.sub(r"（[^）]*）|\([^)]*\)|[*。.]|等人?$", "", text).strip()
        parts = [p for p in re.split(r"[、,，\s]+", plain) if p]
        if parts and all(CJK.fullmatch(c) for p in parts for c in p) and all(2 <= len(p) <= 4 for p in parts):
            finding("WRONG_FACT", "the authors item gives translated names instead of the authors line "
                    f"({', '.join(authors[:3])}…)", text)
        return
    wrong = unknown_authors(names, authors)
    if wrong:
        finding("WRONG_FACT", f"the authors item names {', '.join(wrong)}, who are not the paper's authors", wrong[0])
        return
    absent = [a for a in authors if not any(name_matches(n, a) for n in names)]
    if absent and not re.search(r"等|et al", text):
        finding("WRONG_FACT", f"the authors item leaves out {', '.join(absent)}", text)
    elif not absent and len(names) == len(authors) and any(
            not name_matches(n, a) for n, a in zip(names, authors, strict=True)):
        finding("WRONG_FACT", "the authors item lists the paper's authors in another order", text)


def add_subparser(sub: Any) -> None:
    """Register ``digest lint`` on the CLI's subparsers."""
    p = sub.add_parser("lint", help="audit published posts for review defects (exit 1 when any is found)")
    _arguments(p)
    p.set_defaults(func=run)


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="POST.md|DIR", help="post files, or folders searched for *.md")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--language", choices=("zh-CN", "en"), help="the language the reviews should be in "
                   "(default: detected per post)")


def run(args: argparse.Namespace) -> int:
    """Lint the given posts, print a table or JSON; 0 when clean, 1 on any finding, 2 when a path is missing."""
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print(f"digest lint: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    reports = lint_paths(args.paths, language=args.language)
    total = Counter(f.code for r in reports for f in r.all_findings())
    if args.json:
        print(json.dumps({"posts": [r.to_dict() for r in reports], "counts": dict(total.most_common()),
                          "findings": sum(total.values())}, ensure_ascii=False, indent=2))
    else:
        for r in reports:
            print(strip_controls(r.table()))  # post text may hold terminal escapes
            print()
        print(f"{len(reports)} posts, {sum(total.values())} findings"
              + (": " + ", ".join(f"{c} {n}" for c, n in total.most_common()) if total else ""))
    return 1 if total else 0


def main(argv: list[str] | None = None) -> int:
    """``digest lint`` as a standalone entry point."""
    parser = argparse.ArgumentParser(prog="digest lint", description=__doc__)
    _arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
