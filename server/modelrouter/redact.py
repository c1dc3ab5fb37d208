"""`redact(text)`: the text with anything that looks like a credential replaced by
`REDACTED`, for what the server writes to its own log of an upstream's words
(an error body, a URL, an exception's text).

What counts as a credential: a Bearer token; an OpenAI or Anthropic style key
(`sk-...`, `sk-ant-...`, `sk-proj-...`); the value of a query parameter named
like a key or token (`key=`, `api_key=`, `apikey=`, `access_token=`, `token=`);
the value given to an `x-api-key`, `api_key`, `authorization` or `access_token`
field, header or JSON key. A redaction may take more than the credential (the
rest of a token-like run of characters), never less."""

from __future__ import annotations

import re
from typing import Final

REDACTED: Final = "[REDACTED]"

_PATTERNS: Final = (
    # Authorization: Bearer <token>
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=\-]+"), r"\1" + REDACTED),
    # sk-..., sk-ant-..., sk-proj-...: wherever they stand
    (re.compile(r"(?<![A-Za-z0-9])sk-[A-Za-z0-9_\-]{4,}"), REDACTED),
    # ?key=...&api_key=...&access_token=...
    (
        re.compile(r"(?i)([?&;](?:api[_-]?key|key|access[_-]?token|token|secret)=)[^&#\s\"'<>]+"),
        r"\1" + REDACTED,
    ),
    # x-api-key: ..., "api_key": "...", authorization=...
    (
        re.compile(
            r"(?i)\b((?:x-api-key|api[_-]?key|access[_-]?token|authorization)[\"']?\s*[:=]\s*[\"']?)"
            r"(?!\[REDACTED\]|bearer\s)[^\s\"',;&}]+"
        ),
        r"\1" + REDACTED,
    ),
)


def redact(text: str) -> str:
    """`text` with every credential-like run replaced by `REDACTED`."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
