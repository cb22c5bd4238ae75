"""models.py ids and errors.py: one base_id/safe_id, one exception family."""

from __future__ import annotations

import pytest

from arxiv_digest import errors, fetch, llm, net, pdf, pipeline, publish, settings, storage, topics
from arxiv_digest.models import base_id, safe_id
from arxiv_digest.validate import base_id as validate_base_id


@pytest.mark.parametrize(("given", "expected"), [
    ("2406.12459v1", "2406.12459"), ("2406.12459", "2406.12459"), ("http://arxiv.org/abs/2401.11605v2", "2401.11605"),
    ("hep-th/9901001v3", "hep-th/9901001"), ("hep-th/9901001", "hep-th/9901001"),
])
def test_base_id(given: str, expected: str) -> None:
    assert base_id(given) == expected
    assert validate_base_id is base_id


def test_safe_id() -> None:
    assert safe_id("hep-th/9901001v1") == "hep-th_9901001v1" and safe_id("2406.12459v1") == "2406.12459v1"


def test_one_exception_family() -> None:
    raised = [llm.LLMConfigError, pdf.PaperError, pdf.TransientError, pipeline.NoListing, pipeline.DegradedRun,
              publish.PublishError, settings.SettingsError, storage.NotFound, topics.TopicsError]
    assert all(issubclass(c, errors.DigestError) for c in raised)
    assert issubclass(settings.SettingsError, ValueError) and issubclass(storage.NotFound, KeyError)  # as before
    assert {llm.LLMConfigError, settings.SettingsError, topics.TopicsError} <= set(errors.ConfigError.__subclasses__())


def test_fetch_and_pdf_share_the_http_helpers() -> None:
    assert fetch.ArxivThrottle is net.ArxivThrottle
    assert pdf.download_pdf is net.download_pdf and pdf.http_session is net.http_session
