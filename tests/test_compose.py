"""Static checks of docker-compose.yaml and the Dockerfile; no Docker engine needed.

A broken compose file only shows up minutes into `docker compose up` (a task failing with "Invalid auth
token", a service waiting on a dependency that never becomes healthy, a mistyped AIRFLOW__ variable that
Airflow silently ignores), so these tests catch those mistakes before anyone starts the stack.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import AliasChoices

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"

AIRFLOW_SERVICES = {
    "airflow-init": None,  # a bash script, checked separately
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
    "airflow-worker": "celery worker",
}
SUPPORT_SERVICES = {"postgres", "redis", "minio", "minio-init"}
ONE_SHOT_SERVICES = {"airflow-init", "minio-init"}
# Settings whose value must be identical in every Airflow container.
SHARED_AIRFLOW_SETTINGS = (
    "AIRFLOW__CORE__EXECUTOR",
    "AIRFLOW__API_AUTH__JWT_SECRET",
    "AIRFLOW__API__SECRET_KEY",
    "AIRFLOW__CORE__FERNET_KEY",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    "AIRFLOW__CELERY__BROKER_URL",
    "AIRFLOW__CELERY__RESULT_BACKEND",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
    "AIRFLOW__CORE__DAGS_FOLDER",
    "AIRFLOW__CORE__PLUGINS_FOLDER",
    "AIRFLOW_CONN_AWS_DEFAULT",
)
PROJECT_DIR = "/opt/airflow/project"
# Config sections that come from a provider rather than from Airflow core, and that provider's distribution.
PROVIDER_SECTIONS = {"celery": "apache-airflow-providers-celery"}

_AIRFLOW_KEY = re.compile(r"\bAIRFLOW__([A-Z0-9_]+?)__([A-Z0-9_]+)\b")
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}; `$$` is a literal `$`.
_INTERPOLATION = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def _airflow_keys_in(*paths: Path) -> list[str]:
    keys: set[str] = set()
    for path in paths:
        if path.exists():
            keys.update(match.group(0) for match in _AIRFLOW_KEY.finditer(path.read_text()))
    return sorted(keys)


def interpolate(value: str, env: dict[str, str]) -> str:
    """Resolve Compose variable syntax the way `docker compose` does, for the forms this project uses."""

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name", "op", "arg")
        current = env.get(name)
        unset = current is None or (current == "" and op is not None and op.startswith(":"))
        if op is None or not unset:
            return current or ""
        if op.endswith("?"):
            raise KeyError(f"{name}: {arg}")
        return arg

    return _INTERPOLATION.sub(substitute, value)


def _is_installed(distribution: str) -> bool:
    # Metadata only: importing airflow.providers would initialise Airflow inside the test process.
    try:
        importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def _env_dict(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def _command_text(service: dict[str, Any]) -> str:
    command = service.get("command", "")
    return command if isinstance(command, str) else " ".join(map(str, command))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    # yaml.safe_load resolves anchors, aliases and `<<` merge keys, as Compose does.
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="module")
def airflow_common(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["x-airflow-common"]


@pytest.fixture(scope="module")
def known_airflow_keys(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every AIRFLOW__SECTION__KEY that the installed Airflow (core + installed providers) documents."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "AIRFLOW_CONFIG"))}
    env["AIRFLOW_HOME"] = str(tmp_path_factory.mktemp("airflow_home"))
    result = subprocess.run(
        [sys.executable, "-m", "airflow", "config", "list", "--defaults"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    keys = set(re.findall(r"Variable: (AIRFLOW__\w+)", result.stdout))
    assert "AIRFLOW__CORE__EXECUTOR" in keys, result.stdout[:2000] + result.stderr[-2000:]
    return keys


def test_expected_services_exist(services: dict[str, Any]) -> None:
    missing = (set(AIRFLOW_SERVICES) | SUPPORT_SERVICES) - set(services)
    assert not missing, f"missing services: {sorted(missing)}"


def test_airflow_services_share_one_image_and_build(
    services: dict[str, Any], airflow_common: dict[str, Any]
) -> None:
    assert airflow_common["build"] == {"context": ".", "dockerfile": "Dockerfile"}
    for name in AIRFLOW_SERVICES:
        assert services[name].get("build") == airflow_common["build"], name
        assert services[name].get("image") == airflow_common["image"], name


def test_airflow_services_share_critical_settings(
    services: dict[str, Any], airflow_common: dict[str, Any]
) -> None:
    common = _env_dict(airflow_common)
    assert common["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert common["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    assert "@postgres:" in common["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert common["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:")
    assert common["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
    assert common["AIRFLOW__CORE__DAGS_FOLDER"] == f"{PROJECT_DIR}/dags"
    assert common["AIRFLOW__CORE__PLUGINS_FOLDER"] == f"{PROJECT_DIR}/plugins"
    assert common["AIRFLOW__CORE__LOAD_EXAMPLES"].lower() == "false"
    assert f"{PROJECT_DIR}/src" in common["PYTHONPATH"].split(":")
    for name in AIRFLOW_SERVICES:
        env = _env_dict(services[name])
        for key in SHARED_AIRFLOW_SETTINGS:
            assert env.get(key) == common[key], f"{name} has a different {key}"


def test_secrets_come_from_env_with_clearly_marked_dev_defaults(airflow_common: dict[str, Any]) -> None:
    common = _env_dict(airflow_common)
    for key in ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY"):
        match = re.fullmatch(r"\$\{(\w+):-(.+)\}", common[key])
        assert match, f"{key} must be `${{HOST_VAR:-dev default}}`, got {common[key]!r}"
        assert "dev-only" in match.group(2).lower() and "insecure" in match.group(2).lower(), key
    jwt_default = interpolate(common["AIRFLOW__API_AUTH__JWT_SECRET"], {})
    assert len(jwt_default) >= 64, "HS512 wants a key of at least 64 bytes"
    override = interpolate(common["AIRFLOW__API_AUTH__JWT_SECRET"], {"AIRFLOW_JWT_SECRET": "x" * 64})
    assert override == "x" * 64


def test_worker_runs_celery_worker_and_is_scalable(services: dict[str, Any]) -> None:
    worker = services["airflow-worker"]
    assert _command_text(worker).split() == ["celery", "worker"]
    # `docker compose up --scale airflow-worker=N` fails with a fixed container name or a published host port.
    assert "container_name" not in worker
    assert not worker.get("ports")


@pytest.mark.parametrize(("name", "command"), [(n, c) for n, c in AIRFLOW_SERVICES.items() if c])
def test_airflow_service_commands(services: dict[str, Any], name: str, command: str) -> None:
    assert _command_text(services[name]).split() == command.split()


def test_init_migrates_db_then_imports_pools(services: dict[str, Any]) -> None:
    init = services["airflow-init"]
    script = _command_text(init)
    migrate = script.find("airflow db migrate")
    pools = script.find(f"airflow pools import {PROJECT_DIR}/include/pools.json")
    assert migrate >= 0, script
    assert pools > migrate, "pools must be imported after the DB is migrated"
    assert re.search(r"\bbash -e", script), "the init script must stop at the first failing command"
    assert init.get("restart") == "no"


def test_minio_init_creates_bucket_with_public_figures_only(services: dict[str, Any]) -> None:
    script = _command_text(services["minio-init"])
    assert re.search(r"mc mb --ignore-existing \w+/digest\b", script)
    assert re.search(r"mc anonymous set download \w+/digest/figures\b", script)
    assert not re.search(r"mc anonymous set \w+ \w+/digest/?(\s|$)", script), (
        "the whole bucket must stay private"
    )


def test_depends_on_reference_existing_services_with_valid_conditions(services: dict[str, Any]) -> None:
    valid = {"service_started", "service_healthy", "service_completed_successfully"}
    for name, service in services.items():
        depends_on = service.get("depends_on") or {}
        assert isinstance(depends_on, dict), f"{name}: use the long depends_on form with conditions"
        for target, spec in depends_on.items():
            assert target in services, f"{name} depends on unknown service {target}"
            assert target != name
            condition = spec["condition"]
            assert condition in valid, f"{name} -> {target}: {condition}"
            if condition == "service_healthy":
                assert "healthcheck" in services[target], (
                    f"{name} waits for {target}, which has no healthcheck"
                )
            if condition == "service_completed_successfully":
                assert target in ONE_SHOT_SERVICES, f"{target} never completes"


def test_startup_order(services: dict[str, Any]) -> None:
    def conditions(name: str) -> dict[str, str]:
        return {target: spec["condition"] for target, spec in services[name]["depends_on"].items()}

    for name in AIRFLOW_SERVICES:
        assert conditions(name)["postgres"] == "service_healthy", name
        assert conditions(name)["redis"] == "service_healthy", name
        if name != "airflow-init":
            assert conditions(name)["airflow-init"] == "service_completed_successfully", name
    assert conditions("airflow-worker")["airflow-apiserver"] == "service_healthy"
    assert conditions("airflow-worker")["minio-init"] == "service_completed_successfully"
    assert conditions("minio-init")["minio"] == "service_healthy"
    for name in ("postgres", "redis", "minio", "airflow-apiserver"):
        assert "healthcheck" in services[name], name


def test_volumes(compose: dict[str, Any], services: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})

    def named_volumes(service: dict[str, Any]) -> set[str]:
        sources = {str(v).split(":", 1)[0] for v in service.get("volumes", [])}
        return {s for s in sources if not s.startswith((".", "/", "~"))}

    assert "postgres-data" in named_volumes(services["postgres"])
    assert "minio-data" in named_volumes(services["minio"])
    for name, service in services.items():
        assert named_volumes(service) <= declared, f"{name} uses an undeclared volume"
    for name in AIRFLOW_SERVICES:
        assert f".:{PROJECT_DIR}:ro" in services[name]["volumes"], f"{name} must mount the project read-only"


def test_pipeline_settings(airflow_common: dict[str, Any]) -> None:
    env = _env_dict(airflow_common)
    defaults = {
        key: interpolate(value, {"DIGEST_BLOG_REPO": "https://example.org/blog.git"})
        for key, value in env.items()
    }
    assert defaults["DIGEST_STORAGE"] == "s3://digest/figures"
    assert defaults["DIGEST_STATE"] == "s3://digest/state"
    assert defaults["DIGEST_PUBLIC_URL"] == "http://localhost:9000/digest/figures/"
    assert defaults["DIGEST_BLOG_BRANCH"] == "main"
    for key in ("GEMINI_API_KEY", "DIGEST_BLOG_BRANCH", "AIRFLOW_CONN_BLOG_GIT", "DIGEST_PUBLIC_URL"):
        assert f"${{{key}" in env[key], f"{key} must be taken from the host environment"
    with pytest.raises(KeyError, match="DIGEST_BLOG_REPO"):
        interpolate(env["DIGEST_BLOG_REPO"], {})
    assert interpolate(env["DIGEST_BLOG_REPO"], {"DIGEST_BLOG_REPO": "https://x/b.git"}) == "https://x/b.git"


def test_pipeline_env_names_are_real_settings(
    airflow_common: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "src"))
    settings = importlib.import_module("arxiv_digest.settings")
    names: set[str] = set()
    for field in settings.Settings.model_fields.values():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(choice for choice in alias.choices if isinstance(choice, str))
        elif isinstance(alias, str):
            names.add(alias)
    used = {key for key in _env_dict(airflow_common) if key.startswith(("DIGEST_", "GEMINI_"))}
    assert used, "no pipeline settings passed to Airflow"
    assert used <= names, f"not settings of arxiv_digest: {sorted(used - names)}"


def test_aws_connection_points_at_minio(airflow_common: dict[str, Any], services: dict[str, Any]) -> None:
    raw = _env_dict(airflow_common)["AIRFLOW_CONN_AWS_DEFAULT"]
    conn = json.loads(interpolate(raw, {}))
    assert conn["conn_type"] == "aws"
    extra = conn["extra"]
    assert extra["endpoint_url"] == "http://minio:9000"
    minio_env = {k: interpolate(v, {}) for k, v in _env_dict(services["minio"]).items()}
    assert extra["aws_access_key_id"] == minio_env["MINIO_ROOT_USER"]
    assert extra["aws_secret_access_key"] == minio_env["MINIO_ROOT_PASSWORD"]
    assert len(minio_env["MINIO_ROOT_PASSWORD"]) >= 8, "MinIO refuses root passwords under 8 characters"
    overridden = json.loads(
        interpolate(raw, {"MINIO_ROOT_USER": "ak", "DIGEST_S3_ENDPOINT_URL": "https://s3"})
    )
    assert overridden["extra"]["aws_access_key_id"] == "ak"
    assert overridden["extra"]["endpoint_url"] == "https://s3"


def test_header_explains_start_scale_and_admin_password() -> None:
    header = COMPOSE_FILE.read_text().split("x-airflow-common", 1)[0]
    assert "docker compose up -d" in header
    assert "--scale airflow-worker=" in header
    assert "simple_auth_manager_passwords.json.generated" in header


@pytest.mark.parametrize("key", _airflow_keys_in(COMPOSE_FILE, DOCKERFILE))
def test_airflow_config_key_exists(key: str, known_airflow_keys: set[str]) -> None:
    if key in known_airflow_keys:
        return
    section = _AIRFLOW_KEY.fullmatch(key).group(1).lower()  # type: ignore[union-attr]
    provider = PROVIDER_SECTIONS.get(section)
    if provider and not _is_installed(provider):
        pytest.skip(
            f"{key}: {provider} is not installed here, so its options are unknown (the image ships it)"
        )
    pytest.fail(f"{key} is not an Airflow configuration option (typo, or a deprecated name?)")


def test_dockerfile_installs_the_lock_then_the_project() -> None:
    lines = [
        line.strip()
        for line in DOCKERFILE.read_text().replace("\\\n", " ").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert lines[0] == "FROM apache/airflow:3.3.2-python3.11"

    def index(pattern: str) -> int:
        found = [i for i, line in enumerate(lines) if re.search(pattern, line)]
        assert found, f"Dockerfile has no line matching {pattern!r}"
        return found[0]

    copy_lock = index(r"^COPY\b.*\brequirements\.lock\b")
    install_lock = index(r"^RUN .*pip install .*--no-cache-dir.*-r \S*requirements\.lock\b")
    install_project = index(rf"^RUN .*pip install .*--no-deps .*-e {PROJECT_DIR}\b")
    first_project_copy = index(rf"^COPY\b.*\s{PROJECT_DIR}(/|\s|$)")
    assert copy_lock < install_lock < first_project_copy < install_project, "order breaks the layer cache"
    # pip must run as the airflow user, where the official image keeps Airflow installed.
    users = [line.split()[1] for line in lines[:install_lock] if line.startswith("USER ")]
    assert not users or users[-1] == "airflow"


def test_dockerfile_base_image_matches_pinned_airflow() -> None:
    base_version = re.search(r"^FROM apache/airflow:([\d.]+)-", DOCKERFILE.read_text(), re.M).group(1)  # type: ignore[union-attr]
    for requirements in ("requirements.txt", "requirements.lock"):
        path = ROOT / requirements
        if not path.exists():
            continue
        pins = re.findall(r"^apache-airflow==([\w.]+)\s*$", path.read_text(), re.M | re.I)
        assert pins == [base_version], f"{requirements} pins apache-airflow {pins}, image is {base_version}"


def _compose_cli() -> list[str] | None:
    candidates = [["docker", "compose"]] if shutil.which("docker") else []
    if shutil.which("docker-compose"):
        candidates.append(["docker-compose"])
    for cli in candidates:
        probe = subprocess.run([*cli, "version"], capture_output=True, text=True, timeout=20)
        if probe.returncode == 0:
            return cli
    return None


def test_docker_compose_config_accepts_the_file(tmp_path: Path, services: dict[str, Any]) -> None:
    """`docker compose config` checks schema and interpolation; it needs the CLI plugin, not an engine."""
    cli = _compose_cli()
    if cli is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is available")
    empty_env_file = tmp_path / "empty.env"  # keeps a developer's .env out of the check
    empty_env_file.write_text("")
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGEST_", "MINIO_", "AIRFLOW"))}

    def config(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        command = [*cli, "-f", str(COMPOSE_FILE), "--project-directory", str(ROOT)]
        command += ["--env-file", str(empty_env_file), "config", *args]
        return subprocess.run(command, env={**clean_env, **env}, capture_output=True, text=True, timeout=60)

    blog = {"DIGEST_BLOG_REPO": "https://example.org/blog.git"}
    result = config("--format", "json", **blog)
    assert result.returncode == 0, result.stderr
    rendered = json.loads(result.stdout)["services"]
    assert set(rendered) == set(services)
    # Compose's own interpolation agrees with the one the other tests rely on.
    for name in AIRFLOW_SERVICES:
        expected = {key: interpolate(value, blog) for key, value in _env_dict(services[name]).items()}
        assert rendered[name]["environment"] == expected, name
    missing = config("--quiet")
    assert missing.returncode != 0
    assert "DIGEST_BLOG_REPO" in missing.stderr
