"""The quota limiter on PostgreSQL (docker-compose's set-up): processes share one day count and concurrency cap."""

from __future__ import annotations

import pytest

from test_quota import run_workers

from .stack import PG, create_database, drop_database

pytestmark = pytest.mark.integration


def test_processes_share_the_limiter_through_postgresql(tmp_path) -> None:  # type: ignore[no-untyped-def]
    name = create_database()
    try:
        run_workers(f"postgresql+psycopg2://{PG['user']}@127.0.0.1:5432/{name}", tmp_path)
    finally:
        drop_database(name)
