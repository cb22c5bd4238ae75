"""Explain in words why tasks of an ``airflow dags test`` run failed: the task, the paper, the cause, what to check."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .redaction import redact

_START = re.compile(r"\[DAG TEST\] starting task_id=(?P<task>\S+) map_index=(?P<index>-?\d+)")
_FAILED = re.compile(r"new_state=failed\b")  # a retried try is not the outcome
_EXCEPTION = re.compile(r"^(?P<type>[A-Za-z_][\w.]*(?:Error|Exception|Exit|Failure|Timeout|Run))\b:? ?(?P<msg>.*)$")
# Paper ids in "N paper(s) failed: <id>: <error>; <id>: ..." (review_papers' error).
_FAILED_PAPERS = re.compile(r"(?:failed: |; )((?:\d{4}\.\d{4,5}|[a-z][a-z.\-]*/\d{7})(?:v\d+)?): ")
# Which setting points at the service a task talks to.
SERVICE_SETTING = {
    "fetch_papers": "ARXIV_API_URL",
    "review_papers": "ARXIV_PDF_URL for PDFs, GEMINI_API_KEY / GOOGLE_GEMINI_BASE_URL (or the topic's base_url) "
                     "for the LLM",
    "batch_submit": "GEMINI_API_KEY / GOOGLE_GEMINI_BASE_URL (or the topic's base_url)",
    "batch_wait": "GEMINI_API_KEY / GOOGLE_GEMINI_BASE_URL (or the topic's base_url)",
    "publish_post": "DIGEST_BLOG_REPO and the 'blog_git' connection",
}


@dataclass(frozen=True)
class TaskFailure:
    """One failed task of the run, with its last error line in words."""

    task: str
    map_index: int
    error: str
    paper: str = ""

    def describe(self) -> str:
        paper = f" (paper {self.paper})" if self.paper else ""
        return f"{self.task}{paper}: {self.error}"


def _host(text: str) -> str | None:
    m = re.search(r"(?:host='|Failed to resolve '|Could not resolve host: |https?://(?:[^/@\s]+@)?)([A-Za-z0-9.\-]+)",
                  text)
    return m.group(1) if m else None


def in_words(task: str, error: str) -> str:
    """The error's cause in a sentence that says what to check."""
    stage = task.rsplit(".", 1)[-1]
    setting = SERVICE_SETTING.get(stage, "the settings this task uses")
    if re.search(r"s3|boto|botocore|EndpointConnection|NoSuchBucket|AccessDenied", error, re.I):
        setting = "DIGEST_STATE / DIGEST_STORAGE and the AWS connection (DIGEST_AWS_CONN_ID)"
    host = _host(error)
    if re.search(r"Failed to resolve|Could not resolve host|Name or service not known|NameResolution|getaddrinfo",
                 error):
        return f"cannot resolve {host or 'the server'}: check the network or {setting}"
    if re.search(r"Connection refused|Errno 111|ConnectError|ConnectionRefused|Could not connect", error, re.I):
        return f"cannot connect to {host or 'the server'} (connection refused): is it up? check {setting}"
    if re.search(r"timed out|Timeout", error, re.I):
        return f"{host or 'the server'} did not answer in time: check the network or {setting}"
    if re.search(r"cannot reach|unavailable|HTTP 5\d\d|\b5\d\d\b", error):
        return f"{error.rstrip('.')} (check {setting})"
    return error


def explain(log_text: str, papers: list[str] | None = None) -> list[TaskFailure]:
    """The failed tasks found in a ``dags test`` log, in the order they ran; ``papers`` maps map indexes to ids."""
    failures: list[TaskFailure] = []
    task, index, last = "", -1, ""
    for line in log_text.splitlines():
        if m := _START.search(line):
            task, index, last = m.group("task"), int(m.group("index")), ""
            continue
        if m := _EXCEPTION.match(line.strip()):
            last = f"{m.group('type').rsplit('.', 1)[-1]}: {m.group('msg')}".strip()
        if task and _FAILED.search(line):
            paper = papers[index] if papers and 0 <= index < len(papers) else ""
            if not paper and (failed := _FAILED_PAPERS.findall(last)):  # review_papers names its failed papers
                paper = ", ".join(failed[:5]) + (" …" if len(failed) > 5 else "")
            error = in_words(task, redact(last) or "the task failed")
            failures.append(TaskFailure(task, index, redact(error)[:400], paper))
            task = ""
    return failures
