"""Settings from the environment: defaults, env names, S3 public URL rules, clear errors that never leak secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from arxiv_digest.settings import PROJECT_ROOT, Settings, SettingsError, load_settings

SECRET = "AIzaSy-very-secret-0123456789"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "digest-home"
    monkeypatch.setenv("DIGEST_HOME", str(path))
    return path


def test_defaults_live_under_digest_home(home: Path) -> None:
    s = load_settings()
    assert s.home == home.resolve()
    assert s.blog_repo == str(home / "blog")
    assert s.blog_is_local_default
    assert s.state_location == str(home / "state")
    assert s.figures_in_blog
    assert s.public_url == "/images/arxiv-digest/"
    assert s.blog_branch == "main"
    assert s.arxiv_api_url == "https://export.arxiv.org/api/query"
    assert s.arxiv_pdf_url.endswith("/")
    assert s.topics_file == PROJECT_ROOT / "include" / "topics.yaml"
    assert s.holidays_file == PROJECT_ROOT / "include" / "arxiv_holidays.yaml"
    assert s.gemini_api_key is None


def test_relative_digest_home_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DIGEST_HOME", "rel/home")
    assert load_settings().home == tmp_path.resolve() / "rel" / "home"


def test_default_home_is_dot_digest_not_the_users_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "someone"))
    s = load_settings()
    assert s.home == tmp_path.resolve() / ".digest"
    assert s.blog_repo == str(tmp_path.resolve() / ".digest" / "blog")


@pytest.mark.parametrize("name", ["STATE", "STORAGE", "TOPICS_FILE", "BLOG_BRANCH"])
def test_only_documented_env_names_are_read(home: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv(name, "s3://unrelated-bucket/x")
    s = load_settings()
    assert s.state_location == str(home / "state")
    assert s.storage is None
    assert s.topics_file == PROJECT_ROOT / "include" / "topics.yaml"
    assert s.blog_branch == "main"


def test_env_names_are_read(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    topics = tmp_path / "my-topics.yaml"
    env = {
        "ARXIV_API_URL": "http://127.0.0.1:8080/api/query",
        "ARXIV_PDF_URL": "http://127.0.0.1:8080/pdf",
        "ARXIV_PAGE_SIZE": "7",
        "ARXIV_REQUEST_INTERVAL": "0.5",
        "GEMINI_API_KEY": f"  {SECRET}\n",
        "GOOGLE_GEMINI_BASE_URL": "http://127.0.0.1:9090",
        "DIGEST_BLOG_REPO": "https://example.org/blog.git",
        "DIGEST_BLOG_BRANCH": "trunk",
        "DIGEST_PUSH_RETRIES": "5",
        "DIGEST_STATE": "s3://state-bucket/digest",
        "DIGEST_TOPICS": str(topics),
        "DIGEST_PDF_MAX_MB": "12.5",
        "DIGEST_MAX_FIGURES": "2",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    s = load_settings()
    assert s.arxiv_api_url == env["ARXIV_API_URL"]
    assert s.arxiv_pdf_url == "http://127.0.0.1:8080/pdf/"  # a trailing slash is added
    assert (s.arxiv_page_size, s.arxiv_request_interval, s.push_retries) == (7, 0.5, 5)
    assert s.require_llm_key() == SECRET
    assert s.gemini_base_url == "http://127.0.0.1:9090"
    assert s.blog_repo == "https://example.org/blog.git" and not s.blog_is_local_default
    assert s.blog_branch == "trunk"
    assert s.state_location == "s3://state-bucket/digest"
    assert s.topics_file == topics
    assert (s.pdf_max_mb, s.max_figures) == (12.5, 2)


def test_s3_storage_without_public_url_names_digest_public_url(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_STORAGE", "s3://figures-bucket/digest")
    s = load_settings()
    assert not s.figures_in_blog
    with pytest.raises(SettingsError, match="DIGEST_PUBLIC_URL"):
        _ = s.public_url


def test_s3_storage_with_public_url(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_STORAGE", "s3://figures-bucket/digest")
    monkeypatch.setenv("DIGEST_PUBLIC_URL", "https://cdn.example.org/digest")
    assert load_settings().public_url == "https://cdn.example.org/digest/"


def test_local_storage_gives_a_file_url(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    figures = tmp_path / "figure store"
    monkeypatch.setenv("DIGEST_STORAGE", str(figures))
    s = load_settings()
    assert not s.figures_in_blog
    assert s.public_url == figures.resolve().as_uri() + "/"
    assert s.public_url.startswith("file:///") and "%20" in s.public_url


def test_custom_blog_image_dir_sets_the_in_blog_public_url(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_BLOG_IMAGE_DIR", "source/assets/papers/")
    assert load_settings().public_url == "/assets/papers/"


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("DIGEST_PDF_MAX_MB", "fifty", "valid number"),
        ("ARXIV_PAGE_SIZE", "5000", "less than or equal to 2000"),
        ("DIGEST_PUSH_RETRIES", "-1", "greater than or equal to 0"),
        ("DIGEST_FIGURE_DPI", "12.5", "valid integer"),
        ("DIGEST_HTTP_TIMEOUT", "0", "greater than 0"),
    ],
)
def test_bad_value_names_the_env_var(home: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str,
                                     problem: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    message = str(info.value)
    assert f"{name}:" in message
    assert problem in message
    assert repr(value) in message


def test_every_bad_value_is_reported_at_once(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_PDF_MAX_MB", "x")
    monkeypatch.setenv("ARXIV_RETRIES", "y")
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert "DIGEST_PDF_MAX_MB" in str(info.value) and "ARXIV_RETRIES" in str(info.value)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_require_llm_key_says_what_to_set(home: Path, monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is not None:
        monkeypatch.setenv("GEMINI_API_KEY", value)
    with pytest.raises(SettingsError) as info:
        load_settings().require_llm_key()
    assert "GEMINI_API_KEY" in str(info.value)
    assert "gemini_default" in str(info.value)


def test_secret_is_never_echoed(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", SECRET)
    s = load_settings()
    assert SECRET not in repr(s) and SECRET not in str(s)
    assert SECRET not in s.model_dump_json()

    # Another setting is wrong: the error lists the bad one and never the key.
    monkeypatch.setenv("DIGEST_LLM_TIMEOUT", "soon")
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert "DIGEST_LLM_TIMEOUT" in str(info.value)
    assert SECRET not in str(info.value)


def test_invalid_secret_is_named_but_not_echoed(home: Path) -> None:
    secret_number = 918273645546372819
    with pytest.raises(SettingsError) as info:
        load_settings(gemini_api_key=secret_number)
    assert "GEMINI_API_KEY" in str(info.value)
    assert str(secret_number) not in str(info.value)


def test_overrides_win_over_the_environment(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "from-env")
    s = load_settings(gemini_api_key="from-connection")
    assert s.require_llm_key() == "from-connection"
    assert isinstance(s, Settings)


def test_provider_quota_from_json_with_topic_overrides_and_pools_sized_from_it(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arxiv_digest.cli import pool_config

    s = load_settings()
    assert s.quota_url == f"sqlite:///{home / 'quota.db'}"
    assert (s.quota("gemini").rpm, s.quota("gemini").rpd) == (10, 250)  # the free tier until told otherwise
    assert pool_config(s)["llm_gemini"]["slots"] == 4
    monkeypatch.setenv("DIGEST_GEMINI_QUOTA", '{"rpm": 120, "rpd": null, "concurrency": 16}')
    monkeypatch.setenv("ARXIV_REQUEST_INTERVAL", "3")
    s = load_settings()
    assert s.quota("gemini").rpm == 120 and s.quota("gemini").rpd is None
    assert s.quota("gemini", {"concurrency": 2}).concurrency == 2
    assert s.quota("arxiv").min_interval == 3.0 and s.quota("arxiv").concurrency == 1
    assert pool_config(s)["llm_gemini"]["slots"] == 16
    monkeypatch.setenv("DIGEST_GEMINI_QUOTA", '{"rpm": -1}')
    with pytest.raises(SettingsError, match="DIGEST_GEMINI_QUOTA"):
        load_settings()
    monkeypatch.delenv("DIGEST_GEMINI_QUOTA")
    monkeypatch.setenv("DIGEST_QUOTA_DB", "quota.db")
    with pytest.raises(SettingsError, match="DIGEST_QUOTA_DB.*SQLAlchemy URL"):
        load_settings()
