"""provenance.py: code links come from the paper's own parts, never from related work or references.

A labelled set of synthetic papers that cite other repositories; each case names the links the paper owns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from arxiv_digest.provenance import links_in, own_links
from pdfgen import make_paper

OWN, PAGE = "https://github.com/lattice-lab/lattice-denoisers", "https://lattice-lab.github.io/denoisers"
CITED = ["https://github.com/huggingface/datasets", "https://github.com/openai/guided-diffusion",
         "https://github.com/CompVis/stable-diffusion", "https://huggingface.co/datasets/laion/laion400m"]
INTRO = ("Diffusion models generate images by reversing a noising process. Sampling is slow because every step "
         "calls the network. We make each call cheaper.")
RELATED = ("Guided diffusion [3] (code at https://github.com/openai/guided-diffusion) and latent diffusion [4] "
           "released their models. Many works train on LAION [5], https://huggingface.co/datasets/laion/laion400m.")
METHOD_CITING = ("We start from the public implementation of latent diffusion [4], available at "
                 "https://github.com/CompVis/stable-diffusion. Our sampler replaces its scheduler.")
REFS = ("[1] Q. Lhoest and others. Datasets: a community library. https://github.com/huggingface/datasets, 2021.\n\n"
        "[2] P. Dhariwal and A. Nichol. Diffusion beats GANs. https://github.com/openai/guided-diffusion, 2021.")
ABSTRACT = "We run the score network on a lattice and halve the sampling steps at equal quality."


def sections(**extra: str) -> dict[str, str]:
    body = {"Introduction": INTRO, "Related Work": RELATED, "Method": METHOD_CITING,
            "Experiments": "The sampler halves the steps on two benchmarks.",
            "Conclusion": "Lattices make diffusion sampling cheaper.", "References": REFS}
    body.update(extra)
    return body


class Meta:
    """The arXiv metadata own_links reads."""

    def __init__(self, summary: str = "We halve diffusion sampling steps.", comment: str | None = None):
        self.summary, self.comment = summary, comment


# name -> (make_paper arguments, arXiv metadata, the links the paper owns, in order)
CASES: dict[str, tuple[dict[str, Any], Meta, list[str]]] = {
    "abstract": ({"abstract": f"{ABSTRACT} Code: {OWN}."}, Meta(), [OWN]),
    "first-page footnote": ({"abstract": ABSTRACT, "footnote": f"* Equal contribution. Code: {OWN}"}, Meta(), [OWN]),
    "availability sentence": (
        {"abstract": ABSTRACT,
         "sections": sections(Conclusion=f"Lattices make sampling cheaper. Our code is available at {OWN}.")},
        Meta(), [OWN]),
    "project page in title block": ({"abstract": ABSTRACT, "affiliations": ["Lattice Lab", f"Project page: {PAGE}"]},
                                    Meta(), [PAGE]),
    "only cited repositories": ({"abstract": ABSTRACT}, Meta(), []),
    "cited code with availability wording": (
        {"abstract": ABSTRACT, "sections": sections(
            Method="The code of guided diffusion [3] is available at https://github.com/openai/guided-diffusion.")},
        Meta(), []),
    "arXiv comment first": ({"abstract": f"{ABSTRACT} Code: {OWN}."},
                            Meta(comment=f"CVPR 2024. Project page: {PAGE}"), [PAGE, OWN]),
    "arXiv abstract only": ({"abstract": ABSTRACT}, Meta(summary=f"We halve the steps. Code: {OWN}"), [OWN]),
}


def _doc(kwargs: dict[str, Any]) -> pymupdf.Document:
    args = {"sections": sections(), "figures": [], **kwargs}
    data, _ = make_paper(title="Lattice Denoisers: Score Matching on Structured Grids", **args)
    return pymupdf.open(stream=data, filetype="pdf")


@pytest.mark.parametrize("name", list(CASES))
def test_links_come_only_from_the_papers_own_parts(name: str) -> None:
    kwargs, meta, expected = CASES[name]
    doc = _doc(kwargs)
    full = " ".join(p.get_text() for p in doc)
    assert any(c in full.replace("\n", "") for c in CITED), "the case must cite another repository"
    assert own_links(meta, doc) == expected


def test_labelled_set_scores() -> None:
    """Precision and recall of own_links over the labelled set (every case exact today)."""
    tp = fp = fn = 0
    for kwargs, meta, expected in CASES.values():
        got = own_links(meta, _doc(kwargs))
        tp += len(set(got) & set(expected))
        fp += len(set(got) - set(expected))
        fn += len(set(expected) - set(got))
    assert (tp, fp, fn) == (sum(len(e) for _, _, e in CASES.values()), 0, 0)


def test_links_in_normalises() -> None:
    text = "see https://github.com/a/b.git, https://github.com/a/b. and https://github.com/ and https://x.github.io/p/"
    assert links_in(text) == ["https://github.com/a/b", "https://x.github.io/p"]
    assert links_in("https://github.com/lattice-lab/\nlattice-denoisers") == [OWN]


def test_code_links_once_each_in_order() -> None:
    abstract = "Code: https://github.com/lab/lattice. Weights at https://huggingface.co/lab/lattice-xl."
    pdf_text = ("See https://github.com/lab/lattice and (https://gitlab.com/group/tool), "
                "also https://www.github.com/other/repo_2.0 and https://example.org/not-code.")
    assert links_in(abstract + " " + pdf_text) == [
        "https://github.com/lab/lattice",
        "https://huggingface.co/lab/lattice-xl",
        "https://gitlab.com/group/tool",
        "https://www.github.com/other/repo_2.0",
    ]
    assert links_in("no links here https://github.com/onlyowner") == []


REAL = [ROOT / "benchmarks" / "figures" / "real" / d for d in ("pdfs", "cache")] if (
    ROOT := Path(__file__).resolve().parents[1]) else []
REAL_LABELS = json.loads((ROOT / "benchmarks" / "links" / "real_labels.json").read_text())["papers"]
REAL_PDFS = {p.stem: p for d in REAL if d.is_dir() for p in d.glob("*.pdf") if p.stem in REAL_LABELS}


@pytest.mark.skipif(not REAL_PDFS, reason="the figure benchmark's real PDFs are not fetched")
@pytest.mark.parametrize("paper_id", sorted(REAL_PDFS))
def test_real_papers_own_links(paper_id: str) -> None:
    """Real papers (benchmarks/figures/real): the links they own, never the repositories they only cite."""
    labels = REAL_LABELS[paper_id]
    got = own_links(Meta(summary=""), pymupdf.open(REAL_PDFS[paper_id]))
    assert set(got) <= set(labels["own"]) and not set(got) & set(labels["cited"]), got
    assert bool(got) == bool(labels["own"])  # a paper that owns a link gets at least one
