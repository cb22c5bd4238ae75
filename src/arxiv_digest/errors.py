"""One exception family: every error the pipeline raises on purpose is a ``DigestError``.

Callers can catch the family, or the branch that tells them what to do: fix the configuration (``ConfigError``), drop
one paper (``PaperError``), retry later (``TransientError``).
"""

from __future__ import annotations


class DigestError(Exception):
    """Base of every error this project raises on purpose."""


class ConfigError(DigestError, ValueError):
    """A setting, topic or credential is wrong; retrying will not help, the message says what to change."""


class SettingsError(ConfigError):
    """A setting is missing or wrong; the message names it and what to set."""


class TopicsError(ConfigError):
    """topics.yaml is unusable; the message names the file, the topic and the field."""


class LLMConfigError(ConfigError):
    """The provider refused us for a reason retrying will not fix (bad key, unknown model, no permission)."""


class PaperError(DigestError):
    """This paper cannot be used (bad PDF, missing, too large): recorded for the paper, the day goes on."""


class TransientError(DigestError):
    """A fault worth retrying later (network, server 5xx): Airflow retries the task."""


class NotFound(DigestError, KeyError):
    """The key is not in the store."""


class PublishError(DigestError):
    """The post could not be pushed; it stays in the state store and the task can be retried."""


class NoListing(DigestError):
    """arXiv publishes no listing on this date (weekend or holiday): nothing to do, not a failure."""


class DegradedRun(DigestError):
    """The post went out, but with sections unavailable or papers missing parts: the operator must look."""
