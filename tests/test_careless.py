"""A careless model and papers that cite other repositories: nothing careless reaches the published post.

The local Gemini server answers through the real google-genai client with duplicate keywords, an invented
affiliation, an unrelated "translated" title, echoed labels and a methods step copied from the summary; the local
arXiv server serves PDFs whose related work and references cite other repositories.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from arxiv_digest.models import Review
from arxiv_digest.storage import get_model
from pdfgen import make_paper
from servers.arxiv_server import ArxivServer, FakeEntry
from servers.gemini_server import CARELESS_MODES, INVENTED_AFFILIATION, UNRELATED_TITLE, CarelessResponder
from test_defects import DAY, P1, P2, published_post, run_day

OWN = ["https://github.com/lattice-lab/lattice-denoisers", "https://consistency-anchors.github.io/fewstep"]
CITED = ["https://github.com/huggingface/datasets", "https://github.com/openai/guided-diffusion",
         "https://github.com/CompVis/stable-diffusion"]
AFFILIATIONS = ["Lattice Lab, University of Toronto", "Institute of Computing Technology"]


def _sections(i: int) -> dict[str, str]:
    return {
        "Introduction": "Diffusion models sample slowly. We make each denoising step cheaper.",
        "Related Work": f"Guided diffusion [2] ({CITED[1]}) and latent diffusion [3] ({CITED[2]}) released code.",
        "Method": "The score network runs on a lattice. A sampler with consistency anchors takes fewer steps.",
        "Experiments": f"Variant {i} halves the steps on two benchmarks.",
        "Conclusion": "Lattices make diffusion sampling cheaper.",
        "References": f"[1] Q. Lhoest and others. Datasets. {CITED[0]}, 2021.\n\n[2] P. Dhariwal. {CITED[1]}, 2021.",
    }


@pytest.fixture
def arxiv_server() -> Iterator[ArxivServer]:
    """Two on-topic papers that cite other repositories; the first owns a footnoted repository, the second a
    project page in its title block."""
    base = datetime(2024, 6, 18, 19, 0, tzinfo=UTC)
    titles = ["Lattice Denoisers: Score Matching on Structured Grids",
              "Few-Step Diffusion Models via Consistency Anchors"]
    entries = []
    for i, title in enumerate(titles):
        own = {"footnote": f"* Equal contribution. Code: {OWN[0]}"} if i == 0 else {
            "affiliations": [AFFILIATIONS[1], f"Project page: {OWN[1]}"]}
        pdf, _ = make_paper(title=title, seed=i, figures=[], sections=_sections(i),
                            **({"affiliations": [AFFILIATIONS[0]]} if i == 0 else {}), **own)
        entries.append(FakeEntry(
            arxiv_id=f"2406.1000{i + 1}v1", title=title,
            authors=["Mira Okafor", "Tomasz Lind"] if i == 0 else ["Ana Ruiz", "Kofi Mensah", "Li Na"],
            summary=f"We present a new sampler for diffusion models (variant {i}). It needs fewer steps.",
            published=base.replace(hour=19 + i), categories=["cs.CV", "cs.LG"], pdf=pdf))
    with ArxivServer(entries) as server:
        yield server


def test_no_careless_answer_and_no_cited_repository_is_published(pipeline_env, gemini_server, bare_remote):
    responder = CarelessResponder()
    rt, topic, ids = run_day(gemini_server, responder)
    assert set(responder.careless) == set(CARELESS_MODES)  # every careless way was tried
    post = published_post(bare_remote)

    # links: only what the paper prints about itself
    github = dict(zip(re.findall(r"^## (.*)$", post, re.M), re.findall(r"Github: (.*)", post), strict=True))
    assert len(github) == 2
    assert OWN[0] in github["Lattice Denoisers: Score Matching on Structured Grids"]
    assert OWN[1] in github["Few-Step Diffusion Models via Consistency Anchors"]
    assert not any(c in post for c in CITED)

    # keywords distinct, affiliation as printed, a title that is the title's, no echoed label
    assert "扩散模型, 扩散模型" not in post
    assert INVENTED_AFFILIATION not in post and UNRELATED_TITLE not in post
    assert "3. Affiliation: University of Toronto\n" in post  # printed on the first page, copied as printed
    assert re.search(r"3. Affiliation: [^\n]*Institute of Computing Technology", post)
    assert "任务与性能：任务与性能" not in post and "意义：意义" not in post
    assert post.count("任务与性能：") == 2, [ln for ln in post.splitlines() if "任务与性能：" in ln]

    # no sentence in two sections
    for pid in ids:
        review = get_model(rt.state, rt.review_key(topic, DAY, pid), Review)
        assert all(s.ok for s in review.sections.values())
        methods = review.sections["methods"]
        codes = [f.code for a in methods.attempts for f in a.findings]
        assert "DEGENERATE" in codes, (pid, codes)  # the copied step was caught and re-asked
        takeaways = review.sections["summary"].content["key_takeaways"]
        assert not set(takeaways) & set(methods.content["steps"])
        overview = review.sections["overview"]
        first = {f.code for f in overview.attempts[0].findings}
        assert {"KEYWORDS", "AFFILIATION", "TITLE"} <= first, (pid, first)
    sentences = [s for s in re.split(r"(?<=。)", post) if len(s.strip()) >= 12]
    assert len(sentences) == len(set(sentences))
    assert {P1, P2} == set(ids)



def test_rerun_after_careless_answers_asks_nothing(pipeline_env, gemini_server, bare_remote):
    from arxiv_digest.llm import GeminiLLM, gemini_client
    from arxiv_digest.pipeline import stage_review

    rt, topic, ids = run_day(gemini_server, CarelessResponder())
    calls = len(gemini_server.calls)
    llm = GeminiLLM(gemini_client("test-key", base_url=gemini_server.base_url))
    before = {i: get_model(rt.state, rt.review_key(topic, DAY, i), Review).sections for i in ids}
    for i in ids:
        stage_review(rt, topic, DAY, {"arxiv_id": i, "errors": []}, llm=llm)
        after = get_model(rt.state, rt.review_key(topic, DAY, i), Review).sections
        assert {k: s.content for k, s in after.items()} == {k: s.content for k, s in before[i].items()}
    assert len(gemini_server.calls) == calls


def test_a_rerun_reads_the_papers_text_from_the_state_store_not_the_pdf(pipeline_env, gemini_server, bare_remote):
    """The PDF is parsed once per paper: a re-run spawns no parser (here the stored PDF is spoilt, and nothing
    notices)."""
    from arxiv_digest.llm import GeminiLLM, gemini_client
    from arxiv_digest.pipeline import stage_review

    rt, topic, ids = run_day(gemini_server, CarelessResponder())
    llm = GeminiLLM(gemini_client("test-key", base_url=gemini_server.base_url))
    before = {i: get_model(rt.state, rt.review_key(topic, DAY, i), Review) for i in ids}
    for i in ids:
        rt.state.put(rt.pdf_key(i), b"not a PDF any more")
        stage_review(rt, topic, DAY, {"arxiv_id": i, "errors": []}, llm=llm)
        after = get_model(rt.state, rt.review_key(topic, DAY, i), Review)
        assert after.errors == before[i].errors == []
        assert after.code_links == before[i].code_links
        assert {k: s.content for k, s in after.sections.items()} == {
            k: s.content for k, s in before[i].sections.items()}
