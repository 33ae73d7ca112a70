"""Runs claimed jobs: each handler as a task (``async def``) or on a thread of its own (a plain
function), at most ``concurrency`` at once, each outcome handed to the ``Reports``, which send it
fenced by the job's lease token until the runtime answers. A slot is free again as soon as its
handler returns, so the report rides with the next claim (the job stays this bot's, its lease kept
by heartbeats, until the report is answered). A job cancelled, lost or given back stops its
handler and reports nothing."""
from __future__ import annotations

import asyncio
import contextvars
import inspect
import json
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from ._api import ClaimedJob, Report, Reported, RuntimeApi
from ._client import ServerFailure
from ._context import NonRetryable, RunningJob
from ._identity import Identity
from ._logging import bind_job, job_context
from ._reports import Reports
from ._settings import Handler, Settings

LOG = logging.getLogger("shepherd_bot.runner")


class Runner:
    def __init__(self, settings: Settings, api: RuntimeApi, identity: Identity,
                 superseded: Callable[[], bool], reports: Reports) -> None:
        self.reports = reports
        self._settings = settings
        self._api = api
        self._identity = identity
        self._superseded = superseded
        self._running: dict[str, RunningJob] = {}
        self.polling = False
        """A long poll of the claimer is in flight: the runtime counts it as this bot's liveness."""
        self._free = settings.concurrency
        self._slot_freed = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._tasks: set[asyncio.Task[None]] = set()
        # which handlers are ``async def``: looked at once, not for every job
        self._async = {job_type: inspect.iscoroutinefunction(handler)
                       or inspect.iscoroutinefunction(getattr(handler, "__call__", None))
                       for job_type, handler in settings.handlers.items()}

    async def take_free_slots(self) -> int:
        """Waits for a free slot; returns how many are free now, all of them taken for one claim."""
        while self._free == 0:
            self._slot_freed.clear()
            await self._slot_freed.wait()
        taken, self._free = self._free, 0
        return taken

    def give_back(self, count: int) -> None:
        """Gives back slots a claim did not fill."""
        if count > 0:
            self._free += count
            self._slot_freed.set()

    def start(self, claimed: ClaimedJob) -> None:
        """Runs a claimed job's handler (its slot was taken by the claim)."""
        correlation = claimed.correlation_id or self._api.job_correlation_id(claimed.job)
        r = RunningJob(claimed, correlation, asyncio.get_running_loop())
        self._running[r.id] = r
        self._idle.clear()
        task = asyncio.get_running_loop().create_task(self._work(r), name=f"shepherd-job-{r.id[:8]}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def get(self, job_id: str) -> RunningJob | None:
        return self._running.get(job_id)

    def jobs(self) -> list[RunningJob]:
        return list(self._running.values())

    @property
    def idle_in_long_poll(self) -> bool:
        """Whether this bot holds nothing and waits in a long poll: the runtime counted the poll as a
        heartbeat when it began and holds none longer than ``lost-after`` allows, so a heartbeat has
        nothing to add (no lease to extend; a drain comes with the poll's answer)."""
        return self.polling and not self._running

    def running_ids(self) -> list[str]:
        return list(self._running)

    def abandon_all(self) -> None:
        """Stops every handler without reporting (superseded, or the shutdown grace is over)."""
        for r in list(self._running.values()):
            r.abandon()

    async def give_back_all(self) -> None:
        """Gives every running job back at once (a drain's grace ran out while the bot stays up)."""
        for r in list(self._running.values()):
            if r.give_back():
                await self._log_refusal(r, "release", _bind(self._api.release, self._identity, r.claimed,
                                                            r.correlation_id))

    async def await_idle(self, deadline: float) -> bool:
        """Waits until no job runs, or until the deadline (the clock's monotonic seconds); True when none runs."""
        remaining = deadline - self._settings.clock.monotonic()
        if self._running and remaining > 0:
            try:
                await asyncio.wait_for(self._idle.wait(), remaining)
            except asyncio.TimeoutError:
                pass
        return not self._running

    async def shutdown(self, timeout: float) -> None:
        """No more handlers: waits a little for the job tasks to unwind (an abandoned handler reports nothing)."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)

    async def _work(self, r: RunningJob) -> None:
        reported = False
        bind_job(r.id, r.correlation_id)  # this task's own context: nothing to unbind when it ends
        try:
            reported = await self._handle(r)
        finally:
            if not reported:
                self._done(r)
            self._free_slot(r)  # after the report is queued: the claim this wakes carries it

    def _done(self, r: RunningJob) -> None:
        """The job is no longer this bot's to name in heartbeats."""
        self._running.pop(r.id, None)
        if not self._running:
            self._idle.set()

    async def _handle(self, r: RunningJob) -> bool:
        """Runs the handler; returns whether an outcome was queued for the runtime."""
        if r.stopped:
            self._stopped(r)  # taken back before its handler started
            return False
        handler = self._settings.handlers.get(r.job.type)
        if handler is None:
            return self._report(r, Report.fail(r.claimed, f"no handler for job type {r.job.type}", True))
        try:
            result = await self._run_handler(r, handler)
        except NonRetryable as e:
            return self._report(r, Report.fail(r.claimed, str(e), False))
        except asyncio.CancelledError:
            if not r.stopped:
                raise  # the bot itself is being torn down
            self._stopped(r)
            return False
        except Exception as e:  # noqa: BLE001 - any failure of the handler fails the attempt
            if r.stopped:
                self._stopped(r)
                return False
            LOG.warning("Job %s failed: %s: %s", r.id, type(e).__name__, e, exc_info=e)
            return self._report(r, Report.fail(r.claimed, f"{type(e).__name__}: {e}", True))
        if r.stopped:
            self._stopped(r)
            return False
        try:
            chars = len(json.dumps(result))
        except (TypeError, ValueError) as e:
            return self._report(r, Report.fail(r.claimed, f"the handler's result is not JSON: {e}", False))
        return self._report(r, Report.complete(r.claimed, result, chars))

    def _report(self, r: RunningJob, report: Report) -> bool:
        """Queues the outcome (unless this process was superseded); returns whether it was queued."""
        r.reporting = True
        if self._superseded():
            return False
        self.reports.add(report, lambda answer: self._answered(r, report, answer))
        return True

    def _answered(self, r: RunningJob, report: Report, answer: Reported | None) -> None:
        """The runtime answered a report: a refusal is logged; a result over the runtime's limit fails
        the job as not retryable (it will be no smaller next time). Otherwise the job is done here."""
        if answer is not None and answer.accepted:  # the usual answer: nothing to log
            self._done(r)
            return
        with job_context(r.id, r.correlation_id):
            action = report.outcome
            if answer is None:
                LOG.warning("Job %s: %s not reported; this process stops, and the runtime recovers the job", r.id,
                            action)
            elif answer.status == 413 and action == "complete":
                LOG.warning("Job %s: the runtime refused its result (%s); failing the job as not retryable",
                            r.id, answer.detail)
                if self._report(r, Report.fail(r.claimed, f"result refused: {answer.detail}", False)):
                    return
            elif answer.job_gone:
                LOG.warning("Job %s: %s refused (HTTP %d): %s — this bot no longer holds it", r.id, action,
                            answer.status, answer.detail)
            elif not answer.accepted:
                LOG.warning("Job %s: %s refused (HTTP %d): %s", r.id, action, answer.status, answer.detail)
            self._done(r)

    async def _run_handler(self, r: RunningJob, handler: Handler) -> Any:
        if self._async[r.job.type]:
            # awaited in the job's own task (no task of its own): stopping the job cancels this one
            r.task = asyncio.current_task()
            return await handler(r.context)
        loop = asyncio.get_running_loop()
        # a plain function runs on a daemon thread of its own (like a Java worker thread: a handler
        # that never returns does not keep the process from exiting); it cannot be interrupted, so
        # it is told to stop (ctx.cancelled, ctx.sleep) and its slot stays taken until it returns
        done: asyncio.Future[Any] = loop.create_future()
        context = contextvars.copy_context()

        def run() -> None:
            value: Any = None
            error: BaseException | None = None
            try:
                value = context.run(handler, r.context)
            except BaseException as e:  # noqa: BLE001 - handed to the event loop as the outcome
                error = e
            try:
                loop.call_soon_threadsafe(_settle, done, value, error)
            except RuntimeError:
                pass  # the bot stopped (its loop is closed) while this abandoned handler ran on

        threading.Thread(target=run, name=f"shepherd-job-{r.id[:8]}", daemon=True).start()
        # shielded: cancelling the waiting task (a hard stop) leaves the future for the thread to settle
        value = await asyncio.shield(done)
        if inspect.isawaitable(value):
            r.task = asyncio.ensure_future(value)
            return await r.task
        return value

    def _stopped(self, r: RunningJob) -> None:
        """The handler stopped early: say why. Nothing is reported."""
        if r.is_cancelled:
            LOG.info("Job %s stopped: it was cancelled", r.id)
        elif r.lost:
            LOG.info("Job %s stopped: the runtime took it back; nothing is reported", r.id)
        elif self._superseded():
            LOG.info("Job %s stopped: this process was superseded; nothing is reported", r.id)
        else:
            LOG.info("Job %s stopped: shutdown; the runtime gets it back", r.id)

    def _free_slot(self, r: RunningJob) -> None:
        if r.free_slot():
            self.give_back(1)

    async def _log_refusal(self, r: RunningJob, action: str, report: Callable[[], Awaitable[Reported]]) -> None:
        try:
            answer = await report()
        except ServerFailure:
            LOG.error("Job %s: could not %s after every retry; its lease will expire and the runtime will recover it",
                      r.id, action)
            return
        if answer.job_gone:
            LOG.warning("Job %s: %s refused (HTTP %d): %s — this bot no longer holds it", r.id, action, answer.status,
                        answer.detail)
        elif not answer.accepted:
            LOG.warning("Job %s: %s refused (HTTP %d): %s", r.id, action, answer.status, answer.detail)


def _settle(done: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
    if done.done():
        return
    if error is not None:
        done.set_exception(error)
    else:
        done.set_result(value)


def _bind(call: Callable[[Identity, ClaimedJob, str], Awaitable[Reported]], identity: Identity, claimed: ClaimedJob,
          correlation: str) -> Callable[[], Awaitable[Reported]]:
    return lambda: call(identity, claimed, correlation)
