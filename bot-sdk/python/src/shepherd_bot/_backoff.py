"""Exponential backoff with jitter, the same curve as the Java SDK's."""
from __future__ import annotations

import random


class Backoff:
    """``initial × 2ⁿ`` seconds, at most ``maximum``, ±20 % jitter; ``calls`` attempts in all."""

    def __init__(self, initial: float, maximum: float, calls: int) -> None:
        if initial <= 0 or maximum < initial or calls < 1:
            raise ValueError(f"backoff needs 0 < initial <= maximum and calls >= 1 (got {initial}, {maximum}, {calls})")
        self.initial = initial
        self.maximum = maximum
        self.calls = calls

    def delay(self, retry: int) -> float:
        """The delay in seconds before the given retry (1 for the first retry)."""
        base: float = min(self.initial * 2 ** max(0, retry - 1), self.maximum)
        return base * (0.8 + random.random() * 0.4)

    def next_delay(self, calls_made: int) -> float | None:
        """The delay before the next call after ``calls_made`` calls, or None when the calls ran out."""
        return None if calls_made >= self.calls else self.delay(calls_made)
