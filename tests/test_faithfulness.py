"""faithfulness.py: the optional second call per paper finds unsupported claims; their sections are asked again.

The local Gemini server plays both the reviewer (planting one seeded wrong claim per paper, in the methods) and the
judge (naming the claims that carry the seed). That proves the plumbing and measures the cost in calls and tokens;
how many real wrong claims a real model catches can only be measured against the real API.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from arxiv_digest.faithfulness import Verdict, claims, findings_by_section
from arxiv_digest.models import Review, Section
from arxiv_digest.storage import get_model
from arxiv_digest.topics import load_topics
from servers.gemini_server import GeminiReply, default_responder, estimate_tokens
from test_defects import DAY, published_post, run_day

ROOT = Path(__file__).resolve().parents[1]
SEED = "该方法需要额外的人工标注数据才能训练。"  # a claim the synthetic papers never support


class ReviewerAndJudge:
    """First methods answer per paper carries the seeded claim; faithfulness prompts get an honest verdict."""

    def __init__(self) -> None:
        self.judged: list[str] = []
        self.seeded: set[str] = set()

    def __call__(self, call: dict[str, Any]) -> GeminiReply:
        prompt = call["prompt_text"]
        if "Claims a review makes about this paper" in prompt:
            self.judged.append(prompt)
            lines = [m for line in prompt.splitlines() if SEED in line and (m := re.match(r"- \[(\S+)\] ", line))]
            ids = [m.group(1) for m in lines]
            text = json.dumps({"unsupported": [{"claim": i, "reason": "论文没有提到人工标注。"} for i in ids]},
                              ensure_ascii=False)
            return GeminiReply(text=text, prompt_tokens=estimate_tokens(prompt), output_tokens=estimate_tokens(text))
        reply = default_responder(call)
        paper = next((ln.split(": ", 1)[1] for ln in prompt.splitlines() if ln.startswith("arXiv id: ")), "")
        if "Method section of the paper" in prompt and paper not in self.seeded:
            self.seeded.add(paper)
            data = json.loads(reply.text or "{}")
            data["steps"][-1] = SEED
            text = json.dumps(data, ensure_ascii=False)
            return GeminiReply(text=text, prompt_tokens=reply.prompt_tokens, output_tokens=estimate_tokens(text))
        return reply


@pytest.fixture
def faithful_topics(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = yaml.safe_load((ROOT / "include" / "topics.yaml").read_text())
    data["topics"][0]["faithfulness_check"] = True
    path = tmp_path / "topics.yaml"
    path.write_text(yaml.safe_dump(data))
    monkeypatch.setenv("DIGEST_TOPICS", str(path))
    return path


def test_unsupported_claims_are_asked_again_and_not_published(pipeline_env, faithful_topics, gemini_server,
                                                              bare_remote):
    from arxiv_digest.pipeline import stage_check

    responder = ReviewerAndJudge()
    rt, topic, ids = run_day(gemini_server, responder)
    assert topic.faithfulness_check
    assert len(responder.judged) == len(ids) == 2  # one judge call per paper
    assert SEED not in published_post(bare_remote)
    for pid in ids:
        review = get_model(rt.state, rt.review_key(topic, DAY, pid), Review)
        methods = review.sections["methods"]
        assert methods.ok and SEED not in methods.content["steps"]
        assert len(review.checks) == 1 and review.checks[0].tokens_in > 0
    record = stage_check(rt, topic, DAY)
    assert record["llm_calls"] == 8 + 2 + 2 == len(gemini_server.calls)  # sections, judge calls, re-asked methods
    judge = [a for pid in ids for a in get_model(rt.state, rt.review_key(topic, DAY, pid), Review).checks]
    print(f"\nfaithfulness cost: {len(judge)} judge calls, {sum(a.tokens_in for a in judge)} tokens in, "
          f"{sum(a.tokens_out for a in judge)} out; run total {record['llm_calls']} calls, {record['tokens_in']} in, "
          f"{record['tokens_out']} out; seeded claims caught {len(responder.seeded)}/{len(responder.seeded)}")

    calls = len(gemini_server.calls)
    from arxiv_digest.llm import GeminiLLM, gemini_client
    from arxiv_digest.pipeline import stage_review

    llm = GeminiLLM(gemini_client("test-key", base_url=gemini_server.base_url))
    for pid in ids:
        stage_review(rt, topic, DAY, {"arxiv_id": pid, "errors": []}, llm=llm)
    assert len(gemini_server.calls) == calls  # a re-run asks nothing, the judge included


def test_off_by_default() -> None:
    assert not load_topics(ROOT / "include" / "topics.yaml")[0].faithfulness_check


def test_made_up_claim_ids_are_ignored() -> None:
    sections = {"methods": Section(name="methods", ok=True, content={"steps": ["一。", "二。"]}),
                "conclusion": Section(name="conclusion", ok=False)}
    known = claims(sections)
    assert known == {"methods.steps[0]": "一。", "methods.steps[1]": "二。"}
    verdict = Verdict.model_validate({"unsupported": [{"claim": "methods.steps[1]", "reason": "r"},
                                                      {"claim": "summary.summary", "reason": "r"}]})
    found = findings_by_section(verdict, known)
    assert list(found) == ["methods"] and [f.code for f in found["methods"]] == ["UNSUPPORTED"]
