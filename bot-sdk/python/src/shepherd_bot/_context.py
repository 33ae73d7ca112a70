"""A job this bot works on: its lease, its handler, and why the handler may have to stop. The
handler sees it as its ``JobContext``."""
from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import Any

from ._api import ClaimedJob, Job
from ._logging import JobLogger

MAX_PROGRESS_BYTES = 4096
"""The runtime's default ``limits.max-progress``."""
_MAKING = threading.Lock()
"""Held while a job's thread event is made, so two threads asking at once get the same one."""


class NonRetryable(Exception):
    """Raise it from a handler when trying the job again cannot help: the job fails for good."""


class JobContext:
    """What a handler gets: the job, a way to report progress, a signal to stop, and a logger bound
    to the job's id and correlation id."""

    def __init__(self, claimed: ClaimedJob, correlation_id: str, loop: asyncio.AbstractEventLoop) -> None:
        self._claimed = claimed
        self._correlation_id = correlation_id
        self._loop = loop
        # most handlers never wait for a stop nor log: the events and the logger are made when first asked for
        self._stop = False
        self._stop_thread: threading.Event | None = None
        self._stop_async: asyncio.Event | None = None
        self._log: JobLogger | None = None
        self._progress: Any = None
        self._has_progress = False

    @property
    def log(self) -> JobLogger:
        """A logger whose every line carries the job's id and correlation id, on any thread."""
        if self._log is None:
            self._log = JobLogger(logging.getLogger("shepherd_bot.job"),
                                  {"jobId": self._claimed.job.id, "correlationId": self._correlation_id})
        return self._log

    @property
    def job(self) -> Job:
        return self._claimed.job

    @property
    def id(self) -> str:
        return self._claimed.job.id

    @property
    def type(self) -> str:
        return self._claimed.job.type

    @property
    def payload(self) -> Any:
        return self._claimed.job.payload

    @property
    def attempt(self) -> int:
        return self._claimed.job.attempt

    @property
    def correlation_id(self) -> str:
        """The id its submitter's request carried: it finds the submission, claim, handler lines and outcome."""
        return self._correlation_id

    @property
    def cancelled(self) -> bool:
        """True once the handler should stop: a client cancelled the job, the runtime took it back,
        or the bot is shutting down. Whatever the handler returns after that is not reported."""
        return self._stop

    async def wait_cancelled(self) -> None:
        """Returns once the handler should stop (for ``async`` handlers: race it against the work)."""
        if self._stop_async is None:  # on the event loop, as the stop is signalled
            self._stop_async = asyncio.Event()
            if self._stop:
                self._stop_async.set()
        await self._stop_async.wait()

    def sleep(self, seconds: float) -> bool:
        """For plain handlers: sleeps up to ``seconds``, waking early when the handler should stop.
        Returns True when it was woken to stop."""
        return self._thread_event().wait(seconds)

    def _thread_event(self) -> threading.Event:
        event = self._stop_thread
        if event is None:
            with _MAKING:
                if self._stop_thread is None:
                    self._stop_thread = threading.Event()
                event = self._stop_thread
            if self._stop:  # signalled before the event was there to be set
                event.set()
        return event

    def progress(self, value: Any) -> None:
        """Progress (any JSON, up to 4 KB) sent with the next heartbeat and shown on the job."""
        if value is not None:
            size = len(json.dumps(value, separators=(",", ":")).encode())
            if size > MAX_PROGRESS_BYTES:
                raise ValueError(f"progress is {size} bytes of JSON; the runtime keeps at most {MAX_PROGRESS_BYTES} "
                                 "(report a summary: counts, a phase, a percentage)")
        self._progress = value
        self._has_progress = True

    def _signal_stop(self) -> None:
        """Called on the event loop: both a plain handler's thread and an async handler see it."""
        self._stop = True
        if self._stop_thread is not None:
            self._stop_thread.set()
        if self._stop_async is not None:
            self._stop_async.set()


class RunningJob:
    """The bot's side of a job it works on (the Java SDK's ``RunningJob``)."""

    def __init__(self, claimed: ClaimedJob, correlation_id: str, loop: asyncio.AbstractEventLoop) -> None:
        self.claimed = claimed
        self.correlation_id = correlation_id
        self.context = JobContext(claimed, correlation_id, loop)
        self.task: asyncio.Future[Any] | None = None
        self.is_cancelled = False
        self.abandoned = False
        self.lost = False
        self.reporting = False
        self._slot_freed = False

    @property
    def id(self) -> str:
        return self.claimed.job.id

    @property
    def job(self) -> Job:
        return self.claimed.job

    @property
    def progress(self) -> tuple[bool, Any]:
        return self.context._has_progress, self.context._progress

    def cancel(self) -> None:
        """A client cancelled the job: the handler is stopped, its outcome dropped."""
        self.is_cancelled = True
        self._stop_handler()

    def lose(self) -> bool:
        """The runtime no longer counts this job as this bot's: stop the handler and report nothing —
        unless its outcome is already on its way, or it was cancelled. Returns whether it was stopped."""
        if self.reporting or self.is_cancelled:
            return False
        self.lost = True
        self.abandoned = True
        self._stop_handler()
        return True

    def give_back(self) -> bool:
        """Given back (a drain's grace ran out): returns whether the job is to be released."""
        if self.reporting or self.is_cancelled:
            return False
        self.abandoned = True
        self._stop_handler()
        return True

    def abandon(self) -> None:
        """Stop without reporting (superseded, or given back at shutdown)."""
        self.abandoned = True
        self._stop_handler()

    @property
    def stopped(self) -> bool:
        return self.is_cancelled or self.abandoned

    def free_slot(self) -> bool:
        """Marks the slot given back; True the first time."""
        if self._slot_freed:
            return False
        self._slot_freed = True
        return True

    def _stop_handler(self) -> None:
        self.context._signal_stop()
        if self.task is not None and not self.task.done():
            self.task.cancel()
