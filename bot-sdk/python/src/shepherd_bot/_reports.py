"""The outcomes on their way to the runtime (the Java SDK's ``Reports``). Finished handlers leave
them here and go on; they travel in batches through ``/exchange``: with the claimer's next claim
when one is about to be made (a handler that finishes frees a slot, which wakes the claimer), and
otherwise, once the oldest has waited ``LINGER``, on their own from this module's task. A batch
whose fate is unknown (no answer after every retry, the call cancelled) goes back to the front of
the queue: sending a completion again is harmless, and a report is never dropped while the bot
runs."""
from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from ._api import Exchanged, Report, Reported, RuntimeApi
from ._client import ServerFailure
from ._clock import Clock
from ._identity import Identity
from ._settings import Control

LOG = logging.getLogger("shepherd_bot.reports")

LINGER = 0.005
"""The longest a report waits, in seconds, for a claim to carry it."""
MAX_BATCH = 100
"""The most reports one call carries (the runtime takes up to 100)."""
MAX_BATCH_CHARS = 256 * 1024
"""Roughly the most characters of results and errors one call carries (the runtime's body limit is 1 MiB by default)."""

Answered = Callable[[Reported | None], None]
"""Hears a report's answer; None when the bot stopped before it could be reported."""


@dataclass(frozen=True)
class Outgoing:
    report: Report
    queued_at: float
    answered: Answered


class Reports:
    def __init__(self, api: RuntimeApi, identity: Identity, session: str, bot: Control, clock: Clock) -> None:
        self._api = api
        self._identity = identity
        self._session = session
        self._bot = bot
        self._clock = clock
        self._queue: deque[Outgoing] = deque()
        self._added = asyncio.Event()

    @property
    def waiting(self) -> int:
        return len(self._queue)

    def add(self, report: Report, answered: Answered) -> None:
        """Queues a report; ``answered`` hears the runtime's answer to it."""
        self._queue.append(Outgoing(report, asyncio.get_running_loop().time(), answered))
        self._added.set()

    def take(self) -> list[Outgoing]:
        """Takes the reports waiting now (a batch's worth at most); empty when none wait."""
        batch: list[Outgoing] = []
        chars = 0
        while self._queue and len(batch) < MAX_BATCH and (
                not batch or chars + self._queue[0].report.size <= MAX_BATCH_CHARS):
            item = self._queue.popleft()
            chars += item.report.size
            batch.append(item)
        return batch

    def put_back(self, batch: list[Outgoing]) -> None:
        """Puts a batch whose fate is unknown back in front, to be sent again."""
        self._queue.extendleft(reversed(batch))
        if batch:
            self._added.set()

    async def run(self) -> None:
        """Sends, on their own, the reports no claim carried within ``LINGER``; until cancelled."""
        loop = asyncio.get_running_loop()
        while True:
            if not self._queue:
                self._added.clear()
                await self._added.wait()
                continue
            left = self._queue[0].queued_at + LINGER - loop.time()
            if left > 0:
                await asyncio.sleep(left)
                continue
            batch = self.take()
            if batch:
                await self._send(batch)

    async def _send(self, batch: list[Outgoing]) -> None:
        try:
            sent = await self._api.exchange(self._identity, self._session, [o.report for o in batch], 0, 0.0)
        except ServerFailure:
            LOG.warning("%d report(s) not answered after every retry; sending them again (a lease that runs out "
                        "meanwhile is recovered by the runtime)", len(batch))
            self.put_back(batch)
            await self._clock.sleep(1)
            return
        except asyncio.CancelledError:
            self.put_back(batch)
            raise
        except (ValueError, KeyError, TypeError) as e:
            LOG.warning("Reporting failed (%s); sending again", e)
            self.put_back(batch)
            await self._clock.sleep(1)
            return
        hand_out(batch, sent, self._bot)


def hand_out(batch: list[Outgoing], sent: Exchanged, bot: Control) -> None:
    """Gives each report of an exchange its answer, and acts on a refusal of the whole call: a
    superseded process or a revoked token stops the bot (each report then hears None)."""
    for i, item in enumerate(batch):
        answer = sent.answers[i] if sent.answers is not None and i < len(sent.answers) else None
        try:
            item.answered(answer)
        except Exception:  # noqa: BLE001 - one report's bookkeeping must not lose the others'
            LOG.exception("Handling the answer to a report failed")
    claimed = sent.claimed
    if claimed.revoked is not None:
        bot.revoke(claimed.revoked)
    elif claimed.superseded is not None:
        bot.supersede(claimed.superseded)
    elif claimed.refused is not None and sent.answers is None and batch:
        LOG.error("%d report(s) refused as a whole: %s", len(batch), claimed.refused)
