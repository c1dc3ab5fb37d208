"""Configuration: the strict schema and the loader that builds runtime settings."""
