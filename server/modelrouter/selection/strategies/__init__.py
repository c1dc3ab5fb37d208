"""One module per strategy kind, each behind the `Strategy` protocol in `base`."""
