"""Research topics from ``include/topics.yaml``: one DAG and one post per topic per listing day."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from slugify import slugify

from .errors import TopicsError  # noqa: F401 - part of this module's interface

LANGUAGES = ("zh-CN", "en")



class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML where a key given twice in one mapping is an error, not a silent last-one-wins."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice in one mapping", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


SLUG = re.compile(r"[a-z0-9][a-z0-9_]{0,99}")


class Topic(BaseModel):
    """One research topic as the user configured it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, description="shown as the post title and tag, e.g. 'Diffusion Models'")
    query: str = Field(min_length=1, description="arXiv search_query expression, without the date window")
    categories: list[str] = Field(default_factory=list, description="arXiv categories to restrict to (OR-ed)")
    max_papers: int | None = Field(
        None, ge=1, le=1000, description="review at most this many (the most relevant); default: every on-topic paper"
    )
    relevance_phrases: list[str] | None = Field(
        None, description="phrases a paper must be about; default: the quoted phrases of the query; [] turns it off"
    )
    min_mentions: int = Field(2, ge=1, description="abstract mentions that make a paper on topic without the title")
    language: Literal["zh-CN", "en"] = "zh-CN"
    provider: Literal["gemini", "openai"] = Field("gemini", description="gemini, or any OpenAI-compatible API")
    model: str = "gemini-2.5-flash"
    fallback_model: str | None = Field(None, description="asked once when the model's attempts all failed")
    input_token_budget: int = Field(6000, ge=500, le=1_000_000, description="paper text per section prompt")
    base_url: str | None = Field(None, description="API endpoint for this topic (default: the provider's setting)")
    api_key_env: str | None = Field(None, description="environment variable holding this topic's API key")
    quota: dict[str, Any] | None = Field(
        None, description="overrides of the provider's quota for this topic (rpm, tpm, rpd, concurrency)"
    )
    temperature: float = Field(0.2, ge=0, le=2)
    max_output_tokens: int = Field(8192, ge=256, le=65536)
    faithfulness_check: bool = Field(False, description="one more call per paper checks items 6-8 against the text")
    batch: Literal["auto", "always", "never"] = Field(
        "auto", description="Gemini Batch API: auto = for runs older than DIGEST_BATCH_AFTER_DAYS days"
    )
    author: str = "arxiv-digest"
    tags: list[str] = Field(default_factory=list)
    owner: str = "airflow"
    slug_override: str | None = Field(None, alias="slug")

    @field_validator("categories")
    @classmethod
    def _categories(cls, v: list[str]) -> list[str]:
        for c in v:
            if not re.fullmatch(r"[a-z\-]+(\.[A-Za-z\-]+)?", c):
                raise ValueError(f"{c!r} is not an arXiv category like 'cs.CV'")
        return v

    @field_validator("slug_override")
    @classmethod
    def _slug(cls, v: str | None) -> str | None:
        if v is not None and not SLUG.fullmatch(v):
            raise ValueError(f"{v!r}: use lower-case letters, digits and '_' (it becomes part of the DAG id)")
        return v

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in v):
            raise ValueError("no control characters (the name becomes a file name and a post title)")
        return v

    @field_validator("quota")
    @classmethod
    def _quota(cls, v: dict[str, Any] | None) -> dict[str, Any] | None:
        from .quota import QuotaSpec

        if v is not None:
            QuotaSpec.model_validate(v)  # unknown or out-of-range fields fail here, naming the field
        return v

    @model_validator(mode="after")
    def _model_for_provider(self) -> Topic:
        if self.provider == "openai" and self.model.startswith("gemini"):
            raise ValueError("provider 'openai' needs its own 'model' (e.g. deepseek-chat, qwen-plus, llama3.1)")
        if self.provider == "openai" and self.batch == "always":
            raise ValueError("batch: always needs provider 'gemini' (the Gemini Batch API); use auto or never")
        return self

    @property
    def pool(self) -> str:
        """The Airflow pool that caps this topic's concurrent LLM calls (one per provider)."""
        return f"llm_{self.provider}"

    @property
    def slug(self) -> str:
        """Stable identifier used in DAG ids and storage keys."""
        return self.slug_override or slugify(self.name, separator="_")

    @property
    def dag_id(self) -> str:
        return f"arxiv_digest__{self.slug}"

    def search_query(self) -> str:
        """The topic's query, restricted to its categories."""
        query = f"({self.query})"
        if self.categories:
            query += " AND (" + " OR ".join(f"cat:{c}" for c in self.categories) + ")"
        return query


def read_yaml(path: Path, error: type[ValueError], setting: str) -> Any:
    """A config file's YAML (a key given twice is an error); a missing or malformed file raises ``error`` naming the
    file and the ``setting``."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader
    except FileNotFoundError:
        raise error(f"{path}: file not found; set {setting} to your {path.name}") from None
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {exc}") from None


def load_topics(path: Path) -> list[Topic]:
    """Parse and validate topics.yaml; any problem raises TopicsError naming file, topic and field."""
    raw = read_yaml(path, TopicsError, "DIGEST_TOPICS")
    entries = raw.get("topics") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise TopicsError(f"{path}: expected a top-level 'topics:' list with at least one topic")
    topics: list[Topic] = []
    for i, entry in enumerate(entries):
        label = entry.get("name", f"#{i + 1}") if isinstance(entry, dict) else f"#{i + 1}"
        if not isinstance(entry, dict):
            raise TopicsError(f"{path}: topic {label}: expected a mapping of fields")
        try:
            topics.append(Topic.model_validate(entry))
        except ValidationError as exc:
            problems = "; ".join(
                f"field '{'.'.join(str(p) for p in e['loc']) or '?'}': {e['msg']}" for e in exc.errors()
            )
            raise TopicsError(f"{path}: topic '{label}': {problems}") from None
    seen: dict[str, str] = {}
    files: dict[str, str] = {}
    for t in topics:
        if not t.slug:
            raise TopicsError(f"{path}: topic '{t.name}': field 'name': needs letters or digits (or set 'slug')")
        if t.slug in seen:
            raise TopicsError(f"{path}: topic '{t.name}': field 'name': same slug '{t.slug}' as '{seen[t.slug]}'")
        seen[t.slug] = t.name
        file = t.name.replace("/", "-").casefold()  # render.post_path's file name, on case-insensitive disks too
        if file in files:
            raise TopicsError(f"{path}: topic '{t.name}': field 'name': its post file name is the same as the one "
                              f"of '{files[file]}' ('/' becomes '-'); rename one of them")
        files[file] = t.name
    return topics
