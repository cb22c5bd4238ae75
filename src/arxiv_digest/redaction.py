"""Keep credentials out of every message: URL userinfo, secret query parameters, auth headers, known secret values.

Anything printed, logged, stored (run records, reviews) or alerted goes through ``redact`` first.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@?#'\"<>]+@")
_SECRET_PARAM = re.compile(
    r"(?i)([?&;](?:api[_-]?key|key|token|access[_-]?token|auth|password|passwd|secret|sig|signature"
    r"|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature)=)[^&#\s'\"<>]+"
)
_AUTH_VALUE = re.compile(r"(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{12,}")
_KEY_HEADER = re.compile(r"(?i)\b(x-goog-api-key|x-api-key|api-key|authorization)(['\"]?\s*[:=]\s*['\"]?)[^\s'\",}]+")
# Environment variables whose values are secrets (or may embed one in a URL).
SECRET_ENV = ("GEMINI_API_KEY", "GOOGLE_API_KEY", "OPENAI_API_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
              "DIGEST_BLOG_REPO", "ARXIV_PDF_URL", "ARXIV_API_URL", "GOOGLE_GEMINI_BASE_URL", "OPENAI_BASE_URL",
              "DIGEST_STORAGE", "DIGEST_STATE")
_MIN_SECRET = 6  # shorter values would blank out ordinary words
_known: set[str] = set()


def url_secrets(url: str) -> list[str]:
    """The password (and user) embedded in a URL's userinfo, if any."""
    m = re.match(r"(?i)[a-z][a-z0-9+.-]*://([^/\s@?#]+)@", url or "")
    if not m:
        return []
    from urllib.parse import unquote

    user, _, password = m.group(1).partition(":")
    return [v for v in (password, unquote(password), user if password else "") if v]


def register(*values: str | None) -> None:
    """Remember secret values so they are blanked wherever they appear, even outside a URL."""
    for v in values:
        if v and len(v.strip()) >= _MIN_SECRET:
            _known.add(v.strip())


def register_environment(environ: dict[str, str] | None = None) -> list[str]:
    """Register the secrets held in the known environment variables; returns them (for a log masker)."""
    env = os.environ if environ is None else environ
    found: list[str] = []
    for name in SECRET_ENV:
        value = env.get(name, "")
        found += url_secrets(value) if "://" in value else ([value] if name.endswith(("KEY", "TOKEN")) else [])
    found += [env[k] for k in env if k.endswith(("_API_KEY", "_TOKEN", "_SECRET", "_PASSWORD")) and env[k]]
    register(*found)
    return [f for f in found if len(f.strip()) >= _MIN_SECRET]


def redact(text: object, extra: Iterable[str | None] = ()) -> str:
    """``text`` with userinfo, secret parameters, auth header values and every registered secret replaced by ***."""
    out = str(text)
    for secret in sorted({*_known, *(e for e in extra if e and len(e) >= _MIN_SECRET)}, key=len, reverse=True):
        out = out.replace(secret, "***")
    out = _USERINFO.sub(r"\1***@", out)
    out = _SECRET_PARAM.sub(r"\1***", out)
    out = _AUTH_VALUE.sub(r"\1 ***", out)
    return _KEY_HEADER.sub(r"\1\2***", out)
