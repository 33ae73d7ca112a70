"""A circuit breaker per runtime URL, with the Java SDK's rules."""
from __future__ import annotations

import enum

from ._clock import Clock


class State(enum.Enum):
    CLOSED = "CLOSED"
    OPEN = "OPEN"
    HALF_OPEN = "HALF_OPEN"


class CircuitBreaker:
    """Opens after ``failures`` failures in a row; after ``delay`` seconds lets one call through
    (half-open); a success closes it, a failure opens it again."""

    def __init__(self, failures: int, delay: float, clock: Clock) -> None:
        if failures < 1 or delay < 0:
            raise ValueError(f"a breaker needs failures >= 1 and delay >= 0 (got {failures}, {delay})")
        self._threshold = failures
        self._delay = delay
        self._clock = clock
        self._in_a_row = 0
        self._opened_at: float | None = None
        self._half_open = False

    @property
    def state(self) -> State:
        if self._opened_at is None:
            return State.HALF_OPEN if self._half_open else State.CLOSED
        if self._clock.monotonic() - self._opened_at >= self._delay:
            return State.HALF_OPEN
        return State.OPEN

    def allows(self) -> bool:
        """Whether a call may go to this runtime now (a half-open circuit lets calls try)."""
        state = self.state
        if state is State.HALF_OPEN and self._opened_at is not None:
            self._opened_at = None
            self._half_open = True
        return state is not State.OPEN

    def succeeded(self) -> None:
        self._in_a_row = 0
        self._opened_at = None
        self._half_open = False

    def failed(self) -> None:
        self._in_a_row += 1
        if self._half_open or self._in_a_row >= self._threshold:
            self._opened_at = self._clock.monotonic()
            self._half_open = False
