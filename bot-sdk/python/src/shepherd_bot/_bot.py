"""A Shepherd bot: a handler per job type, and everything else done for it (the Java SDK's ``Bot``)."""
from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._api import RuntimeApi
from ._client import RuntimeClient
from ._clock import SYSTEM, Clock
from ._logging import listed
from ._parts import Claimer, Heartbeats, Session, StartUp
from ._reports import Reports
from ._runner import Runner
from ._settings import Handler, OnDrain, Phase, Settings
from ._watch import LoopWatch

LOG = logging.getLogger("shepherd_bot")


@dataclass(frozen=True)
class BotState:
    """What the bot is doing now."""
    phase: Phase
    bot_id: str | None
    session: str | None
    last_good: str | None
    circuits: dict[str, str]
    retries: int
    jobs: list[str]


class Bot:
    """A bot: register handlers (``@bot.handler("type")`` or ``handlers={...}``) and call ``run()``,
    which returns when the bot stopped (SIGTERM/SIGINT, ``stop()``, superseded, revoked).

    At start it waits for a runtime to be ready, resumes its identity and opens a new session;
    while it runs, heartbeats beat on a task of their own, a long poll claims as many jobs as there
    are free slots and each job's handler runs and is reported; every call goes through circuit
    breakers, failover and retries. On SIGTERM it stops claiming, lets running jobs finish within
    the grace period while heartbeats go on, gives back what did not finish, deregisters and
    returns; if another process with the same identity opens a newer session, it stops at once
    without releasing or claiming anything."""

    def __init__(self, servers: str | list[str], name: str, *, enroll_token: str | None = None,
                 state_dir: str | Path = "bot-state", concurrency: int = 1,
                 handlers: Mapping[str, Handler] | None = None, labels: Mapping[str, str] | None = None,
                 shutdown_grace: float = 30.0, claim_wait: float | None = None, heartbeat_interval: float | None = None,
                 on_drain: OnDrain | str = OnDrain.IDLE, connect_timeout: float = 2.0, breaker_failures: int = 5,
                 breaker_delay: float = 30.0, retry_initial: float = 1.0, retry_max: float = 60.0,
                 retry_calls: int = 10, start_backoff_max: float = 5.0, handle_signals: bool = True,
                 clock: Clock = SYSTEM) -> None:
        self._handlers: dict[str, Handler] = dict(handlers or {})
        self._config: dict[str, Any] = dict(
            servers=_split(servers), name=name, enroll_token=enroll_token, state_dir=Path(state_dir),
            concurrency=concurrency, labels=dict(labels or {}), shutdown_grace=shutdown_grace, claim_wait=claim_wait,
            heartbeat_interval=heartbeat_interval,
            on_drain=on_drain if isinstance(on_drain, OnDrain) else OnDrain(on_drain.strip().lower()),
            connect_timeout=connect_timeout, breaker_failures=breaker_failures, breaker_delay=breaker_delay,
            retry_initial=retry_initial, retry_max=retry_max, retry_calls=retry_calls,
            start_backoff_max=start_backoff_max, handle_signals=handle_signals, clock=clock)
        self.phase = Phase.WAITING
        self._settings: Settings | None = None
        self._client: RuntimeClient | None = None
        self._api: RuntimeApi | None = None
        self._session: Session | None = None
        self._runner: Runner | None = None
        self._claiming = False
        self._stopping = False
        self._operator_drained = False
        self._started = False
        self._stopped: asyncio.Event | None = None
        self._start_task: asyncio.Task[Session] | None = None
        self._claim_task: asyncio.Task[None] | None = None
        self._report_task: asyncio.Task[None] | None = None
        self._heartbeat_task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()

    @classmethod
    def from_env(cls, handlers: Mapping[str, Handler] | None = None, environ: Mapping[str, str] | None = None,
                 **overrides: Any) -> Bot:
        """A bot configured as the Java echo bot is: SHEPHERD_URL (comma-separated for failover),
        SHEPHERD_ENROLL_TOKEN, BOT_NAME, BOT_STATE_DIR, BOT_CONCURRENCY, BOT_SHUTDOWN_GRACE_MS,
        BOT_ON_DRAIN (idle or exit), BOT_LABELS (k=v,k=v). Keyword arguments override."""
        env = os.environ if environ is None else environ
        labels = {}
        for pair in env.get("BOT_LABELS", "").split(","):
            key, eq, value = pair.partition("=")
            if eq and key.strip():
                labels[key.strip()] = value.strip()
        config: dict[str, Any] = dict(
            servers=env.get("SHEPHERD_URL", "http://localhost:8080"), name=env.get("BOT_NAME", "echo-bot"),
            enroll_token=env.get("SHEPHERD_ENROLL_TOKEN") or None, state_dir=env.get("BOT_STATE_DIR", "bot-state"),
            concurrency=_int(env, "BOT_CONCURRENCY", 1), labels=labels, handlers=handlers,
            on_drain=env.get("BOT_ON_DRAIN", "idle"))
        if env.get("BOT_SHUTDOWN_GRACE_MS", "").strip():
            config["shutdown_grace"] = _int(env, "BOT_SHUTDOWN_GRACE_MS", 30000) / 1000
        config.update(overrides)
        return cls(**config)

    def handler(self, job_type: str) -> Callable[[Handler], Handler]:
        """Decorator: ``@bot.handler("thumbnail")`` over a plain or ``async`` function of ``ctx``."""
        def register(function: Handler) -> Handler:
            self._handlers[job_type] = function
            return function
        return register

    def settings(self) -> Settings:
        """The validated settings; raises ValueError naming what is missing or wrong."""
        return Settings(handlers=dict(self._handlers), **self._config)

    def run(self) -> Phase:
        """Runs the bot until it stops; returns the phase it ended in (STOPPED, SUPERSEDED, REVOKED)."""
        return asyncio.run(self.run_async())

    async def run_async(self) -> Phase:
        if self._started:
            raise RuntimeError("run() was already called")
        self._started = True
        settings = self._settings = self.settings()
        loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        signals = self._install_signal_handlers(loop) if settings.handle_signals else []
        client = self._client = RuntimeClient(settings.servers, settings.client(), settings.clock)
        api = self._api = RuntimeApi(client, settings.name)
        try:
            if self._stopping:
                self._finish_stop()
                return self.phase
            self._start_task = loop.create_task(StartUp(settings, api).run())
            try:
                self._session = await self._start_task
            except asyncio.CancelledError:
                if not self._stopping:
                    raise
                self._finish_stop()
                return self.phase
            reports = Reports(api, self._session.identity, self._session.id, self, settings.clock)
            runner = self._runner = Runner(settings, api, self._session.identity, lambda: self.superseded, reports)
            if self._stopping:
                self._finish_stop()
                return self.phase
            self.phase = Phase.RUNNING
            self._claiming = True
            self._heartbeat_task = loop.create_task(Heartbeats(settings, api, self._session, runner, self).run())
            self._report_task = loop.create_task(reports.run())
            self._claim_task = loop.create_task(Claimer(settings, api, self._session, runner, self).run())
            self._spawn(LoopWatch(settings.clock).run())
            await self._stopped.wait()
            return self.phase
        finally:
            for task in (self._claim_task, self._heartbeat_task, self._report_task, *self._background):
                if task is not None and task is not asyncio.current_task():
                    task.cancel()
            if self._runner is not None:
                await self._runner.shutdown(1.0)
            for sig in signals:
                loop.remove_signal_handler(sig)
            await client.close()

    def _install_signal_handlers(self, loop: asyncio.AbstractEventLoop) -> list[signal.Signals]:
        """SIGTERM and SIGINT stop the bot gracefully; only the main thread's loop can take them."""
        installed = []
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, self._stop_in_background)
                installed.append(sig)
            except (ValueError, RuntimeError, NotImplementedError) as e:
                LOG.warning("Not stopping on %s (%s): call bot.stop() to stop this bot", sig.name, e)
        return installed

    # ---- how the parts reach the bot as a whole (Control) ----

    @property
    def beating(self) -> bool:
        return self.phase in (Phase.RUNNING, Phase.DRAINING, Phase.DRAINED)

    @property
    def claiming(self) -> bool:
        return self._claiming and not self._stopping

    @property
    def superseded(self) -> bool:
        return self.phase is Phase.SUPERSEDED

    @property
    def drained(self) -> bool:
        return self._operator_drained

    def supersede(self, detail: str) -> None:
        if self.phase in (Phase.SUPERSEDED, Phase.STOPPED):
            return
        self.phase = Phase.SUPERSEDED
        LOG.error("This process was superseded: another process of bot %s opened a newer session (%s). Stopping "
                  "without claiming or releasing anything.", self._bot_id(), detail)
        self._halt_now()

    def revoke(self, detail: str) -> None:
        if self.phase in (Phase.SUPERSEDED, Phase.STOPPED, Phase.REVOKED):
            return
        self.phase = Phase.REVOKED
        LOG.error("The runtime refuses this bot's token (%s): an admin revoked bot %s. Stopping without reporting "
                  "anything; the runtime already took its jobs back. Enrolling again (a restart with an enroll "
                  "token) makes a new bot.", detail, self._bot_id())
        self._halt_now()

    def drain(self) -> None:
        """An operator drained this bot: no new claims; running jobs get the grace to finish; then idle or exit."""
        settings, runner = self._settings, self._runner
        if self._operator_drained or self.phase is not Phase.RUNNING or self._stopping or settings is None \
                or runner is None:
            return
        self._operator_drained = True
        self._claiming = False
        exits = settings.on_drain is OnDrain.EXIT
        LOG.info("An operator drained this bot: no new claims; %d running job(s) get up to %d ms to finish, then it %s",
                 len(runner.jobs()), settings.shutdown_grace * 1000,
                 "deregisters and exits" if exits else "idles until undrained")
        if exits:
            self._stop_in_background()
            return
        self.phase = Phase.DRAINING
        self._spawn(self._drain_then_idle(settings, runner))

    async def _drain_then_idle(self, settings: Settings, runner: Runner) -> None:
        idle = await runner.await_idle(settings.clock.monotonic() + settings.shutdown_grace)
        if not self._operator_drained or self._stopping:
            return  # undrained or stopping meanwhile: nothing to give back here
        if not idle:
            LOG.warning("Drain grace over; giving back unfinished job(s) %s", listed(runner.running_ids()))
            await runner.give_back_all()
        if self._operator_drained and self.phase is Phase.DRAINING:
            self.phase = Phase.DRAINED
        LOG.info("Drained: holding nothing; heartbeating until undrained")

    def undrain(self) -> None:
        """An operator undrained this bot: it claims again."""
        if not self._operator_drained or self._stopping or self._settings is None or self._api is None \
                or self._session is None or self._runner is None:
            return
        self._operator_drained = False
        self.phase = Phase.RUNNING
        self._claiming = True
        if self._claim_task is None or self._claim_task.done():
            self._claim_task = asyncio.get_running_loop().create_task(
                Claimer(self._settings, self._api, self._session, self._runner, self).run())
        LOG.info("An operator undrained this bot: claiming again")

    # ---- stopping ----

    def _halt_now(self) -> None:
        """Stops at once, claiming, reporting and releasing nothing: the jobs are no longer this process's."""
        self._claiming = False
        self._stopping = True
        if self._claim_task is not None:
            self._claim_task.cancel()
        if self._report_task is not None:
            self._report_task.cancel()
        if self._runner is not None:
            self._runner.abandon_all()
        if self._stopped is not None:
            self._stopped.set()

    def _stop_in_background(self) -> None:
        self._spawn(self.stop())

    def _spawn(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def stop(self) -> None:
        """Stops gracefully: no new claims; running jobs get the grace period to finish while heartbeats
        go on; what has not finished is given back when the bot deregisters. Returns when it stopped."""
        settings = self._settings
        running = settings is not None and not self._stopping and (self.phase is Phase.RUNNING or (
            self._operator_drained and self.phase in (Phase.DRAINING, Phase.DRAINED)))
        self._stopping = True
        if not running or settings is None:
            # still starting (nothing is held yet), or already stopping or stopped
            if self._start_task is not None and not self._start_task.done():
                self._start_task.cancel()
            if self._stopped is not None:
                await self._stopped.wait()
            return
        deadline = settings.clock.monotonic() + settings.shutdown_grace
        self.phase = Phase.DRAINING
        self._claiming = False
        if self._claim_task is not None:
            self._claim_task.cancel()
        runner, api, session = self._runner, self._api, self._session
        assert runner is not None and api is not None and session is not None
        LOG.info("Stopping: no new claims; %d running job(s) get up to %d ms to finish", len(runner.jobs()),
                 settings.shutdown_grace * 1000)
        reserve = min(3.0, settings.shutdown_grace / 4)  # leave time within the grace to deregister
        if not await runner.await_idle(deadline - reserve):
            LOG.warning("Grace period over; giving back unfinished job(s) %s", listed(runner.running_ids()))
            runner.abandon_all()
        try:
            answer = await api.deregister(session.identity)
            if answer.status == 204:
                LOG.info("Deregistered bot %s; the runtime took back anything it still held", session.identity.bot_id)
            else:
                LOG.warning("Deregistration refused: HTTP %d %s", answer.status, answer.detail)
        except Exception as e:  # noqa: BLE001 - the runtime recovers by lease what a failed goodbye leaves
            LOG.warning("Could not deregister (%s); the runtime recovers this bot's jobs when their leases expire", e)
        self._finish_stop()

    def _finish_stop(self) -> None:
        if self.phase is not Phase.SUPERSEDED:
            self.phase = Phase.STOPPED
        if self._stopped is not None:
            self._stopped.set()

    def state(self) -> BotState:
        client, session, runner = self._client, self._session, self._runner
        return BotState(self.phase, session.identity.bot_id if session else None, session.id if session else None,
                        client.last_good if client else None, client.circuits() if client else {},
                        client.retries if client else 0, runner.running_ids() if runner else [])

    def _bot_id(self) -> str:
        return self._session.identity.bot_id if self._session is not None else "?"


def _split(servers: str | list[str]) -> list[str]:
    urls = servers.split(",") if isinstance(servers, str) else [u for one in servers for u in one.split(",")]
    return [u.strip().rstrip("/") for u in urls if u.strip()]


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number (got {value!r})") from None


__all__ = ["Bot", "BotState"]
