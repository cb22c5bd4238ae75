"""One storage contract, two backends: a local directory and S3 (moto's real S3 REST server)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from arxiv_digest.storage import (
    LocalStorage,
    NotFound,
    S3Storage,
    Storage,
    content_key,
    get_model,
    open_storage,
    put_model,
)


@pytest.fixture
def bucket(s3_client: Any) -> str:
    name = f"digest-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name)
    return name


def _local(tmp_path: Path, request: pytest.FixtureRequest) -> Storage:
    return LocalStorage(tmp_path / "store")


def _s3(tmp_path: Path, request: pytest.FixtureRequest) -> Storage:
    client = request.getfixturevalue("s3_client")
    return S3Storage(client, request.getfixturevalue("bucket"), prefix="/digest/state/")


BACKENDS: dict[str, Callable[[Path, pytest.FixtureRequest], Storage]] = {"local": _local, "s3": _s3}


@pytest.fixture(params=list(BACKENDS))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    return BACKENDS[request.param](tmp_path, request)


def test_put_get_exists_list(store: Storage) -> None:
    assert store.list("") == []
    assert not store.exists("listings/2024-06-20.json")

    store.put("listings/2024-06-20.json", b'{"papers": []}', "application/json")
    store.put("listings/2024-06-21.json", b"{}", "application/json")
    store.put("figures/ab/abcd.png", b"\x89PNG\r\n\x1a\n\x00binary\xff")
    store.put("top.txt", b"")

    assert store.get("listings/2024-06-20.json") == b'{"papers": []}'
    assert store.get("figures/ab/abcd.png") == b"\x89PNG\r\n\x1a\n\x00binary\xff"
    assert store.get("top.txt") == b""
    assert store.exists("listings/2024-06-21.json") and store.exists("top.txt")
    assert store.list("listings") == ["listings/2024-06-20.json", "listings/2024-06-21.json"]
    assert store.list("figures") == ["figures/ab/abcd.png"]
    assert store.list("figures/ab") == ["figures/ab/abcd.png"]
    assert store.list("nothing-here") == []
    assert store.list("") == [
        "figures/ab/abcd.png", "listings/2024-06-20.json", "listings/2024-06-21.json", "top.txt",
    ]


def test_put_overwrites(store: Storage) -> None:
    store.put("a/b.txt", b"first")
    store.put("a/b.txt", b"second")
    assert store.get("a/b.txt") == b"second"
    assert store.list("a") == ["a/b.txt"]


def test_missing_key_raises_not_found(store: Storage) -> None:
    with pytest.raises(NotFound) as info:
        store.get("reviews/2406.10001v1.json")
    assert "reviews/2406.10001v1.json" in str(info.value)
    assert isinstance(info.value, KeyError)


@pytest.mark.parametrize("key", ["../x", "/abs", "", "a/../b", "a//b", "./a", "a/"])
def test_invalid_keys_are_rejected(store: Storage, key: str) -> None:
    for call in (lambda: store.put(key, b"x"), lambda: store.get(key), lambda: store.exists(key),
                 lambda: store.describe(key)):
        with pytest.raises(ValueError, match="invalid storage key"):
            call()
    assert store.list("") == []


def test_models_round_trip(store: Storage) -> None:
    class Record(BaseModel):
        name: str
        count: int

    put_model(store, "records/one.json", Record(name="ü", count=3))
    assert get_model(store, "records/one.json", Record) == Record(name="ü", count=3)


@pytest.mark.parametrize("backend", ["local", "s3"])
def test_list_accepts_a_directory_prefix_with_trailing_slash(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    store = BACKENDS[backend](tmp_path, request)
    store.put("figures/ab/abcd.png", b"x")
    assert store.list("figures/") == ["figures/ab/abcd.png"]


@pytest.mark.parametrize("backend", ["local", "s3"])
def test_list_prefix_matches_whole_key_segments(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    store = BACKENDS[backend](tmp_path, request)
    store.put("fig/one.png", b"1")
    store.put("figures/two.png", b"2")
    assert store.list("fig") == ["fig/one.png"]


def test_local_writes_are_atomic_and_leave_no_temp_files(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path / "root")
    store.put("deep/nested/key.bin", b"x" * 100_000)
    store.put("deep/nested/key.bin", b"y" * 10)
    files = sorted(p.relative_to(tmp_path / "root").as_posix() for p in (tmp_path / "root").rglob("*") if p.is_file())
    assert files == ["deep/nested/key.bin"]
    assert store.get("deep/nested/key.bin") == b"y" * 10
    assert store.describe("deep/nested/key.bin") == str((tmp_path / "root" / "deep/nested/key.bin").resolve())


def test_failed_local_write_keeps_the_old_object_and_cleans_up(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path)
    store.put("a/key.json", b"old")
    with pytest.raises(TypeError):
        store.put("a/key.json", "not bytes")  # type: ignore[arg-type]  # the write itself fails
    assert store.get("a/key.json") == b"old"
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["key.json"]


def test_local_list_ignores_stray_temp_files(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path)
    store.put("a/key.json", b"{}")
    (tmp_path / "a" / ".tmp-abandoned").write_bytes(b"half")
    assert store.list("a") == ["a/key.json"]


def test_s3_objects_land_under_the_prefix_with_content_type(s3_client: Any, bucket: str) -> None:
    store = S3Storage(s3_client, bucket, prefix="digest/state")
    store.put("posts/day.md", b"# hi", "text/markdown")
    head = s3_client.head_object(Bucket=bucket, Key="digest/state/posts/day.md")
    assert head["ContentType"] == "text/markdown"
    assert store.describe("posts/day.md") == f"s3://{bucket}/digest/state/posts/day.md"
    # Objects outside the prefix are invisible to the store.
    s3_client.put_object(Bucket=bucket, Key="other/thing.txt", Body=b"x")
    s3_client.put_object(Bucket=bucket, Key="digest/stateful.txt", Body=b"x")
    assert store.list("") == ["posts/day.md"]
    assert not store.exists("other/thing.txt")


def test_s3_without_prefix(s3_client: Any, bucket: str) -> None:
    store = S3Storage(s3_client, bucket)
    store.put("k/v.txt", b"v")
    assert s3_client.get_object(Bucket=bucket, Key="k/v.txt")["Body"].read() == b"v"
    assert store.list("") == ["k/v.txt"]


def test_s3_missing_bucket_is_an_error_not_a_missing_key(s3_client: Any) -> None:
    store = S3Storage(s3_client, f"absent-{uuid.uuid4().hex[:8]}")
    with pytest.raises(s3_client.exceptions.NoSuchBucket):
        store.get("k")


def test_content_key_is_stable_and_content_addressed() -> None:
    data = b"\x89PNG figure bytes"
    digest = hashlib.sha256(data).hexdigest()
    assert content_key(data, "png") == f"{digest[:2]}/{digest}.png"
    assert content_key(data, ".png") == content_key(data, "png")
    assert content_key(data, "png", prefix="figures/") == f"figures/{digest[:2]}/{digest}.png"
    assert content_key(bytes(data), "png") == content_key(data, "png")
    assert content_key(data + b"!", "png") != content_key(data, "png")
    assert content_key(data, "jpg") != content_key(data, "png")


def test_content_keys_are_valid_storage_keys(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path)
    key = content_key(b"abc", "webp", prefix="figures/")
    store.put(key, b"abc")
    assert store.list("figures") == [key]


def test_open_storage_s3_location(s3_client: Any, bucket: str) -> None:
    store = open_storage(f"s3://{bucket}/digest/figures", lambda: s3_client)
    assert isinstance(store, S3Storage)
    assert (store.bucket, store.prefix) == (bucket, "digest/figures")
    store.put("x.txt", b"1")
    assert s3_client.get_object(Bucket=bucket, Key="digest/figures/x.txt")["Body"].read() == b"1"

    bare = open_storage(f"s3://{bucket}", lambda: s3_client)
    assert isinstance(bare, S3Storage) and bare.prefix == ""
    assert bare.list("") == ["digest/figures/x.txt"]


def test_open_storage_local_path(tmp_path: Path) -> None:
    store = open_storage(str(tmp_path / "state"))
    assert isinstance(store, LocalStorage)
    assert store.root == (tmp_path / "state").resolve()


@pytest.mark.parametrize("location", ["http://example.org/bucket", "https://x/y", "file:///tmp/x", "gs://b/p"])
def test_open_storage_rejects_other_schemes(location: str) -> None:
    with pytest.raises(ValueError, match="s3://bucket/prefix or a local directory"):
        open_storage(location)


@pytest.mark.parametrize("location", ["s3://", "s3:///prefix"])
def test_open_storage_rejects_s3_without_bucket(location: str) -> None:
    def factory() -> Any:
        raise AssertionError("no client should be built for an invalid location")

    with pytest.raises(ValueError, match="names no bucket"):
        open_storage(location, factory)
