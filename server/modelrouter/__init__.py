"""modelrouter: a gRPC service that picks, calls and measures language models."""

__version__ = "0.1.0"
