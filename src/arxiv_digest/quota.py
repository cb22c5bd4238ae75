"""Provider quota model: one limiter for requests/min, tokens/min, requests/day and concurrent calls.

Every worker that talks to a provider shares the limiter's state. The state lives in a SQL database (a SQLite file
under $DIGEST_HOME by default, the PostgreSQL server of the metadata DB in docker-compose), not in Redis: the
day's request count must survive restarts (Redis in the compose file keeps no data), every executor can reach a
database, and one short transaction per call is nothing next to a multi-second LLM call. Airflow 3 task code may
not use Airflow's own ORM session, so the limiter has its own table (``digest_quota``) and engine.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from .llm import LLM, LLMAnswer

log = logging.getLogger(__name__)
WINDOW = 60.0  # seconds: requests/min and tokens/min are counted over a sliding minute
# A request reaches the provider a little after we admit it, and not always equally late: wait this much longer
# than the minute so the provider's own count never sees one request too many.
SLACK = 1.0
POLL = 0.25  # longest sleep while waiting for a concurrency slot held by another worker


class QuotaExhausted(Exception):
    """The provider's requests/day are used up: stop asking, publish what is done, defer the rest."""


class QuotaSpec(BaseModel):
    """A provider's limits; None means no limit of that kind."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rpm: int | None = Field(default=None, ge=1, description="requests per minute")
    tpm: int | None = Field(default=None, ge=1, description="tokens (in + out) per minute")
    rpd: int | None = Field(default=None, ge=1, description="requests per day")
    concurrency: int = Field(default=4, ge=1, le=256, description="calls in flight at once")
    min_interval: float = Field(default=0.0, ge=0, description="seconds from the end of a request to the next")
    day_tz: str = Field(default="America/Los_Angeles", description="time zone whose midnight resets requests/day")

    def merged(self, override: dict[str, Any] | None) -> QuotaSpec:
        """This spec with a topic's fields on top."""
        return self if not override else QuotaSpec.model_validate({**self.model_dump(), **override})

    def pool_slots(self) -> int:
        """Airflow pool size for this provider: its concurrency, never more calls than a minute allows."""
        return min(self.concurrency, self.rpm) if self.rpm else self.concurrency


# Defaults per provider: Gemini's free tier for 2.5 Flash (10/min, 250k tokens/min, 250/day); an
# OpenAI-compatible server (often local) gets only a concurrency cap.
DEFAULT_QUOTAS: dict[str, QuotaSpec] = {
    "gemini": QuotaSpec(rpm=10, tpm=250_000, rpd=250, concurrency=4),
    "openai": QuotaSpec(concurrency=4),
    "arxiv": QuotaSpec(concurrency=1, min_interval=3.0, day_tz="UTC"),
}


class Backend(Protocol):
    """Where limiter state lives: one JSON document per key, read and written under an exclusive lock."""

    def locked(self, key: str) -> Any: ...


class MemoryBackend:
    """State in this process only (tests, single-process tools)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: dict[str, dict[str, Any]] = {}

    @contextmanager
    def locked(self, key: str) -> Iterator[dict[str, Any]]:
        with self._lock:
            state = self._state.setdefault(key, {})
            yield state


class SQLBackend:
    """State in a SQL table, locked per key (SQLite: BEGIN IMMEDIATE; PostgreSQL: SELECT ... FOR UPDATE)."""

    def __init__(self, url: str):
        import sqlalchemy as sa

        self.sa = sa
        sqlite = url.startswith("sqlite")
        if sqlite and (path := sa.engine.make_url(url).database) and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)  # a fresh DIGEST_HOME has no folder yet
        self.engine = sa.create_engine(url, connect_args={"timeout": 60} if sqlite else {}, pool_pre_ping=True)
        if sqlite:
            # pysqlite's own transaction handling defers locking; take the write lock when the transaction begins.
            @sa.event.listens_for(self.engine, "connect")
            def _connect(dbapi_conn: Any, _record: Any) -> None:
                dbapi_conn.isolation_level = None

            @sa.event.listens_for(self.engine, "begin")
            def _begin(conn: Any) -> None:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        meta = sa.MetaData()
        self.table = sa.Table(
            "digest_quota", meta,
            sa.Column("key", sa.String(200), primary_key=True),
            sa.Column("state", sa.Text, nullable=False),
        )
        try:
            meta.create_all(self.engine, checkfirst=True)
        except sa.exc.DBAPIError:  # another worker created the table at the same moment (PostgreSQL says so)
            meta.create_all(self.engine, checkfirst=True)

    @contextmanager
    def locked(self, key: str) -> Iterator[dict[str, Any]]:
        sa, t = self.sa, self.table
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(t.c.state).where(t.c.key == key).with_for_update()).first()
            if row is None:
                try:
                    with conn.begin_nested():
                        conn.execute(t.insert().values(key=key, state="{}"))
                except sa.exc.IntegrityError:
                    pass  # another worker created it first
                row = conn.execute(sa.select(t.c.state).where(t.c.key == key).with_for_update()).one()
            state = json.loads(row.state)
            yield state
            conn.execute(t.update().where(t.c.key == key).values(state=json.dumps(state)))


def open_backend(url: str) -> Backend:
    """``memory://`` for this process only, else a SQLAlchemy URL (sqlite:///path, postgresql+psycopg2://...)."""
    return MemoryBackend() if url == "memory://" else SQLBackend(url)


@dataclass
class Lease:
    """One admitted request; release it with the tokens the call really used."""

    key: str
    id: str


class Limiter:
    """Admits a request when every limit of its key allows it, waiting (sleeping) until then.

    State per key: the last minute's requests ``[start, tokens, lease id]``, the leases in flight with their
    expiry (a crashed worker's slot frees itself), the day's request count, and a ``blocked_until`` set by a 429.
    """

    def __init__(
        self,
        backend: Backend,
        specs: dict[str, QuotaSpec],
        *,
        lease_seconds: float = 300.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.backend, self.specs = backend, specs
        self.lease_seconds, self.clock, self.sleep = lease_seconds, clock, sleep
        self.waited = 0.0  # seconds this process spent waiting for the limiter

    def spec(self, key: str) -> QuotaSpec:
        return self.specs.get(key) or self.specs[key.split("/", 1)[0]]

    def _day(self, spec: QuotaSpec, now: float) -> str:
        return datetime.fromtimestamp(now, ZoneInfo(spec.day_tz)).date().isoformat()

    def _refresh(self, state: dict[str, Any], spec: QuotaSpec, now: float) -> None:
        state["calls"] = [c for c in state.get("calls", []) if c[0] > now - WINDOW - SLACK]
        state["inflight"] = {k: v for k, v in state.get("inflight", {}).items() if v > now}
        day = self._day(spec, now)
        if state.get("day") != day:
            state["day"], state["day_count"], state["day_full"] = day, 0, False

    def _wait_for(self, state: dict[str, Any], spec: QuotaSpec, tokens: int, now: float) -> float:
        """Seconds until this request may start (0: now)."""
        calls = state["calls"]
        wait = max(0.0, state.get("blocked_until", 0.0) - now)
        if spec.rpm and len(calls) >= spec.rpm:
            wait = max(wait, calls[len(calls) - spec.rpm][0] + WINDOW + SLACK - now)
        if spec.tpm and calls:
            used = sum(c[1] for c in calls)
            for start, spent, _ in calls:  # oldest first: when enough tokens have left the window
                if used + tokens <= spec.tpm:
                    break
                used -= spent
                wait = max(wait, start + WINDOW + SLACK - now)
        if spec.min_interval and "last" in state:
            wait = max(wait, state["last"] + spec.min_interval - now)
        if len(state["inflight"]) >= spec.concurrency:
            wait = max(wait, min(POLL, min(state["inflight"].values()) - now))
        return wait

    def acquire(self, key: str, tokens: int = 0) -> Lease:
        """Wait until ``key``'s limits admit a request of about ``tokens`` tokens; QuotaExhausted past the day's cap."""
        spec = self.spec(key)
        while True:
            with self.backend.locked(key) as state:
                now = self.clock()
                self._refresh(state, spec, now)
                if state.get("day_full") or (spec.rpd and state["day_count"] >= spec.rpd):
                    raise QuotaExhausted(f"{key}: the day's {spec.rpd or 'provider'} requests are used up "
                                         f"(resets at midnight {spec.day_tz})")
                wait = self._wait_for(state, spec, tokens, now)
                if wait <= 0:
                    lease = Lease(key, uuid.uuid4().hex)
                    state["calls"].append([now, tokens, lease.id])
                    state["inflight"][lease.id] = now + self.lease_seconds
                    state["day_count"] += 1
                    state["last"] = now
                    return lease
            self.waited += wait
            self.sleep(wait)

    def release(self, lease: Lease, tokens: int | None = None) -> None:
        """The call is over: free its slot and count the tokens it really used."""
        with self.backend.locked(lease.key) as state:
            state.setdefault("inflight", {}).pop(lease.id, None)
            if self.spec(lease.key).min_interval:
                # The interval runs from the end of a request: a busy machine may send the next one late after
                # admitting it, but never before the previous one is over.
                state["last"] = self.clock()
            if tokens is not None:
                for c in state.get("calls", []):
                    if c[2] == lease.id:
                        c[1] = tokens

    def penalize(self, key: str, seconds: float) -> None:
        """The provider said 429 and how long to wait (RetryInfo): every worker holds off that long."""
        with self.backend.locked(key) as state:
            state["blocked_until"] = max(state.get("blocked_until", 0.0), self.clock() + seconds)

    def exhaust_day(self, key: str) -> None:
        """The provider says the day's requests are used up, whatever our count says."""
        spec = self.spec(key)
        with self.backend.locked(key) as state:
            self._refresh(state, spec, self.clock())
            state["day_full"] = True

    def day_count(self, key: str) -> int:
        spec = self.spec(key)
        with self.backend.locked(key) as state:
            self._refresh(state, spec, self.clock())
            return int(state["day_count"])


def estimate_tokens(*texts: str, chars_per_token: int = 4) -> int:
    """A prompt's tokens, estimated without a tokenizer call (about four characters per token)."""
    return sum(len(t) for t in texts) // chars_per_token + 1


DEFAULT_PENALTY = 5.0  # seconds to hold off after a 429 that named no RetryInfo


class LimitedLLM:
    """An :class:`LLM` whose calls go through a shared :class:`Limiter`; 429s hold every worker off."""

    def __init__(self, llm: LLM, limiter: Limiter, provider: str):
        self.llm, self.limiter, self.provider = llm, limiter, provider
        self.throttled = 0  # 429 answers seen by this process

    def generate(self, *, model: str, system: str, prompt: str, schema: Any, temperature: float,
                 max_output_tokens: int) -> LLMAnswer:
        key = f"{self.provider}/{model}"
        lease = self.limiter.acquire(key, estimate_tokens(system, prompt))
        try:
            answer = self.llm.generate(model=model, system=system, prompt=prompt, schema=schema,
                                       temperature=temperature, max_output_tokens=max_output_tokens)
        except BaseException:
            self.limiter.release(lease)
            raise
        self.limiter.release(lease, answer.tokens_in + answer.tokens_out or None)
        if answer.error and answer.error.startswith("429"):
            self.throttled += 1
            if "per day" in answer.error.lower() or "perday" in answer.error.lower():
                self.limiter.exhaust_day(key)
                raise QuotaExhausted(f"{key}: the provider says the day's quota is used up ({answer.error})")
            self.limiter.penalize(key, answer.retry_after if answer.retry_after is not None else DEFAULT_PENALTY)
        return answer
