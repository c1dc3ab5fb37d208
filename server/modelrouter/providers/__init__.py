"""Providers: one module per upstream API behind the `Provider` interface in `base`."""
