"""The bot's parts besides the runner: its start (wait for a runtime, heal), its heartbeats and
its claims (the Java SDK's ``StartUp``, ``Heartbeats`` and ``Claimer``)."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from ._api import Beat, RuntimeApi
from ._backoff import Backoff
from ._client import ServerFailure
from ._identity import Identity
from ._logging import listed
from ._reports import hand_out
from ._runner import Runner
from ._settings import Control, Settings

LOG = logging.getLogger("shepherd_bot")
OLD_RUNTIME_WAIT = 10.0
"""The long poll asked of a runtime that does not say how long it holds one (nor counts it as a heartbeat)."""
FIRST_WAIT = 1.0
"""The first wait between looks for a ready runtime; it doubles up to ``start_backoff_max``."""


@dataclass(frozen=True)
class Session:
    """Who this process is to the runtime: the bot's identity and its current session, and how long the
    runtime holds a long poll (seconds; None from a runtime that does not say, and does not count a poll as a
    heartbeat either)."""
    identity: Identity
    id: str
    claim_wait: float | None = None


class StartUp:
    """Waits, without limit, until a runtime says it is ready (backoff with jitter), then heals:
    resumes the identity kept in the state directory and opens a new session — the runtime releases
    at once whatever an earlier process of this bot held — or registers with the enroll token when
    there is no identity (or the runtime does not know it) and keeps the new one there."""

    def __init__(self, settings: Settings, api: RuntimeApi) -> None:
        self._settings = settings
        self._api = api

    async def run(self) -> Session:
        await self.wait_for_runtime()
        return await self.heal()

    async def wait_for_runtime(self) -> None:
        backoff = Backoff(FIRST_WAIT, max(FIRST_WAIT, self._settings.start_backoff_max), 1 << 30)
        attempt = 1
        while True:
            for server in self._api.servers:
                if await self._api.ready(server):
                    LOG.info("Runtime %s is ready", server)
                    return
            delay = backoff.delay(attempt)
            LOG.info("No runtime ready at %s yet; waiting %d ms (attempt %d)", listed(self._api.servers),
                     delay * 1000, attempt)
            await self._settings.clock.sleep(delay)
            attempt += 1

    async def heal(self) -> Session:
        s = self._settings
        known = Identity.load(s.state_dir)
        if known is not None:
            opened = await self._api.open_session(known)
            if opened is not None:
                released = opened.released
                LOG.info("Resumed bot %s (%s) with a new session; the runtime released %d job(s) an earlier process "
                         "held%s", known.bot_id, s.name, len(released), f": {listed(released)}" if released else "")
                return Session(known, opened.session, opened.claim_wait)
            LOG.warning("The runtime does not know bot %s; registering anew", known.bot_id)
            Identity.forget(s.state_dir)
        if s.enroll_token is None:
            raise RuntimeError(f"No identity in {s.state_dir} and no enroll token to register with")
        registered = await self._api.register(s.enroll_token, list(s.handlers), dict(s.labels))
        registered.identity.save(s.state_dir)
        LOG.info("Registered as bot %s (%s) for %s; identity kept in %s", registered.identity.bot_id, s.name,
                 listed(s.handlers), s.state_dir)
        return Session(registered.identity, registered.session, registered.claim_wait)


class _Part:
    """What the heartbeats and the claimer share: the settings, the protocol, this process's session,
    the runner and the bot as a whole."""

    def __init__(self, settings: Settings, api: RuntimeApi, session: Session, runner: Runner, bot: Control) -> None:
        self._settings = settings
        self._api = api
        self._session = session
        self._runner = runner
        self._bot = bot


class Heartbeats(_Part):
    """Each beat names the jobs this bot works on, so the runtime extends exactly those leases: a
    job it believes this bot holds but the bot never heard of (a claim answer lost on the way) runs
    out and is recovered. The answer says which named jobs were cancelled, which the bot no longer
    holds, and whether to drain. A bot that holds nothing while its long poll is in flight skips the
    beat: the runtime counted the poll as one, and the poll's answer tells of a drain."""

    @property
    def interval(self) -> float:
        """The bot's setting, or the interval the runtime asked for at registration."""
        if self._settings.heartbeat_interval is not None:
            return self._settings.heartbeat_interval
        return self._session.identity.heartbeat_interval_ms / 1000

    async def run(self) -> None:
        """Beats every interval while the bot runs or drains."""
        while self._bot.beating:
            await self._settings.clock.sleep(self.interval)
            if not self._bot.beating:
                return
            if self._runner.idle_in_long_poll:
                continue  # the long poll is this bot's liveness
            await self.beat_once()

    async def beat_once(self) -> Beat | None:
        """One beat now, and what follows from its answer; None when no runtime answered."""
        named: list[str] = []
        progress: dict[str, Any] = {}
        for r in self._runner.jobs():
            named.append(r.id)
            has, value = r.progress
            if has:
                progress[r.id] = value
        identity, session = self._session.identity, self._session.id
        try:
            beat = await self._api.heartbeat(identity, session, named, progress)
            if beat.refused is not None and beat.refused.startswith("HTTP 413") and progress:
                # a progress report over the runtime's limit must not cost the leases: beat again without
                LOG.warning("The runtime refused this beat's progress (%s); beating again without it", beat.refused)
                beat = await self._api.heartbeat(identity, session, named, {})
        except ServerFailure:
            return None  # logged by the client; the next beat tries again
        except (ValueError, KeyError, TypeError) as e:
            LOG.warning("Heartbeat failed: %s", e)
            return None
        if beat.revoked is not None:
            self._bot.revoke(beat.revoked)
            return beat
        if beat.superseded is not None:
            self._bot.supersede(beat.superseded)
            return beat
        if beat.refused is not None:
            LOG.warning("Heartbeat refused: %s", beat.refused)
            return beat
        for job in beat.cancel:
            cancelled = self._runner.get(job)
            if cancelled is not None:
                LOG.info("Job %s was cancelled; interrupting its handler", job)
                cancelled.cancel()
        for job in beat.lost:
            lost = self._runner.get(job)
            if lost is not None and lost.lose():
                LOG.warning("Job %s is no longer held by this bot (the runtime took it back); stopping its handler "
                            "without reporting", job)
        if beat.drain and not self._bot.drained:
            self._bot.drain()
        elif not beat.drain and self._bot.drained:
            self._bot.undrain()
        return beat


class Claimer(_Part):
    """Long-polls for work: waits for a free slot, then claims as many jobs as there are free slots
    in one call (waiting up to ``claim_wait`` for them) and hands each to the runner. The call
    carries the reports waiting to go, so a busy bot makes one request per batch of jobs: their
    outcomes in, the next jobs out."""

    async def run(self) -> None:
        while self._bot.claiming:
            await self.claim_once()

    async def claim_once(self) -> int:
        """Waits for a free slot, claims for every free slot — carrying the reports waiting to go — and
        starts what came; returns how many started. With reports aboard the claim does not wait for
        work, so their answers are not held up."""
        want = await self._runner.take_free_slots()
        reports = self._runner.reports
        batch = reports.take()
        wait = 0.0 if batch else self._settings.claim_wait if self._settings.claim_wait is not None \
            else self._session.claim_wait if self._session.claim_wait is not None else OLD_RUNTIME_WAIT
        self._runner.polling = wait > 0 and self._session.claim_wait is not None
        try:
            exchanged = await self._api.exchange(self._session.identity, self._session.id, [o.report for o in batch],
                                                 want, wait)
        except ServerFailure:
            reports.put_back(batch)
            LOG.warning("Could not claim after retries; trying again")
            self._runner.give_back(want)
            return 0
        except asyncio.CancelledError:
            reports.put_back(batch)
            self._runner.give_back(want)
            raise
        except (ValueError, KeyError, TypeError) as e:
            reports.put_back(batch)
            self._runner.give_back(want)
            LOG.warning("Claim failed: %s", e)
            await self._settings.clock.sleep(1)
            return 0
        finally:
            self._runner.polling = False
        hand_out(batch, exchanged, self._bot)
        claimed = exchanged.claimed
        if claimed.revoked is not None or claimed.superseded is not None:
            self._runner.give_back(want)
            return 0
        if claimed.refused is not None:
            LOG.warning("Claim refused: %s", claimed.refused)
            self._runner.give_back(want)
            await self._settings.clock.sleep(1)
            return 0
        if claimed.drain and not self._bot.drained:
            # told by the claim (a drained idle bot need not heartbeat to hear of it)
            self._runner.give_back(want)
            self._bot.drain()
            return 0
        self._runner.give_back(want - len(claimed.jobs))
        for job in claimed.jobs:
            self._runner.start(job)
        return len(claimed.jobs)
