"""Crash safety: a worker killed mid-task loses nothing and repeats nothing when the task is retried."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import date
from pathlib import Path

import git

from arxiv_digest.fetch import make_client
from arxiv_digest.llm import GeminiLLM, gemini_client
from arxiv_digest.models import Review
from arxiv_digest.pdf import http_session
from arxiv_digest.pipeline import Runtime, stage_figures, stage_pdf, stage_publish, stage_render, stage_review
from arxiv_digest.pipeline import stage_fetch as fetch
from arxiv_digest.settings import load_settings
from arxiv_digest.storage import get_model
from arxiv_digest.topics import load_topics
from conftest import section_of
from servers.gemini_server import default_responder

DAY = date(2024, 6, 20)
ROOT = Path(__file__).resolve().parents[1]

# What a worker process runs: one stage for one paper, built from the environment like a task.
WORKER = textwrap.dedent("""
    import sys
    from datetime import date
    from arxiv_digest.llm import GeminiLLM, gemini_client
    from arxiv_digest.pipeline import Runtime, stage_publish, stage_review
    from arxiv_digest.settings import load_settings
    from arxiv_digest.topics import load_topics
    s = load_settings()
    rt, topic, day = Runtime.from_settings(s), load_topics(s.topics_file)[0], date(2024, 6, 20)
    if sys.argv[1] == "review":
        llm = GeminiLLM(gemini_client("test-key", base_url=s.gemini_base_url))
        stage_review(rt, topic, day, {"arxiv_id": sys.argv[2], "errors": []}, llm=llm)
    else:
        stage_publish(rt, topic, day)
""")


def prepared_runtime() -> tuple[Runtime, object, list[str]]:
    """Listing, PDFs and figures stored, as after the upstream tasks."""
    s = load_settings()
    rt, topic = Runtime.from_settings(s), load_topics(s.topics_file)[0]
    ids = fetch(rt, topic, DAY, client=make_client(s.arxiv_api_url, page_size=10, interval=0, retries=1, timeout=5))
    for arxiv_id in ids:
        stage_figures(rt, topic, DAY, stage_pdf(rt, topic, DAY, arxiv_id, session=http_session()))
    return rt, topic, ids


def start_worker(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", WORKER, *args], env=dict(os.environ), start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def kill(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGKILL)  # the whole worker, git children included
    proc.wait(timeout=10)


def test_worker_killed_after_llm_answers_repeats_no_validated_section(pipeline_env, gemini_server):
    rt, topic, ids = prepared_runtime()
    third_call, release = threading.Event(), threading.Event()

    def responder(call: dict):  # type: ignore[no-untyped-def]
        if section_of(call) == "methods" and not release.is_set():
            third_call.set()  # the sections are asked concurrently; the worker waits on this answer
            release.wait(30)
        return default_responder(call)

    gemini_server.responder = responder
    worker = start_worker("review", ids[0])
    try:
        assert third_call.wait(60), worker.stdout.read().decode() if worker.stdout else ""
        deadline = time.monotonic() + 30  # the other three answers validated and cached
        while len(rt.state.list(f"reviews/{ids[0]}/")) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        kill(worker)
    finally:
        release.set()
    before = [section_of(c) for c in gemini_server.calls]
    assert sorted(before) == ["conclusion", "methods", "overview", "summary"]

    llm = GeminiLLM(gemini_client("test-key", base_url=gemini_server.base_url))
    stage_review(rt, topic, DAY, {"arxiv_id": ids[0], "errors": []}, llm=llm)  # the retried task
    after = [section_of(c) for c in gemini_server.calls[len(before):]]
    assert after == ["methods"], "validated sections must come from the cache"


def test_worker_killed_during_push_leaves_one_commit_and_every_figure(
    pipeline_env, bare_remote, gemini_server, tmp_path
):
    rt, topic, ids = prepared_runtime()
    llm = GeminiLLM(gemini_client("test-key", base_url=gemini_server.base_url))
    for arxiv_id in ids:
        stage_review(rt, topic, DAY, {"arxiv_id": arxiv_id, "errors": []}, llm=llm)
    stage_render(rt, topic, DAY)
    started = tmp_path / "push-started"
    hook = bare_remote / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\ntouch {started}\nsleep 30\n")
    hook.chmod(0o755)

    worker = start_worker("publish")
    deadline = time.monotonic() + 60
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert started.exists(), "the push never started"
    kill(worker)
    assert not git.Repo(bare_remote).heads, "the killed push must not have landed"

    hook.unlink()
    result = stage_publish(rt, topic, DAY)  # the retried task
    assert result.pushed and result.commit
    commits = list(git.Repo(bare_remote).iter_commits("main"))
    assert len(commits) == 1
    tree = commits[0].tree
    post = (tree / f"source/_posts/Paper/{DAY}/Diffusion Models.md").data_stream.read().decode()
    reviews = [get_model(rt.state, rt.review_key(topic, DAY, i), Review) for i in ids]
    figure_paths = [f"source/images/arxiv-digest/{f.key}" for r in reviews for f in r.figures]
    assert figure_paths and all((tree / p).data_stream.read() for p in figure_paths)
    assert all(p.removeprefix("source") in post for p in figure_paths)
    assert stage_publish(rt, topic, DAY).commit is None  # and once more: nothing to do
