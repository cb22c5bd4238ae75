"""Price table and usage ledger: cost per call, batch discount, unknown models, every run's calls counted."""

from __future__ import annotations

from pathlib import Path

import pytest

from arxiv_digest.cost import PricesError, PriceTable, load_prices, load_usage, record_usage
from arxiv_digest.models import Attempt
from arxiv_digest.storage import LocalStorage

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_prices_load_and_price_the_default_model() -> None:
    prices = load_prices(ROOT / "include" / "prices.yaml")
    # 1M tokens in and 1M out on gemini-2.5-flash: 0.30 + 2.50 USD; half that through the Batch API.
    assert prices.cost("gemini-2.5-flash", 1_000_000, 1_000_000) == pytest.approx(2.80)
    assert prices.cost("models/gemini-2.5-flash", 1_000_000, 1_000_000, batch=True) == pytest.approx(1.40)
    assert prices.cost("deepseek-chat", 10, 10) is None


def test_usage_sums_calls_and_names_unpriced_models() -> None:
    prices = PriceTable.model_validate({"models": {"m": {"input": 1.0, "output": 2.0, "batch_discount": 0.5}}})
    usage = prices.usage([
        Attempt(model="m", tokens_in=1000, tokens_out=500),
        Attempt(model="m", tokens_in=1000, tokens_out=500, batch=True),
        Attempt(model="other", tokens_in=7, tokens_out=7),
        Attempt(model="-"),  # a placeholder for a section without text, not a call
    ])
    assert (usage.calls, usage.batch_calls, usage.tokens_in, usage.tokens_out) == (3, 1, 2007, 1007)
    assert usage.cost == pytest.approx(0.002 + 0.001) and usage.unpriced == ["other"]


@pytest.mark.parametrize(("text", "message"), [
    ("models: {m: {input: -1, output: 1}}", "models.m.input"),
    ("models: {m: {input: 1, output: 1, batch_discount: 2}}", "batch_discount"),
    ("models: [1, 2]", "models"),
    ("models: {m: {input: 1, output: 1, typo: 3}}", "typo"),
])
def test_a_bad_price_table_names_the_file_and_the_entry(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "prices.yaml"
    path.write_text(text)
    with pytest.raises(PricesError, match=message) as err:
        load_prices(path)
    assert str(path) in str(err.value)
    with pytest.raises(PricesError, match="DIGEST_PRICES"):
        load_prices(tmp_path / "missing.yaml")


def test_every_recorded_run_adds_up(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path)
    prefix = "runs/t/2024-06-20/usage"
    assert record_usage(store, prefix, "2406.1v1", {"2406.1v1": []}) is None  # a cached re-run stores nothing
    record_usage(store, prefix, "2406.1v1", {"2406.1v1": [Attempt(model="m", tokens_in=5)]})
    record_usage(store, prefix, "2406.1v1", {"2406.1v1": [Attempt(model="m", tokens_in=7)]})  # a retry
    record_usage(store, prefix, "batch", {"2406.2v1": [Attempt(model="m", batch=True)]})
    spent = load_usage(store, prefix)
    assert sorted(spent) == ["2406.1v1", "2406.2v1"]
    assert [a.tokens_in for a in spent["2406.1v1"]] == [5, 7]
