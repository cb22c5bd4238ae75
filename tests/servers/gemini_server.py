"""A local stand-in for the Gemini REST API (generateContent, countTokens, Batch API) for the real google-genai."""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from ._http import AppHandler, LocalServer

MAX_SENTENCE = 60
MIN_CJK_SHARE = 0.9
DEFAULT_ITEMS = 4
MAX_TERM_LETTERS = 4
_ROUTE = re.compile(r"/(?P<version>v1|v1beta)/models/(?P<model>[^/:]+):(?P<method>\w+)")
_BATCH_ROUTE = re.compile(r"/(?P<version>v1|v1beta)/batches/(?P<id>[^/:]+)(?::(?P<method>\w+))?")
_BATCH_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1beta.GenerateContentBatch"
_BATCH_OUTPUT_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1beta.GenerateContentBatchOutput"
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_TERM = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*\b")
# Emphasis and format words prompts write in capitals (longer ones fall to MAX_TERM_LETTERS).
_NOT_TERMS = {"AND", "OR", "NOT", "ONLY", "MUST", "DO", "NO", "ALL", "NOTE", "JSON", "PDF", "API", "ID"}
_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_MESSAGES = {
    400: "Request contains an invalid argument.",
    403: "The caller does not have permission.",
    404: "The requested model was not found.",
    429: "You exceeded your current quota, please check your plan and billing details.",
    500: "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
    503: "The model is overloaded. Please try again later.",
}
_BAD_KEY = "API key not valid. Please pass a valid API key."
# "{t}" is a short method name from the prompt or a Chinese subject; the short ones serve small maxLength.
_TEMPLATES = [
    "{t}在图像分类、目标检测和语义分割等多个公开基准上都取得了稳定而明显的性能提升。",
    "本文提出的{t}在保证精度基本不变的前提下，显著降低了推理阶段的计算开销与显存占用。",
    "作者通过一系列系统的消融实验，逐一验证了{t}中各个关键模块对最终效果的实际贡献。",
    "即使在小样本和低资源的设定下，{t}依然保持了较强的泛化能力，结果的波动也明显更小。",
    "该工作把{t}与近两年的代表性方法放在统一的实验框架下，进行了细致而公平的横向对比。",
    "{t}兼顾了精度与效率。",
    "实验结果表明，{t}对学习率、批大小和训练轮数等超参数的选择并不敏感，便于实际调参。",
    "{t}的核心思想是在训练过程中引入更加丰富的监督信号，从而学到更稳健、更通用的表示。",
    "作者也坦率地指出，{t}在长尾类别和罕见样本上的表现仍然有较大的进一步提升空间。",
    "借助一个精心设计的轻量适配模块，{t}无需额外的人工标注就可以迁移到新的下游任务。",
    "与几个强基线相比，{t}的训练收敛速度明显更快，整体训练时间大约缩短了将近一半。",
    "实验设计严谨，结论可信。",
    "{t}在基本不损失精度的情况下大幅压缩了模型的参数量，因此更适合在手机等移动端部署。",
    "论文专门用了一整节的篇幅来分析{t}的典型失败案例，并且总结了其背后的几个主要原因。",
    "从方法论的角度来看，{t}为这一研究方向提供了一个简洁、通用而且相当有效的新思路。",
    "作者公开了{t}的全部代码、训练配置与预训练权重，其他研究团队可以比较方便地复现。",
    "在真实采集的复杂场景数据上，{t}的表现甚至略好于此前在合成数据上观察到的结果。",
    "{t}的思路简洁而有效。",
    "这项研究同时也揭示了{t}在跨领域迁移时可能出现的分布偏移问题，以及由此带来的风险。",
    "{t}通过多尺度特征的逐层融合，有效增强了模型对细节纹理和小目标区域的刻画能力。",
    "实验部分覆盖了自然图像、视频片段与三维点云等多种数据模态，结论因此具有较好的普适性。",
    "据论文中的统计，{t}的整体训练成本只有同类方法的一半左右，对算力的要求也明显更低。",
    "作者认为，{t}的主要优势来自更加合理的数据组织方式，以及更加细致的分阶段训练策略。",
    "消融实验较为充分。",
    "即使输入图像的分辨率较高，{t}仍然能够维持接近实时的推理速度，端到端的延迟也较低。",
    "本文还专门讨论了{t}在隐私保护、数据安全以及可能的社会影响等方面值得关注的问题。",
    "{t}引入的一致性正则项有效缓解了过拟合问题，使模型在验证集上的损失曲线更加平稳。",
    "相比以往的同类工作，{t}对标注噪声与输入扰动都表现出了更强的鲁棒性和更好的稳定性。",
    "{t}的整体设计相当模块化，可以比较方便地推广到目标检测、实例分割等其他视觉任务中。",
    "{t}具有较好的泛化能力。",
    "作者在论文附录中给出了{t}收敛性质的完整理论推导，并且配有直观易懂的示意图说明。",
    "在算力和内存都十分有限的边缘设备上，{t}同样能够顺利完成部署，并且可以长时间稳定运行。",
    "这一方法目前的主要局限在于，{t}仍然比较依赖大规模而且高质量的预训练数据作为基础。",
    "{t}借助精心设计的自监督学习目标，学到了更具判别性、也更容易迁移到新任务的特征表示。",
    "综合论文报告的各项定量指标来看，{t}在效果与效率之间取得了一个相当不错的平衡点。",
    "代码与模型均已开源。",
    "研究团队为此专门构建了一个规模更大、标注也更加细致的新数据集，用来全面评估{t}。",
    "{t}采用由易到难的渐进式训练策略，明显提升了生成结果的稳定性和整体的视觉质量。",
    "作者提到，在极端光照或者严重遮挡的条件下，{t}的效果仍然会出现一定程度的下降。",
    "得益于清晰合理的模块划分，{t}可以比较顺畅地与现有的工程系统和数据流水线进行集成。",
    "论文的写作条理清晰、图表丰富，即使是刚入门的读者也能较快理解{t}的关键实现细节。",
    "{t}显著降低了计算开销。",
    "{t}在客观的定量指标和人工主观评价两个方面，都获得了明显高于各个对比方法的分数。",
    "后续工作可以进一步探索{t}在多语言、多模态以及交互式应用场景中的潜力与实际价值。",
    "{t}将检索模块与生成模块有机地结合在一起，明显减少了模型输出中出现的事实性错误。",
    "本文的实验设置严谨而全面，对比基线的选择也比较合理，因此结论具有较强的说服力。",
    "{t}利用稀疏注意力机制降低了长序列建模时的计算开销，显存的占用也随之明显下降。",
    "该领域又多了一个强基线。",
    "作者还比较了{t}在不同数据规模和模型规模下的表现，并从中总结出了清晰的扩展规律。",
    "总体来看，{t}是一项扎实而完整的工作，对相关领域的研究者和工程师都有不错的参考价值。",
]
_PREFIXES = ["", "此外，", "同时，", "值得注意的是，", "进一步来看，"]
_SUBJECTS = ["该方法", "这一框架", "所提模型", "新方法"]
# A field that tells which review section a schema is for: each gets its own leading prefix (see ChineseWriter.band).
_BANDS = ["key_takeaways", "background", "steps", "significance"]


@dataclass
class GeminiReply:
    """One scripted answer: a candidate, a prompt block, or an HTTP error."""

    text: str | None = None  # None: a candidate without content; no candidate at all if finish_reason is STOP
    finish_reason: str = "STOP"
    status: int = 200
    block_reason: str | None = None
    retry_delay: str | None = None
    prompt_tokens: int = 100
    output_tokens: int = 200


Responder = Callable[[dict[str, Any]], "dict[str, Any] | GeminiReply"]


def cjk_share(text: str) -> float:
    """Share of CJK characters among all letters of ``text``."""
    letters = [c for c in text if c.isalpha()]
    return sum(1 for c in letters if _CJK.match(c)) / len(letters) if letters else 1.0


def estimate_tokens(text: str) -> int:
    """A rough token count: one per CJK character, one per four other characters."""
    cjk = len(_CJK.findall(text))
    return max(1, cjk + (len(text) - cjk) // 4)


def technical_terms(prompt: str, limit: int = 2) -> list[str]:
    """The most frequent short method names and acronyms in ``prompt`` (mixed case, digits or all caps).

    Longer names are skipped: no template is long enough to stay 90% Chinese around them.
    """
    found = [
        w
        for w in _TERM.findall(prompt)
        if sum(c.isupper() or c.isdigit() for c in w) >= 2
        and sum(c.isalpha() for c in w) <= MAX_TERM_LETTERS
        and w.upper() not in _NOT_TERMS
    ]
    counts = Counter(found)
    return sorted(counts, key=lambda w: (-counts[w], found.index(w)))[:limit]


def _keyword(schema: dict[str, Any], name: str, default: Any = None) -> Any:
    """A schema keyword in JSON Schema (camelCase) or google-genai's proto-JSON (snake_case) spelling."""
    return schema.get(name, schema.get(re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name).lower(), default))


def _type(schema: dict[str, Any]) -> str:
    """The schema's type in lower case, inferred from its keywords when not given."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k.lower() != "null"), "null")
    if kind:
        return str(kind).lower()
    return "object" if "properties" in schema else "array" if "items" in schema else "string"


def _resolve(root: dict[str, Any], ref: str) -> dict[str, Any]:
    """Follow a local JSON pointer such as ``#/$defs/Name``."""
    node: Any = root
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


class ChineseWriter:
    """Distinct, deterministic Simplified Chinese sentences and schema instances for one answer."""

    def __init__(self, seed: int, terms: list[str], prompt: str = ""):
        self.seed, self.terms, self.prompt = seed, terms, prompt
        self.used: set[str] = set()
        self._spent: set[str] = set()
        self.band = 0  # which prefix goes first: each kind of answer gets its own, so sections never share a sentence

    def _subjects(self) -> list[str]:
        """Who the next sentence is about: a prompt term and a Chinese subject, taking turns to go first."""
        n = len(self.used)
        subjects = [_SUBJECTS[n % len(_SUBJECTS)]]
        if self.terms:
            subjects.insert(n % 2, self.terms[n // 2 % len(self.terms)])
        return subjects

    def sentence(self, max_len: int = MAX_SENTENCE) -> str:
        """A sentence not used before in this answer, at most ``max_len`` characters, ending in "。"."""
        count = len(_TEMPLATES)
        prefixes = _PREFIXES[self.band:] + _PREFIXES[:self.band]
        templates = [p + _TEMPLATES[(self.seed + i) % count] for p in prefixes for i in range(count)]
        subjects = self._subjects()
        for template in templates:
            if template in self._spent:
                continue
            for subject in subjects:
                text = template.format(t=subject)
                if len(text) <= max_len and cjk_share(text) >= MIN_CJK_SHARE:
                    self._spent.add(template)
                    self.used.add(text)
                    return text
        for template in templates:  # the limit is below every template: cut one short
            text = template.format(t=_SUBJECTS[0])[: max_len - 1] + "。"
            if text not in self.used:
                self.used.add(text)
                return text
        raise ValueError(f"cannot write another distinct sentence of at most {max_len} characters")

    def paragraph(self, sentences: int = 4) -> str:
        """Several sentences run together, as a free-text answer."""
        return "".join(self.sentence() for _ in range(sentences))

    def field(self, name: str, schema: dict[str, Any], root: dict[str, Any]) -> Any:
        """A careful answer for the review fields that have one right kind of value, else any valid instance."""
        if name == "title_translation" and (title := prompt_field(self.prompt, "Title")):
            return faithful_title(title, self.seed)
        if name == "affiliation":
            return printed_affiliation(self.prompt) or NOT_STATED
        if name == "keywords":
            return [_KEYWORDS[(self.seed + i) % len(_KEYWORDS)] for i in range(4)]
        return self.instance(schema, root)

    def instance(self, schema: dict[str, Any], root: dict[str, Any]) -> Any:
        """A value valid for ``schema`` (JSON Schema or Gemini ``Schema``); ``$ref`` resolves against root."""
        while "$ref" in schema or any(_keyword(schema, k) for k in ("anyOf", "oneOf", "allOf")):
            if "$ref" in schema:
                schema = _resolve(root, schema["$ref"])
            else:
                options = _keyword(schema, "anyOf") or _keyword(schema, "oneOf") or _keyword(schema, "allOf")
                schema = next((o for o in options if _type(o) != "null"), options[0])
        kind = _type(schema)
        if schema.get("enum"):
            return schema["enum"][(self.seed + len(self.used)) % len(schema["enum"])]
        if kind == "object":
            properties = schema.get("properties", {})
            if schema is root:
                known = [i for i, f in enumerate(_BANDS) if f in properties]
                self.band = known[0] if known else sum(map(ord, "".join(sorted(properties)))) % len(_PREFIXES)
            return {name: self.field(name, sub, root) for name, sub in properties.items()}
        if kind == "array":
            low = int(_keyword(schema, "minItems", 0))
            high = int(_keyword(schema, "maxItems", DEFAULT_ITEMS))
            size = max(low, min(DEFAULT_ITEMS, high))
            return [self.instance(schema.get("items", {}), root) for _ in range(size)]
        if kind in ("integer", "number"):
            low = schema.get("minimum", 1)
            value = min(max(low, 3), schema.get("maximum", max(low, 3)))
            return int(value) if kind == "integer" else float(value)
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return self.sentence(min(MAX_SENTENCE, int(_keyword(schema, "maxLength", MAX_SENTENCE))))


NOT_STATED = "论文首页未注明作者单位"
_KEYWORDS = ["得分匹配", "采样加速", "去噪网络", "格点结构", "一致性训练", "图像生成", "少步采样", "生成质量"]
_TITLE_TAILS = ["面向结构化数据的", "高效生成方法研究", "与一种新的建模思路", "及其快速稳定的采样框架"]
_INSTITUTION = re.compile(
    r"(?:[A-Z][\w&.'-]*\s+){0,5}(?:University|Institute|Laboratory|College|Academy)(?:\s+of(?:\s+[A-Z][\w&.'-]*){1,4})?"
)


def prompt_field(prompt: str, name: str) -> str:
    """A ``Name: value`` line of the paper block the prompts print (include/prompts/_paper.j2)."""
    m = re.search(rf"^{name}: (.+)$", prompt, re.M)
    return m.group(1).strip() if m else ""


def faithful_title(title: str, seed: int) -> str:
    """A Chinese title that keeps the original's names, acronyms and numbers (a careful translation's shape)."""
    keep = [w for w in _TERM.findall(title) if sum(c.isupper() or c.isdigit() for c in w) >= 2]
    keep += [n for n in re.findall(r"\d+(?:\.\d+)?", title) if not any(n in w for w in keep)]
    words = "".join(_TITLE_TAILS[(seed + i) % len(_TITLE_TAILS)] for i in range(len(_TITLE_TAILS)))
    tail = words[:max(2, round(0.35 * len(title)))]  # about a third as many Chinese characters as the title letters
    return f"{' '.join(keep)}：{tail}" if keep else tail


def printed_affiliation(prompt: str) -> str:
    """The first institution printed in the paper text of the prompt, as printed."""
    text = prompt.split('"""', 1)[1] if '"""' in prompt else ""
    m = _INSTITUTION.search(text)
    return " ".join(m.group(0).split()) if m else ""


def prompt_text(body: dict[str, Any]) -> str:
    """All user text of a ``generateContent`` body, joined by newlines."""
    return "\n".join(
        part["text"]
        for content in body.get("contents", [])
        if content.get("role", "user") == "user"
        for part in content.get("parts", [])
        if "text" in part
    )


def default_responder(call: dict[str, Any]) -> GeminiReply:
    """A valid Chinese answer to any request: JSON for the request's response schema, else a paragraph."""
    body, prompt = call["body"], call["prompt_text"]
    seed = int(hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:12], 16)
    writer = ChineseWriter(seed, technical_terms(prompt), prompt)
    config = body.get("generationConfig", {})
    schema = config.get("responseJsonSchema") or config.get("responseSchema")
    text = json.dumps(writer.instance(schema, schema), ensure_ascii=False) if schema else writer.paragraph()
    return GeminiReply(text=text, prompt_tokens=estimate_tokens(prompt), output_tokens=estimate_tokens(text))


def error_body(
    status: int, message: str | None = None, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A Google API error document."""
    error: dict[str, Any] = {
        "code": status,
        "message": message or _MESSAGES.get(status, HTTPStatus(status).phrase),
        "status": _STATUS_NAMES.get(status, "UNKNOWN"),
    }
    if details:
        error["details"] = details
    return {"error": error}


def reply_body(reply: GeminiReply, model: str) -> dict[str, Any]:
    """The ``generateContent`` response document for a successful ``reply``."""
    prompt_only = reply.block_reason is not None or (reply.text is None and reply.finish_reason == "STOP")
    output = 0 if prompt_only else reply.output_tokens
    body: dict[str, Any] = {
        "usageMetadata": {
            "promptTokenCount": reply.prompt_tokens,
            **({"candidatesTokenCount": output} if output else {}),
            "totalTokenCount": reply.prompt_tokens + output,
        },
        "modelVersion": model,
    }
    if reply.block_reason is not None:
        body["promptFeedback"] = {"blockReason": reply.block_reason}
    if prompt_only:
        return body
    candidate: dict[str, Any] = {"finishReason": reply.finish_reason, "index": 0}
    if reply.text is not None:
        candidate["content"] = {"role": "model", "parts": [{"text": reply.text}]}
    if reply.finish_reason == "SAFETY":
        candidate["safetyRatings"] = [
            {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": True}
        ]
    body["candidates"] = [candidate]
    return body


class _Handler(AppHandler):
    """Routes ``POST /{v1,v1beta}/models/{model}:{method}`` to the owning :class:`GeminiServer`."""

    app: GeminiServer

    def _send(self, status: int, document: dict[str, Any]) -> None:
        """Write a JSON response."""
        self.send_body(status, "application/json; charset=UTF-8", json.dumps(document, ensure_ascii=False).encode())

    def do_POST(self) -> None:
        """Answer ``generateContent``, ``countTokens``, ``batchGenerateContent`` and ``batches/{id}:cancel``."""
        path = self.path.split("?", 1)[0]
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        batch = _BATCH_ROUTE.fullmatch(path)
        if batch and batch["method"] == "cancel":
            self._send(*self.app.batch_cancel(batch["id"], self.headers.get("x-goog-api-key")))
            return
        route = _ROUTE.fullmatch(path)
        if not route or route["method"] not in ("generateContent", "countTokens", "batchGenerateContent"):
            self._send(404, error_body(404, f"Unknown method {self.path}"))
            return
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._send(400, error_body(400, "Invalid JSON payload received."))
            return
        if route["method"] == "batchGenerateContent":
            self._send(*self.app.batch_create(route["model"], body, self.headers.get("x-goog-api-key")))
            return
        call = {"model": route["model"], "api_version": route["version"], "body": body}
        call["prompt_text"] = prompt_text(body)
        self._send(*self.app.answer(route["method"], call, self.headers.get("x-goog-api-key")))

    def do_GET(self) -> None:
        """Answer ``batches/{id}`` (the batch as a long-running operation)."""
        batch = _BATCH_ROUTE.fullmatch(self.path.split("?", 1)[0])
        if not batch or batch["method"]:
            self._send(404, error_body(404, f"Unknown method {self.path}"))
            return
        self._send(*self.app.batch_get(batch["id"], self.headers.get("x-goog-api-key")))


def _bad_key_details() -> list[dict[str, Any]]:
    """The ``details`` Google sends for an invalid API key."""
    return [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "API_KEY_INVALID",
            "domain": "googleapis.com",
            "metadata": {"service": "generativelanguage.googleapis.com"},
        },
        {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US", "message": _BAD_KEY},
    ]


class GeminiServer(LocalServer):
    """The Gemini REST API on an ephemeral 127.0.0.1 port; use as a context manager.

    ``calls`` records every generateContent request as ``{"model", "api_version", "body", "prompt_text"}``;
    each is answered by the next ``script`` entry if any, else by ``responder`` (default: a valid Chinese
    answer from :func:`default_responder`), which gets the call and returns a reply or a raw response body.

    Batch API: ``batchGenerateContent`` with inlined requests creates ``batches/<id>``; every request in it is
    recorded in ``batch_calls`` (same shape as ``calls``) and answered by ``responder`` (``script`` is for
    synchronous calls only). A batch reports PENDING when created, RUNNING on the next ``batch_polls - 1`` gets,
    then SUCCEEDED with the inlined responses, or ``batch_final_state`` when that is set.
    """

    def __init__(
        self,
        *,
        api_key: str = "test-key",
        responder: Responder | None = None,
        latency: float = 0.0,
        rpm: int | None = None,
        rpd: int | None = None,
        batch_polls: int = 2,
    ):
        self.api_key = api_key
        self.responder: Responder = responder or default_responder
        self.calls: list[dict[str, Any]] = []
        self.script: list[GeminiReply] = []
        self.latency, self.rpm, self.rpd = latency, rpm, rpd
        self.admitted: deque[float] = deque()  # start times of the last minute's admitted requests
        self.day_count = 0
        self.rejected = 0  # 429s sent for the quota
        self.in_flight = self.max_in_flight = 0
        self.batch_calls: list[dict[str, Any]] = []
        self.batches: dict[str, dict[str, Any]] = {}
        self.batch_polls = batch_polls
        self.batch_final_state = "BATCH_STATE_SUCCEEDED"
        super().__init__(_Handler, "gemini-server")
        self.base_url = self.root_url

    def answer(self, method: str, call: dict[str, Any], api_key: str | None) -> tuple[int, dict[str, Any]]:
        """Status and response document for one call; ``generateContent`` calls are recorded in ``calls``."""
        with self._lock:
            if method == "generateContent":
                self.calls.append(call)
            if api_key != self.api_key:
                return 400, error_body(400, _BAD_KEY, _bad_key_details())
            if method == "countTokens":
                return 200, {"totalTokens": estimate_tokens(call["prompt_text"])}
            if method == "generateContent":
                refusal = self._over_quota()
                if refusal is not None:
                    self.rejected += 1
                    call["rejected"] = True
                    return refusal
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
            scripted = self.script.pop(0) if self.script else None
        try:
            if method == "generateContent" and self.latency:
                time.sleep(self.latency)
            reply = scripted or self.responder(call)
        finally:
            if method == "generateContent":
                with self._lock:
                    self.in_flight -= 1
        if isinstance(reply, dict):
            return 200, reply
        if reply.status != 200:
            details = [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": reply.retry_delay}]
            return reply.status, error_body(reply.status, details=details if reply.retry_delay else None)
        return 200, reply_body(reply, call["model"])

    def _reply_document(self, call: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """A responder's answer as (status, document), for sync and batch requests alike."""
        reply = self.responder(call)
        if isinstance(reply, dict):
            return 200, reply
        if reply.status != 200:
            return reply.status, error_body(reply.status)
        return 200, reply_body(reply, call["model"])

    def batch_create(self, model: str, body: dict[str, Any], api_key: str | None) -> tuple[int, dict[str, Any]]:
        """``models/{model}:batchGenerateContent``: answer every inlined request now, report them later."""
        if api_key != self.api_key:
            return 400, error_body(400, _BAD_KEY, _bad_key_details())
        batch = body.get("batch") or {}
        items = ((batch.get("inputConfig") or {}).get("requests") or {}).get("requests")
        if not isinstance(items, list) or not items:
            return 400, error_body(400, "batch.inputConfig.requests.requests must list at least one request.")
        responses = []
        with self._lock:
            batch_id = f"b{len(self.batches) + 1:04d}{hashlib.sha256(model.encode()).hexdigest()[:8]}"
        for item in items:
            request = item.get("request") or {}
            call = {"model": model, "api_version": "v1beta", "body": request, "prompt_text": prompt_text(request),
                    "batch": f"batches/{batch_id}", "metadata": item.get("metadata")}
            with self._lock:
                self.batch_calls.append(call)
            status, document = self._reply_document(call)
            out: dict[str, Any] = {"response": document} if status == 200 else {"error": document["error"]}
            if item.get("metadata") is not None:
                out["metadata"] = item["metadata"]
            responses.append(out)
        stamp = "2026-01-01T00:00:00.000000Z"
        meta = {"@type": _BATCH_TYPE, "model": f"models/{model}", "displayName": batch.get("displayName", ""),
                "createTime": stamp, "updateTime": stamp, "name": f"batches/{batch_id}",
                "batchStats": {"requestCount": str(len(items)), "pendingRequestCount": str(len(items))}}
        with self._lock:
            self.batches[batch_id] = {"meta": meta, "responses": responses, "gets": 0, "cancelled": False}
        return 200, {"name": f"batches/{batch_id}", "metadata": {**meta, "state": "BATCH_STATE_PENDING"}}

    def batch_get(self, batch_id: str, api_key: str | None) -> tuple[int, dict[str, Any]]:
        """``batches/{id}``: the operation, with its output once the batch has finished."""
        if api_key != self.api_key:
            return 400, error_body(400, _BAD_KEY, _bad_key_details())
        with self._lock:
            job = self.batches.get(batch_id)
            if job is None:
                return 404, error_body(404, f"Batch batches/{batch_id} not found.")
            job["gets"] += 1
            done = job["cancelled"] or job["gets"] >= self.batch_polls
            state = ("BATCH_STATE_CANCELLED" if job["cancelled"] else self.batch_final_state) if done else (
                "BATCH_STATE_RUNNING")
        meta = dict(job["meta"], state=state)
        if not done:
            return 200, {"name": meta["name"], "metadata": meta}
        n = len(job["responses"])
        meta["batchStats"] = {"requestCount": str(n), "successfulRequestCount": str(n)}
        document: dict[str, Any] = {"name": meta["name"], "metadata": meta, "done": True}
        if state == "BATCH_STATE_SUCCEEDED":
            output = {"inlinedResponses": {"inlinedResponses": job["responses"]}}
            meta["output"] = output
            document["response"] = {"@type": _BATCH_OUTPUT_TYPE, **output}
        return 200, document

    def batch_cancel(self, batch_id: str, api_key: str | None) -> tuple[int, dict[str, Any]]:
        """``batches/{id}:cancel``."""
        if api_key != self.api_key:
            return 400, error_body(400, _BAD_KEY, _bad_key_details())
        with self._lock:
            if batch_id not in self.batches:
                return 404, error_body(404, f"Batch batches/{batch_id} not found.")
            self.batches[batch_id]["cancelled"] = True
        return 200, {}

    def _over_quota(self) -> tuple[int, dict[str, Any]] | None:
        """A Gemini-shaped 429 when this request breaks the per-minute or per-day quota, else None (admitted)."""
        now = time.monotonic()
        while self.admitted and self.admitted[0] <= now - 60:
            self.admitted.popleft()
        if self.rpd is not None and self.day_count >= self.rpd:
            return 429, error_body(429, _quota_message("GenerateRequestsPerDayPerProjectPerModel", self.rpd),
                                   [_RETRY_INFO | {"retryDelay": "3600s"}])
        if self.rpm is not None and len(self.admitted) >= self.rpm:
            delay = max(1, math.ceil(self.admitted[0] + 60 - now))
            return 429, error_body(429, _quota_message("GenerateRequestsPerMinutePerProjectPerModel", self.rpm),
                                   [_RETRY_INFO | {"retryDelay": f"{delay}s"}])
        self.admitted.append(now)
        self.day_count += 1
        return None


_RETRY_INFO = {"@type": "type.googleapis.com/google.rpc.RetryInfo"}


def _quota_message(quota_id: str, limit: int) -> str:
    """The wording Gemini uses when a quota is exceeded (it names the quota id; daily ones say PerDay)."""
    return (f"You exceeded your current quota, please check your plan and billing details. Quota exceeded for "
            f"metric: generativelanguage.googleapis.com/generate_content_requests, limit: {limit}, "
            f"quotaId: {quota_id}")


# The careless ways a plausible model answers (issue 11); each is one mode of CarelessResponder.
# (Cited repositories are the PDF's side: tests serve papers whose related work and references cite them.)
CARELESS_MODES = ("duplicate_keywords", "invented_affiliation", "unrelated_title", "echoed_labels",
                  "cross_section_repeat")
INVENTED_AFFILIATION = "某大学计算机学院"
UNRELATED_TITLE = "实验部分在多个公开数据集上验证了所提方法的有效性"


class CarelessResponder:
    """Answers like a careless model on the first attempt of each section, carefully once re-asked.

    Echoed labels come on every attempt (the validator strips them, so nothing is re-asked for them). Remembers
    each paper's summary takeaways, so the methods answer can repeat one word for word; sections are asked
    concurrently, so it waits (briefly) for that paper's summary to be answered first.
    """

    def __init__(self, modes: tuple[str, ...] = CARELESS_MODES, keyword: str = "扩散模型"):
        unknown = set(modes) - set(CARELESS_MODES)
        if unknown:
            raise ValueError(f"unknown careless modes: {sorted(unknown)}")
        self.modes, self.keyword = set(modes), keyword
        self.takeaways: dict[str, list[str]] = {}
        self.summarised = threading.Condition()
        self.careless: Counter[str] = Counter()

    def __call__(self, call: dict[str, Any]) -> GeminiReply:
        prompt = call["prompt_text"]
        reply = default_responder(call)
        data = json.loads(reply.text or "{}")
        paper = prompt_field(prompt, "arXiv id")
        if "Your previous answer was rejected" not in prompt:
            self._carelessly(data, self._takeaways_of(paper) if "steps" in data else [])
        if "echoed_labels" in self.modes:
            overview = "background" in data  # the overview's performance is item (4); the conclusion's is not
            for field, label in (("performance", "任务与性能"), ("significance", "意义")):
                if isinstance(data.get(field), str) and (field != "performance" or overview):
                    data[field] = f"{label}：{data[field]}"
                    self.careless["echoed_labels"] += 1
        if isinstance(data.get("key_takeaways"), list):
            with self.summarised:
                self.takeaways[paper] = [v for v in data["key_takeaways"] if isinstance(v, str)]
                self.summarised.notify_all()
        text = json.dumps(data, ensure_ascii=False)
        return GeminiReply(text=text, prompt_tokens=reply.prompt_tokens, output_tokens=estimate_tokens(text))

    def _takeaways_of(self, paper: str) -> list[str]:
        if "cross_section_repeat" not in self.modes:
            return []
        with self.summarised:
            self.summarised.wait_for(lambda: paper in self.takeaways, timeout=10)
            return self.takeaways.get(paper, [])

    def _carelessly(self, data: dict[str, Any], earlier: list[str]) -> None:
        changes = {
            "duplicate_keywords": ("keywords", [self.keyword] * 5),
            "invented_affiliation": ("affiliation", INVENTED_AFFILIATION),
            "unrelated_title": ("title_translation", UNRELATED_TITLE),
        }
        for mode, (field, value) in changes.items():
            if mode in self.modes and field in data:
                data[field] = value
                self.careless[mode] += 1
        if "cross_section_repeat" in self.modes and isinstance(data.get("steps"), list) and earlier:
            data["steps"][0] = earlier[0]
            self.careless["cross_section_repeat"] += 1
