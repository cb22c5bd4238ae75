"""Judge an LLM answer for one review section; every defect is a named Finding that the re-ask quotes back."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from .llm import LLMAnswer
from .models import ARXIV_ID, Finding, Paper, base_id  # noqa: F401 - ARXIV_ID and base_id are re-exported

BLOCKING_FINISH = {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "OTHER", "LANGUAGE",
                   "IMAGE_SAFETY", "MALFORMED_FUNCTION_CALL"}

# Thresholds of the taxonomy; each is a judgement call, named so tests and reviewers can see it.
ZH_MIN_CJK_SHARE = 0.5  # a zh-CN field with a smaller CJK share is not Chinese
EN_MAX_CJK_SHARE = 0.2  # an en field with a larger CJK share is not English
LANGUAGE_MIN_CHARS = 8  # shorter fields (a name, a term) are not judged for language
MAX_FIELD_CHARS = 600  # one field longer than this is degenerate (the longest sound field is a short paragraph)
RUN_ON_CHARS = 260  # this many characters with no sentence end is a run-on passage
TRUNCATION_MIN_CHARS = 30  # a field at least this long that ends mid-clause was cut off
SPAN_CHARS = 160  # a finding quotes at most this much of the answer

# Each list holds phrases that never belong in a published review, whatever the paper says.
REFUSAL = [
    r"\bI(?:'m| am) (?:sorry|unable)", r"\bI can(?:not|'t) (?:provide|access|help|summari[sz]e)",
    r"\bas an AI\b", r"please refer to", r"抱歉", r"作为(?:一个)?(?:AI|人工智能)",
    r"我(?:不能|无法)", r"请(?:自行)?查阅", r"请参考相关", r"(?:抱歉|很遗憾)[^。]{0,10}无法",
    r"无法(?:访问|获取|读取)(?:该|这篇|此|您提供的)?(?:论文|文章|全文|原文|链接)",
]
CHATTER = [
    r"好的[，,]", r"我(?:会|将)(?:按照|根据)", r"您(?:的|提供)", r"希望(?:这个|以上|我的)(?:回答|总结)",
    r"以下是(?:符合|根据|对)", r"请按照", r"接下来(?:继续|我将)", r"\b(?:Sure|Certainly|Of course)[,!]",
    r"\bHere (?:is|are) (?:the|a|your)\b", r"\bI hope (?:this|that)\b", r"\blet me know\b", r"如有(?:需要|疑问)",
]
HTML_TAGS = r"(?:ol|ul|li|p|br|div|span|table|tr|td|h\d|a|img|script|iframe)\b"
PLACEHOLDER = [
    r"[xX]{3,}", r"信息缺失|缺失信息|（缺失）|\(缺失\)", r"待(?:补充|查阅|定|确认|填写)", r"以实际论文为准",
    r"\bTBD\b", r"\bN/A\b", r"\[(?:作者|链接|标题|机构|Author|Link|Title)[^\]]*\]",
    rf"<(?!/?{HTML_TAGS})[^<>\s，。；,;=]{{1,20}}>",  # a template slot like <方法名>, not math or HTML
    r"\b(?:lorem ipsum|placeholder)\b", r"（链接）|\(link\)", r"信息不详",
    r"(?:如果可用|如适用|如有)?[，,]?\s*请(?:填写|提供)(?:具体|相关)?(?:的)?(?:链接|信息|内容)",  # a template echo
    r"\bSome Error for\b", r"\bTraceback \(most recent call last\)", r"\b[A-Z][A-Za-z]+Error: ",  # a tool's error
]
# Notes to the reader that close an answer ("for reference only, read the original") and asks to fill things in.
READER_NOTE = [
    r"仅供参考", r"以上(?:内容)?(?:是|为|就是|即为)?[^。；\n]{0,30}?(?:总结|概述|概括|整理|摘要|评价|归纳)",
    r"(?:具体|详细|更多|完整)[^。；]{0,30}?(?:请|需要|建议|可以)(?:您)?(?:阅读|查看|参阅|参考)(?:论文)?(?:原文|原论文|全文)",
    r"建议(?:读者|您)?(?:阅读|查看|参阅|参考|查阅)(?:论文)?(?:原文|原论文|全文)",
    r"希望(?:以上|上述|这些)(?:内容|回答|总结)?[^。]{0,10}(?:符合|对您|能帮助|有所帮助)",
    r"请(?:您)?根据[^。；）)\n]{0,20}?(?:填写|补充|填充|调整|替换)", r"根据实际[^。；\n]{0,12}?(?:填写|填充|补充|调整)",
    r"(?:请|需)(?:您|读者)?(?:自行)?(?:填写|补充|完善|填充|替换)", r"此处填写|则填写|可填写|填写即可|需替换",
    r"\bfor reference only\b", r"\bplease (?:read|consult|check|see) the (?:original|full) (?:paper|text)",
    r"\b(?:the above|this) is an? (?:brief |short )?(?:summary|overview) of\b", r"\bfill (?:this|it|these|them) in\b",
]
LEAKED = [
    r"response schema", r"\bJSON (?:format|object|schema)\b", r"JSON ?格式", r"system instruction",
    r"根据(?:您的|上述)?提示词", r"按照(?:上述)?要求",
]
# Layout that belongs to the template, never inside a field: section headers, numbering, Markdown headings.
HEADER_DRIFT = [
    r"\*\*[^*\n]{1,40}\*\*",
    r"^\s*(?:摘要|要点|主要要点|关键要点|总结|结论|方法论?|关键词|Summary|Key Takeaways|Abstract|Conclusions?|Methods?"
    r"|Keywords)\s*[:：]",
    r"^\s*(?:\d{1,2}|[一二三四五六七八九十])\s*[.、．)）](?!\d)", r"^\s*[（(]\s*\d{1,2}\s*[)）]",
    r"^\s*#{1,6}\s+[^\n]{0,40}",
]
HTML = re.compile(rf"</?{HTML_TAGS}[^>]*>", re.I)
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
URL = re.compile(r"https?://[^\s，。；、）)\]}<>\"']+")
# A field that ends on one of these (after at least TRUNCATION_MIN_CHARS) stops mid-clause.
DANGLING_END = re.compile(
    r"(?:[，,、（(“《—\-的和与及或在对从将把被向]|\b(?:the|a|an|of|and|or|to|with|in|for|by))\s*$"
)
# Numbers a reader takes as results: percentages, multiples, and a metric's value.
METRICS = (r"FID|IS|KID|PSNR|SSIM|LPIPS|BLEU|ROUGE(?:-\w+)?|METEOR|CIDEr|CLIP(?:[- ]?[Ss]core)?|AUROC|AUC|mAP|mIoU"
           r"|PLCC|SRCC|SROCC|F1|WER|CER|MOS|EER|Top-1|Top-5|Acc(?:uracy)?")
RESULT_NUMBER = re.compile(
    rf"(?<![\w.])(\d+(?:\.\d+)?)\s*(?:%|倍|×(?!\s*\d)|x(?![\w\d]))"
    rf"|(?<![A-Za-z])(?:{METRICS})\s*(?:score|值|分数|得分|为|达到|of|=|:|：)?\s*(\d+(?:\.\d+)?)(?![\d.]*\d)"
)
TERM = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*")
# Terms every review may use without the paper printing them.
COMMON_TERMS = frozenset(
    t.lower() for t in ("GPU", "CPU", "TPU", "API", "URL", "PDF", "JSON", "HTML", "SOTA", "LLM", "CNN", "RNN", "MLP",
                        "GAN", "VAE", "NLP", "RGB", "GitHub", "arXiv", "PyTorch", "TensorFlow", "HuggingFace", "AIGC")
)
YEAR_CLAIM = re.compile(
    r"(?:发表|提交|发布|出版|published|submitted|released)\s*(?:于|在|in|on)?\s*((?:19|20)\d{2})(?!\d)"
    r"|(?<!\d)((?:19|20)\d{2})\s*年\s*(?:发表|提交|发布|出版)",
    re.I,
)
NAME = r"[A-Z][A-Za-z\u00c0-\u024f.'\-]*(?:\s+[A-Z][A-Za-z\u00c0-\u024f.'\-]*){0,3}"
AUTHOR_CLAIM = re.compile(
    rf"(?:(?:本文|该文|该论文|这篇论文|论文)的?作者(?:是|为|包括|有)?|^\s*作者\s*[:：]|(?:the|this paper's) authors?"
    rf"(?: of (?:this|the) paper)? (?:are|is|include))\s*[:：]?\s*({NAME}(?:\s*(?:,|，|、|和|与|and)\s*{NAME})*)",
)


class PaperLike(Protocol):
    """The facts a review is checked against: an arXiv ``Paper`` or the metadata lines of a published post."""

    @property
    def arxiv_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def authors(self) -> list[str]: ...
    @property
    def summary(self) -> str: ...


def _compile(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


_REFUSAL, _CHATTER, _PLACEHOLDER, _LEAKED = map(_compile, (REFUSAL, CHATTER, PLACEHOLDER, LEAKED))
_READER_NOTE = _compile(READER_NOTE)
_HEADER_DRIFT = re.compile("|".join(f"(?:{p})" for p in HEADER_DRIFT), re.M)


def texts(value: Any, path: str = "") -> Iterable[tuple[str, str]]:
    """Every string in a JSON value, with the field path it sits at."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from texts(v, f"{path}.{k}" if path else k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from texts(v, f"{path}[{i}]")


def cjk_share(text: str) -> float:
    """Share of CJK characters among CJK characters plus Latin words (a technical term counts as one)."""
    cjk = len(CJK.findall(text))
    latin = len(LATIN_WORD.findall(text))
    return cjk / (cjk + latin * 2) if cjk + latin else 1.0


def paper_year(paper: PaperLike) -> int | None:
    """The year the paper was first submitted: its ``published`` date, else the YYMM of its arXiv id."""
    published = getattr(paper, "published", None)
    if published is not None:
        return int(published.year)
    m = ARXIV_ID.search(paper.arxiv_id)
    return 2000 + int(m.group(1)[:2]) if m else None


def _squash(text: str) -> str:
    """Lower-case letters and digits only, accents removed: the form in which names and terms are compared."""
    plain = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in plain if not unicodedata.combining(c)).lower())


def name_matches(claimed: str, actual: str) -> bool:
    """Whether a printed name is this author: the same letters, or the same surname and first initial."""
    if _squash(claimed) == _squash(actual):
        return True
    c, a = claimed.replace(".", ". ").split(), actual.split()
    return bool(c and a) and _squash(c[-1]) == _squash(a[-1]) and _squash(c[0])[:1] == _squash(a[0])[:1]


def unknown_authors(names: Iterable[str], authors: list[str]) -> list[str]:
    """The names that match none of the paper's authors."""
    return [n for n in names if not any(name_matches(n, a) for a in authors)]


def split_names(text: str) -> list[str]:
    """Latin personal names in a printed author list (markup, footnote marks and parentheses removed)."""
    text = re.sub(r"</?\w+[^>]*>|[*†‡#\d]", "", text)
    names = []
    for part in re.split(r"\s*(?:[,，、;；（）()]|\band\b|和|与|及)\s*", text):
        m = re.search(r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f.'\- ]*", part)
        name = " ".join(m.group(0).split()).strip(" .-") if m else ""
        if name and len(name.split()) <= 5:
            names.append(name)
    return names


def distinctive_terms(text: str) -> Iterable[tuple[str, list[str]]]:
    """Method, model and dataset names: CamelCase or ACRONYM tokens of at least 3 characters, with their parts."""
    for m in TERM.finditer(text):
        token = m.group(0)
        parts = [p for p in re.split(r"[-_]", token) if _distinctive(p)]
        if parts and _squash(token) not in COMMON_TERMS:
            yield token, parts


def _distinctive(part: str) -> bool:
    stem = part[:-1] if len(part) > 3 and part.endswith("s") and part[-2].isupper() else part
    if len(stem) < 3 or stem.lower() in COMMON_TERMS or not stem[0].isalpha():
        return False
    upper = sum(c.isupper() for c in stem)
    return upper >= 3 or (upper >= 1 and bool(re.search(r"[a-z][A-Z]", stem))) or (upper >= 2 and stem.isupper())


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[。！？!?；;：])|(?<=[.:])\s", text) if len(s.strip()) >= 12]


def _field_items(fields: Mapping[str, str | list[str]]) -> Iterable[tuple[str, str]]:
    for name, value in fields.items():
        if isinstance(value, str):
            yield name, value
        else:
            for i, v in enumerate(value):
                yield f"{name}[{i}]", v


def check_text(
    section: str,
    fields: Mapping[str, str | list[str]],
    *,
    language: str,
    paper_like: PaperLike,
    source_text: str,
    exempt: frozenset[str] = frozenset(),
    seen: dict[str, str] | None = None,
) -> list[Finding]:
    """Findings on a section's text fields (used by the Validator and by ``digest lint``)."""
    # source_text: what the section was written from (paper text or abstract); empty skips UNGROUNDED. The title and
    # abstract of paper_like count as source too. exempt fields keep their printed language; seen spans sections.
    def finding(code: str, message: str, span: str = "") -> Finding:
        return Finding(code=code, section=section, message=message, span=span[:SPAN_CHARS])

    out: list[Finding] = []
    seen = {} if seen is None else seen
    source = f"{paper_like.title}\n{paper_like.summary}\n{source_text}" if source_text.strip() else ""
    squashed_source = _squash(source)
    flagged: set[str] = set()
    drifted: set[str] = set()
    for path, text in _field_items(fields):
        stripped = text.strip()
        if not stripped:
            out.append(finding("FORMAT", f"field '{path}' is empty"))
            continue
        for code, pattern, what in (
            ("REFUSAL", _REFUSAL, "a refusal"),
            ("CHATTER", _CHATTER, "words addressed to the requester"),
            ("PLACEHOLDER", _PLACEHOLDER, "a placeholder instead of content"),
            ("DEGENERATE", _LEAKED, "leaked instructions"),
            ("READER_NOTE", _READER_NOTE, "a note to the reader or an ask to fill something in"),
        ):
            m = pattern.search(stripped)
            if m:
                out.append(finding(code, f"field '{path}' contains {what}: {m.group(0)!r}", m.group(0)))
        if tag := HTML.search(stripped):
            out.append(finding("FORMAT", f"field '{path}' contains HTML markup", tag.group(0)))
        elif (drift := _HEADER_DRIFT.search(stripped)) and path.split("[")[0] not in drifted:
            drifted.add(path.split("[")[0])
            out.append(finding("FORMAT", f"field '{path}' carries a header or numbering of its own: "
                               f"{drift.group(0).strip()!r}", drift.group(0).strip()))
        out.extend(_facts(path, stripped, paper_like, source, finding))
        out.extend(_degenerate(section, path, stripped, seen, finding))
        if len(stripped) >= TRUNCATION_MIN_CHARS and DANGLING_END.search(stripped):
            out.append(finding("TRUNCATED", f"field '{path}' stops mid-sentence", stripped[-40:]))
        if source:
            out.extend(_ungrounded(path, stripped, source, squashed_source, flagged, finding))
        if path.split("[")[0].split(".")[0] in exempt:
            continue
        prose = _prose(stripped)
        if language == "zh-CN" and len(prose) >= LANGUAGE_MIN_CHARS and cjk_share(prose) < ZH_MIN_CJK_SHARE:
            out.append(finding("LANGUAGE", f"field '{path}' is not in Chinese", stripped[:60]))
        if language == "en" and CJK.search(prose) and cjk_share(prose) > EN_MAX_CJK_SHARE:
            out.append(finding("LANGUAGE", f"field '{path}' is not in English", stripped[:60]))
    return out


def _prose(text: str) -> str:
    """The text whose language is judged: without URLs and without Latin-only glosses in parentheses."""
    text = URL.sub(" ", text)
    return re.sub(r"[（(][^（）()]*[)）]", lambda m: m.group(0) if CJK.search(m.group(0)) else " ", text).strip()


def _facts(path: str, text: str, paper: PaperLike, source: str, finding: Any) -> list[Finding]:
    """WRONG_FACT: another paper's arXiv id, a wrong publication year, or authors this paper does not have."""
    out = []
    own = base_id(paper.arxiv_id)
    for m in ARXIV_ID.finditer(text):
        if m.group(1) != own:
            out.append(finding("WRONG_FACT", f"field '{path}' names arXiv id {m.group(0)}, "
                               f"not this paper ({paper.arxiv_id})", m.group(0)))
    year = paper_year(paper)
    allowed = {year} | {int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", f"{source}\n{paper.summary}")}
    for m in YEAR_CLAIM.finditer(text):
        stated = int(m.group(1) or m.group(2))
        if year is not None and stated not in allowed:
            out.append(finding("WRONG_FACT", f"field '{path}' dates the paper to {stated}; it was submitted in "
                               f"{year}", m.group(0)))
    for m in AUTHOR_CLAIM.finditer(text):
        wrong = unknown_authors(split_names(m.group(1)), paper.authors)
        if wrong:
            out.append(finding("WRONG_FACT", f"field '{path}' names {', '.join(wrong)} as an author, who is not "
                               "among the paper's authors", wrong[0]))
    return out


def _ungrounded(path: str, text: str, source: str, squashed: str, flagged: set[str], finding: Any) -> list[Finding]:
    """UNGROUNDED: a result number, or a method or dataset name, that the source never prints."""
    out = []
    for m in RESULT_NUMBER.finditer(text):
        number = m.group(1) or m.group(2)
        if re.search(rf"(?<![\d.]){re.escape(number)}(?![\d]|\.\d)", source) or m.group(0) in flagged:
            continue
        flagged.add(m.group(0))
        out.append(finding("UNGROUNDED", f"field '{path}' reports {m.group(0).strip()!r}, a number the paper's "
                           "text does not contain", m.group(0).strip()))
    for token, parts in distinctive_terms(text):
        if token in flagged or _squash(token) in squashed or all(_squash(p) in squashed for p in parts):
            continue
        if any(p.endswith("s") and _squash(p[:-1]) in squashed for p in parts):
            continue
        flagged.add(token)
        out.append(finding("UNGROUNDED", f"field '{path}' names {token!r}, which the paper's text never mentions",
                           token))
    return out


def _degenerate(section: str, path: str, text: str, seen: dict[str, str], finding: Any) -> list[Finding]:
    """DEGENERATE: a sentence seen before, a run-on passage, a phrase looping, or a field far too long."""
    out = []
    for sentence in _sentences(URL.sub(" ", text)):  # a link printed twice is not repeated prose
        key = re.sub(r"\W+", "", sentence)
        if key in seen:
            where, _, other = seen[key].partition("\x1f")
            origin = f"'{other}'" if where == section else f"'{other}' in section {where}"
            out.append(finding("DEGENERATE", f"field '{path}' repeats text from {origin}", sentence))
            break
        seen[key] = f"{section}\x1f{path}"
    runs = re.findall(rf"[^。！？.!?；;\n]{{{RUN_ON_CHARS},}}", text)
    if runs:
        out.append(finding("DEGENERATE", f"field '{path}' has a run-on passage with no sentence end", runs[0]))
    if loop := re.search(r"(.{6,}?)\1{2,}", text):
        out.append(finding("DEGENERATE", f"field '{path}' repeats a phrase over and over", loop.group(0)))
    if len(text) > MAX_FIELD_CHARS:
        out.append(finding("DEGENERATE", f"field '{path}' is {len(text)} characters long (at most "
                           f"{MAX_FIELD_CHARS})", text[MAX_FIELD_CHARS - 40:MAX_FIELD_CHARS + 40]))
    return out


# ---- INJECTION: an answer that obeyed instructions hidden in the paper's text --------------------------------------
# Paper text is quoted to the model as data; an answer that links elsewhere, talks like a prompt, or carries markup
# or TeX link commands did what the paper told it, not what we asked. Checked apart from the taxonomy above.
INSTRUCTION_LIKE = [
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier|preceding)"
    r"\s+(?:instructions?|prompts?|rules|directions)",
    r"\bas an AI(?: language model| assistant)?\b", r"\bsystem prompt\b", r"\b(?:developer|system) message\b",
    r"\bnew instructions?\s*:", r"\byou are now\b", r"\bjailbreak",
    r"(?:忽略|无视|忘记)(?:之前|以上|上述|前面|先前)(?:的)?(?:所有)?(?:指令|指示|提示|要求)", r"系统提示(?:词)?",
    r"作为(?:一个)?(?:AI|人工智能)(?:语言模型|助手)",
]
_INSTRUCTION_LIKE = _compile(INSTRUCTION_LIKE)
# Any HTML, SVG or MathML element (not `t<T and T>0`), a comment, or an event-handler attribute anywhere.
HTML_ELEMENTS = (
    "a|abbr|address|area|article|aside|audio|b|base|bdi|bdo|blockquote|body|br|button|canvas|caption|cite|code|col"
    "|colgroup|data|datalist|dd|del|details|dfn|dialog|div|dl|dt|em|embed|fieldset|figcaption|figure|font|footer"
    "|form|frame|frameset|h[1-6]|head|header|hr|html|i|iframe|img|input|ins|kbd|label|legend|li|link|main|map|mark"
    "|marquee|math|menu|meta|meter|nav|noscript|object|ol|optgroup|option|output|p|param|picture|pre|progress|q|rp"
    "|rt|ruby|s|samp|script|section|select|slot|small|source|span|strong|style|sub|summary|sup|svg|table|tbody|td"
    "|template|textarea|tfoot|th|thead|time|title|tr|track|u|ul|var|video|wbr|xmp|image|use|foreignObject|animate"
    "|set|mglyph|maction|annotation-xml"
)
_ATTRIBUTE = r"""\s+[A-Za-z_:][-\w:.]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>]+))?"""
ANY_TAG = re.compile(rf"</?(?:{HTML_ELEMENTS})(?:{_ATTRIBUTE})*\s*/?>|<!--|\bon[a-z]{{3,}}\s*=", re.I)
TEX_LINK = re.compile(r"\\(?:href|url|class|style|html|cssId|unicode|require)\b|\\(?:begin|end)\s*\{", re.I)
ANY_URL = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)[^\s，。；、）)\]}<>\"'`]+"
                     r"|\b(?:javascript|vbscript):|\bdata:[a-z]+/[\w.+-]+[;,]", re.I)


def _url_key(url: str) -> str:
    return re.sub(r"^[a-z][a-z0-9+.-]*://|^www\.", "", url.lower().rstrip(".,;:!?")).removeprefix("www.").rstrip("/")


def injection_findings(section: str, fields: Mapping[str, str | list[str]], *, allowed_text: str) -> list[Finding]:
    """INJECTION findings: a URL the paper does not print, instruction-like phrases, HTML, TeX link commands."""
    known = re.sub(r"\s+", "", allowed_text.lower())  # PDF text breaks long URLs over lines
    out: list[Finding] = []
    for path, text in _field_items(fields):
        hits = []
        for url in (u.group(0) for u in ANY_URL.finditer(text)):
            pseudo = "//" not in url and not url.lower().startswith("www.")  # javascript:, data:
            if pseudo or _url_key(url) not in known:
                hits.append((f"a URL the paper does not print: {url!r}", url))
        for what, pattern in (("words of a prompt, not of a review", _INSTRUCTION_LIKE), ("HTML markup", ANY_TAG),
                              ("a TeX command that makes links or markup", TEX_LINK)):
            if m := pattern.search(text):
                hits.append((f"{what}: {m.group(0)!r}", m.group(0)))
        out += [Finding(code="INJECTION", section=section, message=f"field '{path}' contains {what}",
                        span=span[:SPAN_CHARS]) for what, span in hits]
    return out


class Validator:
    """Checks an answer against its schema, the paper's metadata and the requested language."""

    def __init__(self, *, language: str, paper: Paper, paper_text: str = "", topic: str = "", first_page: str = ""):
        self.language, self.paper, self.paper_text = language, paper, paper_text
        self.topic, self.first_page = topic, first_page

    def check(
        self,
        section: str,
        answer: LLMAnswer,
        schema: type[BaseModel],
        *,
        source_text: str = "",
        earlier: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> tuple[dict[str, Any], list[Finding]]:
        """Return the parsed content and the findings; content is only publishable when findings are empty.

        ``source_text`` is what the section was asked from (its numbers must be there); ``earlier`` holds the
        validated content of the sections before it, which it must not repeat."""
        def finding(code: str, message: str, span: str = "") -> Finding:
            return Finding(code=code, section=section, message=message, span=span[:SPAN_CHARS])

        if answer.error:
            return {}, [finding("ERROR", answer.error)]
        if answer.block_reason or (answer.finish_reason or "").upper() in BLOCKING_FINISH:
            reason = answer.block_reason or answer.finish_reason
            return {}, [finding("BLOCKED", f"the model returned no usable answer (reason {reason})")]
        if not answer.text or not answer.text.strip():
            return {}, [finding("EMPTY", "the answer was empty")]
        if (answer.finish_reason or "STOP").upper() != "STOP":
            return {}, [finding("TRUNCATED", f"the answer was cut off (finish reason {answer.finish_reason})",
                                answer.text[-80:])]
        data = answer.data()
        if data is None:
            return {}, [finding("FORMAT", "the answer is not a JSON object matching the schema", answer.text[:80])]
        try:
            content = schema.model_validate(data).model_dump()
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            return {}, [finding("FORMAT", f"field '{where}': {first['msg']}", str(first.get("input", "")))]
        from . import fieldcheck  # fieldcheck builds on this module
        from .sections import SPECS

        spec = SPECS.get(str(section))
        if spec is not None:
            content = fieldcheck.strip_echoed_labels(spec, content)
        exempt: frozenset[str] = getattr(schema, "any_language", frozenset())
        fields = {k: v for k, v in content.items() if isinstance(v, str | list)}
        allowed = f"{self.paper.summary}\n{self.paper.comment or ''}\n{self.paper_text}"
        findings = check_text(section, fields, language=self.language, paper_like=self.paper,
                              source_text=self.paper_text, exempt=exempt)
        findings += injection_findings(section, fields, allowed_text=allowed)
        if spec is not None:
            source = f"{self.paper.title}\n{self.paper.summary}\n{source_text}" if source_text.strip() else ""
            findings += fieldcheck.check_fields(spec, content, language=self.language, title=self.paper.title,
                                                topic=self.topic, first_page=self.first_page, source=source)
        if earlier:
            findings += fieldcheck.cross_repeats(str(section), content, earlier)
        return content, findings
