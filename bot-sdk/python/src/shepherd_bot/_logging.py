"""Logs as the Java SDK's processes write them: JSON lines (time, level, logger, thread, message,
correlationId, jobId) for a log collector, or text on a terminal. ``SHEPHERD_LOG_FORMAT`` (json,
text) decides otherwise; ``SHEPHERD_LOG_LEVELS=logger=LEVEL,...`` sets levels per logger.

A handler's lines carry its job's id and correlation id: the SDK keeps them in context variables
(per asyncio task, copied into the thread a plain handler runs on). With structlog installed they
are bound with ``structlog.contextvars`` too, so a bot that logs through structlog (with
``merge_contextvars`` in its processors) gets them on every line as well."""
from __future__ import annotations

import contextvars
import datetime
import importlib
import json
import logging
import os
import sys
from collections.abc import Iterable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

FORMAT_ENV = "SHEPHERD_LOG_FORMAT"
LEVELS_ENV = "SHEPHERD_LOG_LEVELS"

correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("shepherd_correlation_id", default=None)
job_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("shepherd_job_id", default=None)

_LEVEL_NAMES = {"WARNING": "WARN", "CRITICAL": "ERROR", "FATAL": "ERROR"}
_LEVELS = {"TRACE": logging.DEBUG, "DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARN": logging.WARNING,
           "WARNING": logging.WARNING, "ERROR": logging.ERROR, "OFF": logging.CRITICAL + 10}

_structlog_contextvars: Any
try:  # structlog is optional
    _structlog_contextvars = importlib.import_module("structlog.contextvars")
except ImportError:  # pragma: no cover - depends on the machine
    _structlog_contextvars = None


class _JobContextFilter(logging.Filter):
    """Puts the current job's correlation id and id on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "correlationId"):
            record.correlationId = correlation_id.get()
        if not hasattr(record, "jobId"):
            record.jobId = job_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the field names of the runtime's and the Java SDK's logs."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.timezone.utc)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": _LEVEL_NAMES.get(record.levelname, record.levelname),
            "logger": record.name,
            "thread": record.threadName,
            "message": record.getMessage(),
        }
        for key in ("correlationId", "jobId"):
            value = getattr(record, key, None)
            if value is not None:
                line[key] = value
        if record.exc_info:
            line["stack_trace"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s.%(msecs)03d %(levelname)-5s [%(correlationId)s] %(name)s: %(message)s",
                         datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "correlationId", None) is None:
            record.correlationId = ""
        return super().format(record)


def configure(format: str | None = None, stream: Any = None) -> None:
    """Sets up the process's logging before anything logs (the Java ``Logging.configure``)."""
    out = stream if stream is not None else sys.stdout
    chosen = format or os.environ.get(FORMAT_ENV) or ("text" if _on_terminal(out) else "json")
    handler = logging.StreamHandler(out)
    handler.setFormatter(TextFormatter() if chosen.lower() == "text" else JsonFormatter())
    handler.addFilter(_JobContextFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("aiohttp").setLevel(logging.WARNING)
    levels(os.environ.get(LEVELS_ENV))


def levels(spec: str | None) -> None:
    """Sets levels per logger from ``name=LEVEL`` pairs; a pair that does not parse is reported, never fatal."""
    if not spec or not spec.strip():
        return
    for pair in spec.split(","):
        name, _, level = pair.partition("=")
        level = level.strip().upper()
        if not name.strip() or level not in _LEVELS:
            print(f"{LEVELS_ENV}: skipped '{pair.strip()}' (expected logger=TRACE|DEBUG|INFO|WARN|ERROR|OFF)",
                  file=sys.stderr)
            continue
        logging.getLogger(name.strip()).setLevel(_LEVELS[level])


def bind_job(job: str, correlation: str) -> tuple[contextvars.Token[str | None], contextvars.Token[str | None]]:
    """From here on, log lines (stdlib and, when installed, structlog) carry the job's ids — for the
    rest of the current context; so only at the top of a task of the job's own, whose context ends
    with it (elsewhere ``job_context``). Returns what resets the stdlib ids."""
    tokens = (correlation_id.set(correlation), job_id.set(job))
    if _structlog_contextvars is not None:
        _structlog_contextvars.bind_contextvars(correlationId=correlation, jobId=job)
    return tokens


@contextmanager
def job_context(job: str, correlation: str) -> Iterator[None]:
    """While inside, log lines (stdlib and, when installed, structlog) carry the job's ids."""
    tokens = bind_job(job, correlation)
    try:
        yield
    finally:
        correlation_id.reset(tokens[0])
        job_id.reset(tokens[1])
        if _structlog_contextvars is not None:
            _structlog_contextvars.unbind_contextvars("correlationId", "jobId")


class JobLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    """A logger bound to one job: every line carries its id and correlation id, on any thread."""

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, MutableMapping[str, Any]]:
        extra = dict(self.extra or {})
        extra.update(kwargs.get("extra") or {})
        kwargs["extra"] = extra
        return msg, kwargs


def _on_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def listed(items: Iterable[str]) -> str:
    """A list as the Java SDK's log lines print one: [a, b]."""
    return "[" + ", ".join(items) + "]"
