"""A watch on the event loop. The heartbeats, claims and reports of a Python bot share one event
loop with its ``async`` handlers (unlike the Java SDK's heartbeat thread): an ``async`` handler
that blocks — ``time.sleep``, blocking I/O, a long computation — holds them all up, and a lease
may run out under a bot that is alive. The watch notices when the loop was held up and says so."""
from __future__ import annotations

import logging
import time

from ._clock import Clock

LOG = logging.getLogger("shepherd_bot")


class LoopWatch:
    """Looks every ``every`` seconds how late the loop woke it; logs when later than ``late``."""

    def __init__(self, clock: Clock, every: float = 0.5, late: float = 1.0) -> None:
        self._clock = clock
        self._every = every
        self._late = late
        self.blocked = 0
        """How often the loop was found held up."""

    async def run(self) -> None:
        while True:
            before = time.monotonic()
            await self._clock.sleep(self._every)
            self.look(time.monotonic() - before - self._every)

    def look(self, lag: float) -> None:
        if lag > self._late:
            self.blocked += 1
            LOG.warning("The event loop was held up for %.1f s: heartbeats, claims and reports waited meanwhile. "
                        "An async handler must not block (time.sleep, blocking I/O, long computations); make "
                        "blocking work a plain function, which runs on a thread of its own", lag)
