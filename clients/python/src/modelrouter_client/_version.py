"""The package version, in one place (the user agent and `__version__` read it)."""

__version__ = "0.1.0"
