"""A real Airflow 3 deployment for tests: PostgreSQL metadata DB, api-server, scheduler, dag-processor, workers."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg2

ROOT = Path(__file__).resolve().parents[2]
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
PG = {"host": "127.0.0.1", "port": 5432, "user": os.environ.get("PGUSER", "postgres"), "dbname": "test"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def create_database() -> str:
    """A fresh PostgreSQL database on the local server; returns its name."""
    name = f"digest_it_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE DATABASE "{name}"')
    return name


def drop_database(name: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(sql: str) -> None:
    """Run a statement that cannot be inside a transaction (CREATE/DROP DATABASE)."""
    conn = psycopg2.connect(**PG)
    try:
        conn.autocommit = True
        conn.cursor().execute(sql)
    finally:
        conn.close()


class AirflowStack:
    """Starts Airflow's services as subprocesses sharing one environment; logs go to ``home/logs``."""

    def __init__(self, home: Path, env: dict[str, str], *, database: str, executor: str = "LocalExecutor"):
        self.home = home
        self.api_port = free_port()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "DIGEST_"))}
        self.env.update(env)
        self.env.update({
            "AIRFLOW_HOME": str(home / "airflow"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": executor,
            "AIRFLOW__CORE__PARALLELISM": "8",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.api_port}/execution/",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://{PG['user']}@127.0.0.1:5432/{database}",
            "AIRFLOW__API_AUTH__JWT_SECRET": uuid.uuid4().hex * 2,
            "AIRFLOW__API__SECRET_KEY": uuid.uuid4().hex,
            "AIRFLOW__API__PORT": str(self.api_port),
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL": "5",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        })
        self.procs: list[subprocess.Popen[bytes]] = []
        (home / "logs").mkdir(parents=True, exist_ok=True)

    def cli(self, *args: str, timeout: float = 300) -> str:
        """Run an airflow CLI command to completion and return its stdout (raises on failure)."""
        done = subprocess.run([AIRFLOW, *args], env=self.env, capture_output=True, text=True, timeout=timeout,
                              check=False)
        if done.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done.stdout

    def cli_json(self, *args: str) -> list[dict[str, Any]]:
        """An airflow CLI command's ``-o json`` output (log lines before it are skipped)."""
        out = self.cli(*args, "-o", "json")
        line = next((ln for ln in out.splitlines() if ln.startswith("[")), "[]")
        return list(json.loads(line))

    def start(self, name: str, *args: str, env: dict[str, str] | None = None) -> None:
        log = (self.home / "logs" / f"{name}.log").open("wb")
        self.procs.append(subprocess.Popen([AIRFLOW, *args], env={**self.env, **(env or {})}, stdout=log,
                                           stderr=subprocess.STDOUT, start_new_session=True))

    def up(self) -> None:
        """Migrate, import pools, then start api-server, dag-processor and scheduler."""
        self.cli("db", "migrate")
        self.cli("pools", "import", str(ROOT / "include" / "pools.json"))
        self.start("api-server", "api-server", "--port", str(self.api_port))
        self.start("dag-processor", "dag-processor")
        self.start("scheduler", "scheduler")
        self.wait_for_api()

    def wait_for_api(self, timeout: float = 90) -> None:
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.api_port}/api/v2/version", timeout=2):  # noqa: S310
                    return
            except OSError:
                time.sleep(1)
        raise TimeoutError(f"api-server did not answer within {timeout}s; see {self.home / 'logs'}")

    def wait_for_dag(self, dag_id: str, timeout: float = 120) -> None:
        """Until the dag-processor has serialized the DAG (the CLI can see it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                dags = self.cli_json("dags", "list")
            except RuntimeError:
                dags = []
            if any(d.get("dag_id") == dag_id for d in dags):
                return
            time.sleep(2)
        raise TimeoutError(f"{dag_id} was not parsed within {timeout}s; see {self.home / 'logs'}")

    def runs(self, dag_id: str) -> list[dict[str, Any]]:
        return self.cli_json("dags", "list-runs", dag_id)

    def wait_for_runs(self, dag_id: str, dates: list[str], timeout: float = 600) -> list[dict[str, Any]]:
        """Until the runs for these logical dates exist and all finished; returns them (other runs ignored)."""
        deadline = time.monotonic() + timeout
        runs: list[dict[str, Any]] = []
        count = len(dates)
        while time.monotonic() < deadline:
            runs = [r for r in self.runs(dag_id) if r["logical_date"][:10] in dates]
            if len(runs) >= count and all(r["state"] in ("success", "failed") for r in runs):
                return runs
            time.sleep(3)
        raise TimeoutError(f"runs not finished within {timeout}s: {runs}; see {self.home / 'logs'}")

    def down(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
