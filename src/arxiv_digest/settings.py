"""Runtime settings, read once from the environment; every field is documented in the README's table."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import SettingsError  # noqa: F401 - part of this module's interface
from .quota import DEFAULT_QUOTAS, QuotaSpec

PROJECT_ROOT = Path(__file__).resolve().parents[2]



def _env(name: str) -> AliasChoices:
    return AliasChoices(name)


class Settings(BaseSettings):
    """Every knob of the pipeline. Names are the environment variables users set."""

    # Only the documented variable names are read (populate_by_name would also read HOME for `home`).
    model_config = SettingsConfigDict(extra="ignore", validate_default=True, allow_inf_nan=False)

    arxiv_api_url: str = Field("https://export.arxiv.org/api/query", validation_alias=_env("ARXIV_API_URL"))
    arxiv_pdf_url: str = Field("https://arxiv.org/pdf/", validation_alias=_env("ARXIV_PDF_URL"))
    arxiv_request_interval: float = Field(3.0, ge=0, le=3600, validation_alias=_env("ARXIV_REQUEST_INTERVAL"))
    arxiv_page_size: int = Field(100, ge=1, le=2000, validation_alias=_env("ARXIV_PAGE_SIZE"))
    arxiv_retries: int = Field(4, ge=0, le=50, validation_alias=_env("ARXIV_RETRIES"))

    gemini_api_key: SecretStr | None = Field(None, validation_alias=_env("GEMINI_API_KEY"))
    gemini_base_url: str | None = Field(None, validation_alias=_env("GOOGLE_GEMINI_BASE_URL"))
    openai_api_key: SecretStr | None = Field(None, validation_alias=_env("OPENAI_API_KEY"))
    openai_base_url: str | None = Field(None, validation_alias=_env("OPENAI_BASE_URL"))
    gemini_conn_id: str = Field("gemini_default", validation_alias=_env("DIGEST_GEMINI_CONN_ID"))
    llm_max_attempts: int = Field(3, ge=1, le=10, validation_alias=_env("DIGEST_LLM_MAX_ATTEMPTS"))
    llm_timeout: float = Field(120.0, gt=0, le=3600, validation_alias=_env("DIGEST_LLM_TIMEOUT"))

    home: Path = Field(Path(".digest"), validation_alias=_env("DIGEST_HOME"))
    blog_repo_setting: str | None = Field(None, validation_alias=_env("DIGEST_BLOG_REPO"))
    blog_branch: str = Field("main", validation_alias=_env("DIGEST_BLOG_BRANCH"))
    blog_post_dir: str = Field("source/_posts/Paper", validation_alias=_env("DIGEST_BLOG_POST_DIR"))
    blog_image_dir: str = Field("source/images/arxiv-digest", validation_alias=_env("DIGEST_BLOG_IMAGE_DIR"))
    git_author_name: str = Field("arxiv-digest", validation_alias=_env("DIGEST_GIT_AUTHOR_NAME"))
    git_author_email: str = Field("arxiv-digest@localhost", validation_alias=_env("DIGEST_GIT_AUTHOR_EMAIL"))
    push_retries: int = Field(3, ge=0, le=50, validation_alias=_env("DIGEST_PUSH_RETRIES"))
    git_conn_id: str = Field("blog_git", validation_alias=_env("DIGEST_GIT_CONN_ID"))

    storage: str | None = Field(None, validation_alias=_env("DIGEST_STORAGE"))
    public_url_setting: str | None = Field(None, validation_alias=_env("DIGEST_PUBLIC_URL"))
    state: str | None = Field(None, validation_alias=_env("DIGEST_STATE"))
    aws_conn_id: str = Field("aws_default", validation_alias=_env("DIGEST_AWS_CONN_ID"))

    alert_email: str | None = Field(None, validation_alias=_env("DIGEST_ALERT_EMAIL"))
    alert_from: str | None = Field(None, validation_alias=_env("DIGEST_ALERT_FROM"))
    smtp_conn_id: str = Field("smtp_default", validation_alias=_env("DIGEST_SMTP_CONN_ID"))
    deadline_hours: float = Field(6.0, ge=0, le=720, validation_alias=_env("DIGEST_DEADLINE_HOURS"))
    slack_conn_id: str = Field("slack_alerts", validation_alias=_env("DIGEST_SLACK_CONN_ID"))

    topics_file: Path = Field(PROJECT_ROOT / "include" / "topics.yaml", validation_alias=_env("DIGEST_TOPICS"))
    include_dir: Path = Field(PROJECT_ROOT / "include", validation_alias=_env("DIGEST_INCLUDE_DIR"))
    holidays_file: Path = Field(
        PROJECT_ROOT / "include" / "arxiv_holidays.yaml", validation_alias=_env("DIGEST_HOLIDAYS")
    )

    task_retries: int = Field(2, ge=0, le=10, validation_alias=_env("DIGEST_TASK_RETRIES"))
    retry_delay: float = Field(60.0, ge=0, le=86_400, validation_alias=_env("DIGEST_RETRY_DELAY"))
    late_lookback_days: int = Field(7, ge=0, le=60, validation_alias=_env("DIGEST_LATE_LOOKBACK_DAYS"))
    http_timeout: float = Field(60.0, gt=0, le=3600, validation_alias=_env("DIGEST_HTTP_TIMEOUT"))
    pdf_max_mb: float = Field(50.0, gt=0, le=2048, validation_alias=_env("DIGEST_PDF_MAX_MB"))
    max_figures: int = Field(6, ge=0, le=100, validation_alias=_env("DIGEST_MAX_FIGURES"))
    figure_dpi: int = Field(150, ge=36, le=600, validation_alias=_env("DIGEST_FIGURE_DPI"))
    figure_max_pixels: int = Field(1600, ge=200, le=10_000, validation_alias=_env("DIGEST_FIGURE_MAX_PIXELS"))
    figure_max_pages: int = Field(100, ge=1, le=10_000, validation_alias=_env("DIGEST_FIGURE_MAX_PAGES"))
    # Hard limits on every PDF parse (sandbox.py): a hostile PDF costs at most these, then is that paper's error.
    pdf_memory_mb: int = Field(768, ge=256, le=65_536, validation_alias=_env("DIGEST_PDF_MEMORY_MB"))
    pdf_timeout: float = Field(25.0, gt=0, le=3600, validation_alias=_env("DIGEST_PDF_TIMEOUT"))
    pdf_page_timeout: float = Field(10.0, gt=0, le=3600, validation_alias=_env("DIGEST_PDF_PAGE_TIMEOUT"))
    pdf_max_pages: int = Field(300, ge=1, le=100_000, validation_alias=_env("DIGEST_PDF_MAX_PAGES"))
    pdf_max_text_mb: float = Field(4.0, gt=0, le=1024, validation_alias=_env("DIGEST_PDF_MAX_TEXT_MB"))
    review_timeout: float = Field(10_800.0, gt=0, le=86_400, validation_alias=_env("DIGEST_REVIEW_TIMEOUT"))
    gemini_quota: QuotaSpec = Field(DEFAULT_QUOTAS["gemini"], validation_alias=_env("DIGEST_GEMINI_QUOTA"))
    openai_quota: QuotaSpec = Field(DEFAULT_QUOTAS["openai"], validation_alias=_env("DIGEST_OPENAI_QUOTA"))
    quota_db: str | None = Field(None, validation_alias=_env("DIGEST_QUOTA_DB"))
    prices_file: Path = Field(PROJECT_ROOT / "include" / "prices.yaml", validation_alias=_env("DIGEST_PRICES"))
    batch_after_days: int = Field(3, ge=0, le=3650, validation_alias=_env("DIGEST_BATCH_AFTER_DAYS"))
    batch_poll_interval: float = Field(60.0, ge=1, le=3600, validation_alias=_env("DIGEST_BATCH_POLL"))
    batch_timeout_hours: float = Field(24.0, gt=0, le=72, validation_alias=_env("DIGEST_BATCH_TIMEOUT_HOURS"))

    @field_validator("arxiv_pdf_url", "public_url_setting")
    @classmethod
    def _trailing_slash(cls, v: str | None) -> str | None:
        return v if v is None or v.endswith("/") else v + "/"

    @field_validator("storage", "state")
    @classmethod
    def _store_location(cls, v: str | None) -> str | None:
        if v is not None and "://" in v and not (v.startswith("s3://") and len(v) > len("s3://")):
            raise ValueError("use s3://bucket/prefix or a local folder path")
        return v

    @field_validator("quota_db")
    @classmethod
    def _database_url(cls, v: str | None) -> str | None:
        if v is None or v == "memory://":
            return v
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            make_url(v)
        except ArgumentError:
            raise ValueError("expected a SQLAlchemy URL such as sqlite:////path/quota.db or "
                             "postgresql+psycopg2://user:password@host/db") from None
        return v

    @field_validator("home")
    @classmethod
    def _absolute(cls, v: Path) -> Path:
        return v.expanduser().resolve()

    @property
    def blog_repo(self) -> str:
        """The blog's git remote: a URL, or a local path created on first use (default ``$DIGEST_HOME/blog``)."""
        return self.blog_repo_setting or str(self.home / "blog")

    @property
    def quota_url(self) -> str:
        """Where the shared quota limiter keeps its state (``DIGEST_QUOTA_DB``; default a SQLite file in home)."""
        return self.quota_db or f"sqlite:///{self.home / 'quota.db'}"

    def quota(self, provider: str, override: dict[str, object] | None = None) -> QuotaSpec:
        """The provider's quota (arXiv: its request interval), with a topic's overrides on top."""
        if provider == "arxiv":
            return DEFAULT_QUOTAS["arxiv"].model_copy(update={"min_interval": self.arxiv_request_interval})
        base = self.gemini_quota if provider == "gemini" else self.openai_quota
        return base.merged(override)

    @property
    def blog_is_local_default(self) -> bool:
        return self.blog_repo_setting is None

    @property
    def figures_in_blog(self) -> bool:
        """With no DIGEST_STORAGE, figures are committed into the blog repo next to the post."""
        return not self.storage

    @property
    def state_location(self) -> str:
        """Where PDFs, the validated-review cache and run records live (``DIGEST_STATE``)."""
        return self.state or str(self.home / "state")

    @cached_property
    def public_url(self) -> str:
        """Base URL that figure keys are appended to."""
        if self.public_url_setting:
            return self.public_url_setting
        if self.figures_in_blog:
            return "/" + self.blog_image_dir.removeprefix("source/").strip("/") + "/"
        assert self.storage is not None
        if self.storage.startswith("s3://"):
            raise SettingsError(
                "DIGEST_PUBLIC_URL is not set: with DIGEST_STORAGE on S3, set DIGEST_PUBLIC_URL to the public base "
                "URL of that bucket and prefix (e.g. https://cdn.example.org/digest/)."
            )
        return Path(self.storage).expanduser().resolve().as_uri() + "/"

    def require_llm_key(self) -> str:
        """The Gemini key, or a clear error naming what to set."""
        if self.gemini_api_key is None or not self.gemini_api_key.get_secret_value().strip():
            raise SettingsError(
                "GEMINI_API_KEY is not set: export GEMINI_API_KEY=<your key from https://aistudio.google.com/apikey>"
                " or create the Airflow connection 'gemini_default' with the key as its password."
            )
        return self.gemini_api_key.get_secret_value().strip()


def llm_credentials(
    s: Settings, provider: str, base_url: str | None, api_key_env: str | None
) -> tuple[str | None, str | None]:
    """(api key, base URL) for a topic's provider; a topic's own key variable and endpoint win."""
    if api_key_env:
        key = os.environ.get(api_key_env, "").strip() or None
        if key is None:
            raise SettingsError(f"{api_key_env} is not set: the topic names it as its API key variable")
    elif provider == "openai":
        key = s.openai_api_key.get_secret_value() if s.openai_api_key else None
    else:
        key = s.require_llm_key()
    url = base_url or (s.openai_base_url if provider == "openai" else s.gemini_base_url)
    if provider == "openai" and not key and not url:
        raise SettingsError(
            "OPENAI_API_KEY and OPENAI_BASE_URL are not set: set the key for a hosted API, or the "
            "base URL of a keyless local server (vLLM, Ollama)"
        )
    return key, url


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, turning validation errors into one clear message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        fields = Settings.model_fields
        lines = []
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else "?"
            alias = fields[name].validation_alias if name in fields else None
            env = alias.choices[0] if isinstance(alias, AliasChoices) else name
            shown = "" if "key" in str(env).lower() else f" (got {err.get('input')!r})"  # never echo a secret
            lines.append(f"{env}: {err['msg']}{shown}")
        raise SettingsError("invalid setting(s): " + "; ".join(lines)) from None
