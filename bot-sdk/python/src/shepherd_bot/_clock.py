"""Time for the SDK's parts, from one place, so tests can move it instead of sleeping."""
from __future__ import annotations

import asyncio
import time


class Clock:
    """Monotonic seconds and an awaitable sleep. The default is the system's."""

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


SYSTEM = Clock()
