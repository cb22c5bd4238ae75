"""Judge an LLM answer for one review section; every defect is a named Finding that the re-ask quotes back."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from .llm import LLMAnswer
from .models import Finding, Paper

BLOCKING_FINISH = {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "OTHER", "LANGUAGE",
                   "IMAGE_SAFETY", "MALFORMED_FUNCTION_CALL"}

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
]
LEAKED = [
    r"response schema", r"\bJSON (?:format|object|schema)\b", r"JSON ?格式", r"system instruction",
    r"根据(?:您的|上述)?提示词", r"按照(?:上述)?要求",
]
HTML = re.compile(rf"</?{HTML_TAGS}[^>]*>", re.I)
ARXIV_ID = re.compile(r"(?<![0-9A-Za-z.])(\d{4}\.\d{4,5})(v\d+)?(?!\d)")  # CJK may touch the id
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _compile(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


_REFUSAL, _CHATTER, _PLACEHOLDER, _LEAKED = map(_compile, (REFUSAL, CHATTER, PLACEHOLDER, LEAKED))


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


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[。！？!?；;])|(?<=\.)\s", text) if len(s.strip()) >= 12]


class Validator:
    """Checks an answer against its schema, the paper's metadata and the requested language."""

    def __init__(self, *, language: str, paper: Paper, paper_text: str = ""):
        self.language, self.paper, self.paper_text = language, paper, paper_text

    def check(self, section: str, answer: LLMAnswer, schema: type[BaseModel]) -> tuple[dict[str, Any], list[Finding]]:
        """Return the parsed content and the findings; content is only publishable when findings are empty."""
        def finding(code: str, message: str, span: str = "") -> Finding:
            return Finding(code=code, section=section, message=message, span=span[:160])

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
        exempt: frozenset[str] = getattr(schema, "any_language", frozenset())
        return content, self._content_findings(content, finding, exempt)

    def _content_findings(self, content: dict[str, Any], finding: Any, exempt: frozenset[str]) -> list[Finding]:
        """Findings on the text of a schema-valid answer; ``exempt`` fields may keep their printed language."""
        out: list[Finding] = []
        seen: dict[str, str] = {}
        for path, text in texts(content):
            stripped = text.strip()
            if not stripped:
                out.append(finding("FORMAT", f"field '{path}' is empty"))
                continue
            for code, pattern, what in (
                ("REFUSAL", _REFUSAL, "a refusal"),
                ("CHATTER", _CHATTER, "words addressed to the requester"),
                ("PLACEHOLDER", _PLACEHOLDER, "a placeholder instead of content"),
                ("DEGENERATE", _LEAKED, "leaked instructions"),
            ):
                m = pattern.search(stripped)
                if m:
                    out.append(finding(code, f"field '{path}' contains {what}: {m.group(0)!r}", m.group(0)))
            if tag := HTML.search(stripped):
                out.append(finding("FORMAT", f"field '{path}' contains HTML markup", tag.group(0)))
            for m in ARXIV_ID.finditer(stripped):
                if m.group(1) != self.paper.base_id:
                    out.append(finding("WRONG_FACT", f"field '{path}' names arXiv id {m.group(0)}, "
                                       f"not this paper ({self.paper.arxiv_id})", m.group(0)))
            out.extend(self._degenerate(path, stripped, seen, finding))
            if path.split("[")[0].split(".")[0] in exempt:
                continue
            if self.language == "zh-CN" and len(stripped) >= 8 and cjk_share(stripped) < 0.5:
                out.append(finding("LANGUAGE", f"field '{path}' is not in Chinese", stripped[:60]))
            if self.language == "en" and CJK.search(stripped) and cjk_share(stripped) > 0.2:
                out.append(finding("LANGUAGE", f"field '{path}' is not in English", stripped[:60]))
        return out

    def _degenerate(self, path: str, text: str, seen: dict[str, str], finding: Any) -> list[Finding]:
        out = []
        for sentence in _sentences(text):
            key = re.sub(r"\W+", "", sentence)
            if key in seen:
                out.append(finding("DEGENERATE", f"field '{path}' repeats text from '{seen[key]}'", sentence))
                break
            seen[key] = path
        runs = re.findall(r"[^。！？.!?；;\n]{260,}", text)
        if runs:
            out.append(finding("DEGENERATE", f"field '{path}' has a run-on passage with no sentence end", runs[0]))
        if loop := re.search(r"(.{6,}?)\1{2,}", text):
            out.append(finding("DEGENERATE", f"field '{path}' repeats a phrase over and over", loop.group(0)))
        return out
