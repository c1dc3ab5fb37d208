"""Structured logging: JSON lines when stderr is not a terminal, readable
columns when it is. Configured once at start-up; loggers are cached after the
first use so the per-call cost is one render and one write."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog
from structlog.typing import FilteringBoundLogger


def configure(stream: TextIO | None = None, level: int = logging.INFO) -> FilteringBoundLogger:
    stream = stream or sys.stderr
    renderer: structlog.typing.Processor = (
        structlog.dev.ConsoleRenderer(colors=False)
        if stream.isatty()
        else structlog.processors.JSONRenderer()
    )
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.WriteLoggerFactory(file=stream),
        cache_logger_on_first_use=True,
    )
    log: FilteringBoundLogger = structlog.get_logger("modelrouter")
    return log
