"""The `redis` backend: aiocache's own Redis cache, so that replicas share answers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from aiocache import RedisCache  # type: ignore[import-untyped]
from aiocache.serializers import NullSerializer  # type: ignore[import-untyped]


def redis_cache(url: str) -> Any:
    """An aiocache Redis cache for `redis://[:password@]host[:port][/db]`. Values are
    the UTF-8 JSON of cached answers: stored as bytes, read back decoded."""
    parsed = urlparse(url)
    db = int(parsed.path.lstrip("/") or 0)
    return RedisCache(
        serializer=NullSerializer(),  # values are bytes already; they come back as str
        endpoint=parsed.hostname or "127.0.0.1",
        port=parsed.port or 6379,
        db=db,
        password=parsed.password,
        namespace="modelrouter",
        # No timeout of aiocache's own: ResponseCache bounds every call, by
        # `cache.timeout_ms` and the caller's deadline, without aiocache's task per call.
        timeout=None,
    )
