"""The stored figure manifest: versioned with the extractor, and carrying crop, graphic and caption boxes."""

from __future__ import annotations

import json
from datetime import date

from arxiv_digest.figures import MANIFEST_VERSION
from arxiv_digest.pipeline import Runtime, stage_figures
from arxiv_digest.settings import load_settings
from arxiv_digest.topics import load_topics
from pdfgen import make_paper

DAY = date(2024, 6, 20)




def test_manifest_has_both_boxes_under_a_versioned_key(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DIGEST_HOME", str(tmp_path))
    s = load_settings()
    rt, topic = Runtime.from_settings(s), load_topics(s.topics_file)[0]
    rt.state.put(rt.pdf_key("2406.20001v1"), make_paper(seed=3)[0], "application/pdf")

    assert stage_figures(rt, topic, DAY, {"arxiv_id": "2406.20001v1", "errors": []})["errors"] == []

    key = rt.figures_manifest_key("2406.20001v1")
    assert f"/v{MANIFEST_VERSION}-" in key and MANIFEST_VERSION != "1"  # old manifests are not reused
    entries = json.loads(rt.state.get(key))
    assert [e["kind"] for e in entries][:2] == ["page", "figure"]
    for e in entries:
        assert set(e) >= {"bbox", "figure_box", "caption_box"}
        if e["kind"] == "page":
            assert e["caption_box"] is None and e["figure_box"] == e["bbox"]
        else:
            fx0, fy0, fx1, fy1 = e["figure_box"]
            cx0, cy0, cx1, cy1 = e["caption_box"]
            assert [min(fx0, cx0), min(fy0, cy0), max(fx1, cx1), max(fy1, cy1)] == e["bbox"]
