"""Commit a post (and its figures) to the blog's git repo and push, never forcing and never committing nothing."""

from __future__ import annotations

import base64
import fcntl
import hashlib
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import git

from .errors import PublishError  # noqa: F401 - part of this module's interface
from .redaction import redact, register

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class PublishResult:
    """What the publish step did: the new commit (None when nothing changed) and whether it was pushed."""

    commit: str | None
    pushed: bool
    attempts: int = 0
    head: str | None = None  # the remote commit that holds the post (the new one, or the existing one)


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """(URL without userinfo, user, password) for an http(s) remote; other remotes come back unchanged."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or "@" not in parts.netloc:
        return url, None, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    clean = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return clean, unquote(user) or None, unquote(password) or None


def credential_env(url: str, user: str | None, password: str | None, base: Mapping[str, str]) -> dict[str, str]:
    """git config through the environment (``GIT_CONFIG_*``): an auth header scoped to the remote's host.

    Nothing lands in the remote URL or in ``.git/config``, so the token is never stored in a checkout.
    """
    if not password and not user:
        return {}
    parts = urlsplit(url)
    index = int(base.get("GIT_CONFIG_COUNT") or os.environ.get("GIT_CONFIG_COUNT") or 0)
    basic = base64.b64encode(f"{user or 'x-access-token'}:{password or ''}".encode()).decode()
    register(password, basic)
    return {
        "GIT_CONFIG_COUNT": str(index + 1),
        f"GIT_CONFIG_KEY_{index}": f"http.{parts.scheme}://{parts.netloc}/.extraHeader",
        f"GIT_CONFIG_VALUE_{index}": f"Authorization: Basic {basic}",
    }


def create_local_blog(path: Path, branch: str) -> None:
    """First run with the default blog: a plain repo that accepts pushes into its checked-out branch."""
    if (path / ".git").exists() or (path / "HEAD").exists():
        return
    path.mkdir(parents=True, exist_ok=True)
    repo = git.Repo.init(path, initial_branch=branch)
    with repo.config_writer() as cw:
        cw.set_value("receive", "denyCurrentBranch", "updateInstead")
    (path / "README.md").write_text(
        "# Research digest blog\n\nHexo source written by arxiv-digest. Posts are under source/_posts/Paper/.\n"
    )
    repo.index.add(["README.md"])
    actor = git.Actor("arxiv-digest", "arxiv-digest@localhost")
    repo.index.commit("Create the blog repository", author=actor, committer=actor)
    log.info("created local blog repository at %s", path)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One writer per checkout on this machine (the Airflow pool serialises across machines)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class BlogRepo:
    """A private checkout of the blog remote, reset to the remote branch before every change."""

    def __init__(
        self,
        remote: str,
        branch: str,
        checkout: Path,
        *,
        author_name: str,
        author_email: str,
        env: Mapping[str, str] | None = None,
        push_retries: int = 3,
    ):
        self.remote, user, password = split_credentials(remote)  # credentials travel in the environment only
        self.branch, self.checkout = branch, checkout
        self.actor = git.Actor(author_name, author_email)
        self.env = {"GIT_TERMINAL_PROMPT": "0", **(env or {})}
        self.env.update(credential_env(self.remote, user, password, self.env))
        self.push_retries = push_retries

    def _sync(self) -> git.Repo:
        """Clone or fetch, then put the working tree exactly at the remote branch (or an empty branch)."""
        try:
            if not (self.checkout / ".git").exists():
                repo = git.Repo.clone_from(self.remote, self.checkout, env=self.env, no_checkout=True)
            else:
                repo = git.Repo(self.checkout)
                repo.remote("origin").set_url(self.remote)
                repo.git.fetch("origin", "--prune", env=self.env)
        except git.GitCommandError as exc:
            raise PublishError(
                f"cannot reach the blog repo {redact(self.remote)}: {redact(exc.stderr.strip())[:300]}; check "
                "DIGEST_BLOG_REPO and the 'blog_git' connection's credentials"
            ) from None
        with repo.config_writer() as config:
            # Figures are PNG/JPEG, already compressed: zlib and delta search over them only cost time
            # (600 images: 24 s to commit and push with git's defaults, 5 s without).
            config.set_value("core", "compression", "0")
            config.set_value("pack", "window", "0")
        remote_ref = f"origin/{self.branch}"
        if remote_ref in [r.name for r in repo.remote("origin").refs]:
            repo.git.checkout("-B", self.branch, remote_ref, "--force")
            repo.git.reset("--hard", remote_ref)
        else:  # empty remote: start from an unborn branch, dropping any local commit a killed push left behind
            repo.git.symbolic_ref("HEAD", f"refs/heads/{self.branch}")
            if repo.head.is_valid():
                repo.git.update_ref("-d", f"refs/heads/{self.branch}")
            repo.git.rm("-rf", "--cached", "--ignore-unmatch", "--quiet", ".")
        repo.git.clean("-fdx")
        return repo

    def _write(self, repo: git.Repo, files: Mapping[str, bytes]) -> bool:
        """Write the files and stage them; True when the tree now differs from HEAD."""
        for rel, data in files.items():
            target = self.checkout / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists() or target.read_bytes() != data:
                target.write_bytes(data)
        repo.git.add("--", *files.keys())
        if not repo.head.is_valid():
            return True
        return bool(repo.git.diff("--cached", "--name-only", "HEAD").strip())

    def publish(self, files: Mapping[str, bytes], message: str) -> PublishResult:
        """Commit ``files`` and push; on a rejected push start again from the remote's new tip."""
        with _locked(self.checkout):
            for attempt in range(1, self.push_retries + 2):
                repo = self._sync()
                if not self._write(repo, files):
                    log.info("blog already holds this post: no commit")
                    return PublishResult(None, pushed=False, attempts=attempt, head=repo.head.commit.hexsha)
                commit = repo.index.commit(message, author=self.actor, committer=self.actor)
                try:
                    repo.git.push("origin", f"HEAD:refs/heads/{self.branch}", env=self.env)
                except git.GitCommandError as exc:
                    err = redact((exc.stderr or "").strip())
                    rejected = any(w in err for w in ("rejected", "non-fast-forward", "fetch first", "stale info"))
                    log.warning("push attempt %d rejected: %s", attempt, err[:300])
                    if rejected and attempt <= self.push_retries:
                        continue
                    raise PublishError(
                        f"push to {redact(self.remote)} failed after {attempt} attempt(s): {err[:300]}"
                    ) from None
                log.info("pushed %s to %s %s", commit.hexsha[:10], redact(self.remote), self.branch)
                return PublishResult(commit.hexsha, pushed=True, attempts=attempt, head=commit.hexsha)
        raise AssertionError("unreachable")


def default_checkout(home: Path, remote: str) -> Path:
    """A checkout folder per remote under ``$DIGEST_HOME/checkouts``."""
    return home / "checkouts" / hashlib.sha256(split_credentials(remote)[0].encode()).hexdigest()[:12] / "blog"

