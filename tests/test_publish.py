"""Publishing to a real git remote (a bare repo): one commit per change, none for no change, never a force push."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import git
import pytest

from arxiv_digest.publish import (
    BlogRepo,
    PublishError,
    PublishResult,
    create_local_blog,
    default_checkout,
    redact,
)

POST = "source/_posts/Paper/2024-06-20-diffusion-models.md"
FIGURE = "source/images/arxiv-digest/ab/abcdef.png"


def blog(remote: Path | str, checkout: Path, *, push_retries: int = 3) -> BlogRepo:
    return BlogRepo(str(remote), "main", checkout, author_name="Digest Bot", author_email="bot@example.org",
                    push_retries=push_retries)


def remote_commits(remote: Path) -> list[git.Commit]:
    return list(git.Repo(remote).iter_commits("main"))


def read_blob(commit: git.Commit, path: str) -> bytes:
    return commit.tree[path].data_stream.read()


def other_clone(remote: Path, path: Path) -> git.Repo:
    """Somebody else's clone of the blog (another worker, or a human editing the blog)."""
    repo = git.Repo.clone_from(str(remote), path)
    with repo.config_writer() as cw:
        cw.set_value("user", "name", "Other Writer")
        cw.set_value("user", "email", "other@example.org")
    return repo


def push_other_commit(repo: git.Repo, name: str = "about.md") -> str:
    repo.git.pull("--ff-only", "origin", "main")
    Path(repo.working_tree_dir, name).write_text("# About\n\nWritten by a human.\n")
    repo.index.add([name])
    commit = repo.index.commit("Edit the about page")
    repo.git.push("origin", "HEAD:refs/heads/main")
    return commit.hexsha


def is_ancestor(remote: Path, ancestor: str, descendant: str) -> bool:
    return git.Repo(remote).is_ancestor(ancestor, descendant)


def test_first_publish_creates_one_commit_with_the_files(bare_remote: Path, tmp_path: Path) -> None:
    files = {POST: "---\ntitle: Diffusion\n---\n正文\n".encode(), FIGURE: b"\x89PNG\r\n\x1a\n\x00\xff"}
    result = blog(bare_remote, tmp_path / "checkout").publish(files, "Digest: Diffusion Models, 2024-06-20")

    assert isinstance(result, PublishResult)
    assert result.pushed and result.attempts == 1
    (commit,) = remote_commits(bare_remote)
    assert commit.hexsha == result.commit
    assert commit.message.strip() == "Digest: Diffusion Models, 2024-06-20"
    assert (commit.author.name, commit.author.email) == ("Digest Bot", "bot@example.org")
    assert sorted(b.path for b in commit.tree.traverse() if b.type == "blob") == sorted(files)
    for path, data in files.items():
        assert read_blob(commit, path) == data


def test_identical_files_make_no_commit(bare_remote: Path, tmp_path: Path) -> None:
    repo = blog(bare_remote, tmp_path / "checkout")
    first = repo.publish({POST: b"post v1\n"}, "Digest 1")
    again = repo.publish({POST: b"post v1\n"}, "Digest 1 again")
    assert again.commit is None and not again.pushed
    assert [c.hexsha for c in remote_commits(bare_remote)] == [first.commit]

    # A fresh checkout (another worker) also sees nothing to do.
    fresh = blog(bare_remote, tmp_path / "fresh").publish({POST: b"post v1\n"}, "Digest 1 elsewhere")
    assert fresh.commit is None
    assert len(remote_commits(bare_remote)) == 1


def test_changed_file_makes_a_second_commit(bare_remote: Path, tmp_path: Path) -> None:
    repo = blog(bare_remote, tmp_path / "checkout")
    first = repo.publish({POST: b"post v1\n", FIGURE: b"png"}, "Digest v1")
    second = repo.publish({POST: b"post v2\n"}, "Digest v2")
    assert second.pushed and second.commit not in (None, first.commit)
    head, base = remote_commits(bare_remote)
    assert (head.hexsha, base.hexsha) == (second.commit, first.commit)
    assert head.parents == (base,)
    assert read_blob(head, POST) == b"post v2\n"
    assert read_blob(head, FIGURE) == b"png"  # files not passed again are kept


def test_local_edits_in_the_checkout_are_discarded(bare_remote: Path, tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    repo = blog(bare_remote, checkout)
    repo.publish({POST: b"post v1\n"}, "Digest v1")
    (checkout / POST).write_bytes(b"tampered\n")
    (checkout / "stray.txt").write_text("left over by a killed task")
    result = repo.publish({FIGURE: b"png"}, "Add figure")
    head = remote_commits(bare_remote)[0]
    assert head.hexsha == result.commit
    assert read_blob(head, POST) == b"post v1\n"
    assert "stray.txt" not in [b.path for b in head.tree.traverse()]


def test_stale_checkout_builds_on_the_other_writers_commit(bare_remote: Path, tmp_path: Path) -> None:
    repo = blog(bare_remote, tmp_path / "checkout")
    first = repo.publish({POST: b"post v1\n"}, "Digest v1")
    theirs = push_other_commit(other_clone(bare_remote, tmp_path / "other"))

    result = repo.publish({POST: b"post v2\n"}, "Digest v2")

    head = remote_commits(bare_remote)[0]
    assert head.hexsha == result.commit
    assert is_ancestor(bare_remote, theirs, head.hexsha)
    assert is_ancestor(bare_remote, first.commit or "", head.hexsha)
    assert read_blob(head, "about.md").startswith(b"# About")
    assert read_blob(head, POST) == b"post v2\n"


def _install_racing_hook(remote: Path, other: Path, marker: Path) -> None:
    """A pre-receive hook that, once, lands another writer's commit on main just before our push updates it.

    That is the real race: our checkout was synced, then someone pushed. git then rejects our ref update
    ("cannot lock ref ... is at X but expected Y"), exactly as a concurrent push would make it.
    """
    hook = remote / "hooks" / "pre-receive"
    hook.write_text(f"""#!{sys.executable}
import os, pathlib, subprocess, sys
sys.stdin.read()
marker = pathlib.Path({str(marker)!r})
if marker.exists():
    sys.exit(0)
marker.write_text("fired")
env = {{k: v for k, v in os.environ.items() if not k.startswith("GIT_")}}
def git(*args):
    subprocess.run(["git", "-C", {str(other)!r}, *args], check=True, env=env, capture_output=True)
git("pull", "--ff-only", "origin", "main")
pathlib.Path({str(other)!r}, "about.md").write_text("# About\\n")
git("add", "about.md")
git("commit", "-m", "Racing commit")
git("push", "origin", "HEAD:refs/heads/main")
""")
    hook.chmod(0o755)


def test_rejected_push_refetches_and_retries_without_forcing(bare_remote: Path, tmp_path: Path) -> None:
    repo = blog(bare_remote, tmp_path / "checkout")
    first = repo.publish({POST: b"post v1\n"}, "Digest v1")
    other = other_clone(bare_remote, tmp_path / "other")
    marker = tmp_path / "hook-fired"
    _install_racing_hook(bare_remote, tmp_path / "other", marker)

    result = repo.publish({POST: b"post v2\n"}, "Digest v2")

    assert marker.exists(), "the race was not triggered"
    assert result.pushed and result.attempts == 2
    head, racing, base = remote_commits(bare_remote)
    assert racing.message.strip() == "Racing commit"
    assert racing.hexsha == other.head.commit.hexsha
    assert (head.hexsha, base.hexsha) == (result.commit, first.commit)
    assert head.parents == (racing,) and racing.parents == (base,)
    assert read_blob(head, POST) == b"post v2\n" and read_blob(head, "about.md") == b"# About\n"
    git.Repo(bare_remote).git.fsck("--full")


def test_rejected_push_without_retries_raises_and_keeps_the_other_commit(bare_remote: Path, tmp_path: Path) -> None:
    repo = blog(bare_remote, tmp_path / "checkout", push_retries=0)
    repo.publish({POST: b"post v1\n"}, "Digest v1")
    other = other_clone(bare_remote, tmp_path / "other")
    _install_racing_hook(bare_remote, tmp_path / "other", tmp_path / "hook-fired")

    with pytest.raises(PublishError, match=r"failed after 1 attempt\(s\)"):
        repo.publish({POST: b"post v2\n"}, "Digest v2")
    assert remote_commits(bare_remote)[0].hexsha == other.head.commit.hexsha

    # The next try (Airflow's task retry) succeeds on top of it.
    again = repo.publish({POST: b"post v2\n"}, "Digest v2")
    assert is_ancestor(bare_remote, other.head.commit.hexsha, again.commit or "")


def test_unreachable_remote_raises_without_leaking_the_token(tmp_path: Path) -> None:
    url = "https://digest-bot:SECRET-TOKEN-123@127.0.0.1:9/blog.git"
    with pytest.raises(PublishError) as info:
        blog(url, tmp_path / "checkout").publish({POST: b"x"}, "Digest")
    message = str(info.value)
    assert "https://127.0.0.1:9/blog.git" in message  # the credentials are not part of the remote at all
    assert "DIGEST_BLOG_REPO" in message
    assert "SECRET-TOKEN-123" not in message
    assert "SECRET-TOKEN-123" not in "".join(traceback.format_exception(info.value))


def test_remote_becoming_unreachable_after_a_clone_is_a_publish_error(bare_remote: Path, tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    blog(bare_remote, checkout).publish({POST: b"v1"}, "Digest v1")
    url = "https://digest-bot:SECRET-TOKEN-456@127.0.0.1:9/blog.git"
    with pytest.raises(PublishError) as info:
        blog(url, checkout).publish({POST: b"v2"}, "Digest v2")
    assert "SECRET-TOKEN-456" not in "".join(traceback.format_exception(info.value))
    assert "https://127.0.0.1:9/blog.git" in str(info.value)
    assert "SECRET-TOKEN-456" not in (checkout / ".git" / "config").read_text()


def test_redact_and_default_checkout_hide_credentials(tmp_path: Path) -> None:
    assert redact("https://user:tok@github.com/me/blog.git") == "https://***@github.com/me/blog.git"
    assert redact("https://github.com/me/blog.git") == "https://github.com/me/blog.git"
    assert redact("/srv/git/blog.git") == "/srv/git/blog.git"
    a = default_checkout(tmp_path, "https://user:tok@github.com/me/blog.git")
    assert "tok" not in str(a).removeprefix(str(tmp_path))
    assert a == default_checkout(tmp_path, "https://user:rotated@github.com/me/blog.git")
    assert a != default_checkout(tmp_path, "https://github.com/me/other-blog.git")


def test_create_local_blog_accepts_pushes_into_its_checked_out_branch(tmp_path: Path) -> None:
    path = tmp_path / "blog"
    create_local_blog(path, "main")
    local = git.Repo(path)
    assert not local.bare
    assert local.active_branch.name == "main"
    assert (path / "README.md").is_file()
    initial = local.head.commit.hexsha

    result = blog(path, tmp_path / "checkout").publish({POST: b"# Post\n"}, "Digest")

    local = git.Repo(path)
    assert local.head.commit.hexsha == result.commit
    assert local.head.commit.parents[0].hexsha == initial
    assert (path / POST).read_bytes() == b"# Post\n"  # the working tree follows the push
    assert not local.is_dirty(untracked_files=True)

    create_local_blog(path, "main")  # idempotent: an existing blog is left alone
    assert git.Repo(path).head.commit.hexsha == result.commit


def test_token_in_the_remote_url_authenticates_through_the_environment_only(tmp_path: Path) -> None:
    from servers.git_http_server import GitHttpServer

    token = "CANARY-TOKEN-789"
    bare = tmp_path / "srv" / "blog.git"
    git.Repo.init(bare, bare=True, initial_branch="main")
    with git.Repo(bare).config_writer() as cw:
        cw.set_value("http", "receivepack", "true")
    checkout = tmp_path / "checkout"
    with GitHttpServer(tmp_path / "srv", "digest-bot", token) as server:
        url = server.root_url.replace("http://", f"http://digest-bot:{token}@") + "/blog.git"
        first = blog(url, checkout).publish({POST: b"v1\n"}, "Digest v1")
        assert first.pushed and remote_commits(bare)[0].hexsha == first.commit
        assert blog(url, checkout).publish({POST: b"v2\n"}, "Digest v2").pushed  # fetch + push again
        assert server.auth_headers and all(h == server.expected for h in server.auth_headers if h)
        with pytest.raises(PublishError, match="cannot reach the blog repo") as info:  # a wrong token is refused
            blog(url.replace(token, "WRONG-TOKEN-000"), tmp_path / "other").publish({POST: b"v3\n"}, "Digest v3")
        assert "WRONG-TOKEN-000" not in str(info.value)
    leaked = [p for p in checkout.rglob("*") if p.is_file() and token.encode() in p.read_bytes()]
    assert leaked == []
    assert git.Repo(checkout).remote("origin").url == server.root_url + "/blog.git"
