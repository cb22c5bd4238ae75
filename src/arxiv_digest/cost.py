"""Token usage and its estimated price: a price table from include/prices.yaml, summed per paper and per day."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from .models import Attempt, Usage
from .storage import Storage
from .topics import read_yaml


class PricesError(ValueError):
    """prices.yaml is unusable; the message names the file and the entry."""


class ModelPrice(BaseModel):
    """What one model costs, in the table's currency per million tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: float = Field(ge=0, description="per million prompt tokens")
    output: float = Field(ge=0, description="per million output tokens (thinking included)")
    batch_discount: float = Field(0.0, ge=0, le=1, description="share taken off in batch mode (Gemini: 0.5)")


class PriceTable(BaseModel):
    """Prices per model name; a model missing from the table is counted but not priced."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    currency: str = "USD"
    models: dict[str, ModelPrice] = Field(default_factory=dict)

    def cost(self, model: str, tokens_in: int, tokens_out: int, *, batch: bool = False) -> float | None:
        """Estimated cost of one call, or None when the model has no price."""
        price = self.models.get(model.removeprefix("models/"))
        if price is None:
            return None
        full = (tokens_in * price.input + tokens_out * price.output) / 1_000_000
        return full * (1 - price.batch_discount) if batch else full

    def usage(self, attempts: Iterable[Attempt]) -> Usage:
        """Calls, tokens and cost of these LLM attempts (placeholder attempts of model '-' are not calls)."""
        total = Usage()
        for a in attempts:
            if a.model == "-":
                continue
            cost = self.cost(a.model, a.tokens_in, a.tokens_out, batch=a.batch)
            total = total + Usage(
                calls=1, batch_calls=int(a.batch), tokens_in=a.tokens_in, tokens_out=a.tokens_out,
                cost=cost or 0.0, unpriced=[] if cost is not None else [a.model],
            )
        return total


def load_prices(path: Path) -> PriceTable:
    """Parse prices.yaml; a problem raises PricesError naming the file and the entry."""
    raw = read_yaml(path, PricesError, "DIGEST_PRICES")
    try:
        return PriceTable.model_validate(raw or {})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise PricesError(f"{path}: {problems}") from None


_SPENT = TypeAdapter(dict[str, list[Attempt]])  # arxiv_id -> the LLM attempts one stage made for it


def record_usage(state: Storage, prefix: str, unit: str, spent: dict[str, list[Attempt]]) -> str | None:
    """Store the attempts one stage run made (a new key each time, so every run and retry is counted)."""
    spent = {pid: attempts for pid, attempts in spent.items() if attempts}
    if not spent:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    key = f"{prefix}/{stamp}-{uuid.uuid4().hex[:8]}-{unit.replace('/', '_')}.json"
    state.put(key, _SPENT.dump_json(spent), "application/json")
    return key


def load_usage(state: Storage, prefix: str) -> dict[str, list[Attempt]]:
    """Every attempt recorded under ``prefix``, by paper."""
    out: dict[str, list[Attempt]] = {}
    for key in sorted(state.list(prefix)):
        for pid, attempts in _SPENT.validate_json(state.get(key)).items():
            out.setdefault(pid, []).extend(attempts)
    return out
