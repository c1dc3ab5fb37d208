"""Response caches built on aiocache: the embedded, byte-bounded `memory` backend."""
