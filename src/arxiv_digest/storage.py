"""One object-store interface with two backends: a local directory and S3 (client passed in)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from .errors import NotFound  # noqa: F401 - part of this module's interface

M = TypeVar("M", bound=BaseModel)



class Storage(Protocol):
    """What every stage needs from an object store: bytes by key."""

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None: ...

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def list(self, prefix: str) -> list[str]: ...

    def describe(self, key: str) -> str: ...

    def put_if_absent(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> bool: ...


def _check_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"invalid storage key {key!r}: use relative keys like 'figures/ab/abcd.png'")
    return key


class LocalStorage:
    """A directory; writes are atomic (temp file + rename) so a killed task never leaves half an object."""

    def __init__(self, root: Path | str):
        self.root = Path(root).expanduser().resolve()

    def _path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def put_if_absent(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> bool:
        """Create ``key`` only if no one has: the first of two racing writers wins, the other gets False."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return True

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise NotFound(key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list(self, prefix: str) -> list[str]:
        """Keys under ``prefix``, matched by whole path segments."""
        prefix = prefix.strip("/")
        base = self._path(prefix) if prefix else self.root
        if not base.exists():
            return []
        return sorted(
            str(p.relative_to(self.root))
            for p in base.rglob("*")
            if p.is_file() and not p.name.startswith(".tmp-")
        )

    def describe(self, key: str) -> str:
        return str(self._path(key))


class S3Storage:
    """A bucket and prefix, through a boto3 S3 client the caller builds (Airflow's AWS connection or plain boto3)."""

    def __init__(self, client: Any, bucket: str, prefix: str = ""):
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{_check_key(key)}" if self.prefix else _check_key(key)

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type)

    def put_if_absent(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> bool:
        """S3 conditional write (If-None-Match: *): the first of two racing writers wins."""
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type,
                                   IfNoneMatch="*")
        except self.client.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
                return False
            raise
        return True

    def get(self, key: str) -> bytes:
        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except self.client.exceptions.NoSuchKey:
            raise NotFound(key) from None
        return bytes(obj["Body"].read())

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except self.client.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def list(self, prefix: str) -> list[str]:
        """Keys under ``prefix``, matched by whole path segments like the local backend."""
        prefix = prefix.strip("/")
        full = self._key(prefix) + "/" if prefix else (self.prefix + "/" if self.prefix else "")
        strip = len(self.prefix) + 1 if self.prefix else 0
        keys: list[str] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=full):
            keys.extend(o["Key"][strip:] for o in page.get("Contents", []))
        return sorted(keys)

    def describe(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}"


def open_storage(location: str, s3_client_factory: Callable[[], Any] | None = None) -> Storage:
    """``s3://bucket/prefix`` or a local path; S3 needs a client factory so credentials stay with the caller."""
    if location.startswith("s3://"):
        bucket, _, prefix = location.removeprefix("s3://").partition("/")
        if not bucket:
            raise ValueError(f"storage location {location!r} names no bucket: use s3://bucket/prefix")
        if s3_client_factory is None:
            import boto3

            def s3_client_factory() -> Any:
                return boto3.client("s3")

        return S3Storage(s3_client_factory(), bucket, prefix)
    if "://" in location:
        raise ValueError(f"storage location {location!r}: use s3://bucket/prefix or a local directory path")
    return LocalStorage(location)


def airflow_s3_client(conn_id: str) -> Callable[[], Any]:
    """S3 clients from the Airflow AWS connection ``conn_id`` (``endpoint_url`` for MinIO), as the DAG's tasks make
    them; boto3's own credential chain where Airflow is not installed."""

    def factory() -> Any:
        try:
            from airflow.providers.amazon.aws.hooks.s3 import S3Hook
        except ImportError:
            import boto3

            return boto3.client("s3")
        return S3Hook(aws_conn_id=conn_id).get_conn()

    return factory


def put_model(store: Storage, key: str, model: BaseModel) -> None:
    store.put(key, model.model_dump_json(indent=1).encode(), "application/json")


def get_model(store: Storage, key: str, cls: type[M]) -> M:
    return cls.model_validate_json(store.get(key))


def content_key(data: bytes, extension: str, prefix: str = "") -> str:
    """Content-addressed key: the same bytes always land at the same key, so they are stored once."""
    digest = hashlib.sha256(data).hexdigest()
    return f"{prefix}{digest[:2]}/{digest}.{extension.lstrip('.')}"
