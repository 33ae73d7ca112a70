"""The bot's validated settings, shared by its parts, and how the parts reach the bot as a whole."""
from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Union

from ._client import ClientSettings
from ._clock import SYSTEM, Clock

if TYPE_CHECKING:
    from ._context import JobContext

Handler = Callable[["JobContext"], Union[Any, Awaitable[Any]]]
"""A job type's handler: a plain function (run on a thread of its own) or an ``async def``; it gets
the job's context and returns the result (any JSON value)."""


class OnDrain(enum.Enum):
    """What a drained bot does once it finished or gave back what it held."""
    IDLE = "idle"
    """Stays up, heartbeating and holding nothing, and claims again when undrained (the default)."""
    EXIT = "exit"
    """Deregisters and returns from ``run()``, so the process can exit."""


class Phase(enum.Enum):
    WAITING = "WAITING"
    RUNNING = "RUNNING"
    DRAINING = "DRAINING"
    DRAINED = "DRAINED"
    STOPPED = "STOPPED"
    SUPERSEDED = "SUPERSEDED"
    REVOKED = "REVOKED"


@dataclass(frozen=True)
class Settings:
    servers: list[str]
    name: str
    handlers: Mapping[str, Handler]
    enroll_token: str | None = None
    state_dir: Path = Path("bot-state")
    concurrency: int = 1
    labels: Mapping[str, str] = field(default_factory=dict)
    shutdown_grace: float = 30.0
    claim_wait: float | None = None
    """How long a claim waits for work; None: as long as the runtime holds a long poll (it says at start-up)."""
    heartbeat_interval: float | None = None
    connect_timeout: float = 2.0
    breaker_failures: int = 5
    breaker_delay: float = 30.0
    retry_initial: float = 1.0
    retry_max: float = 60.0
    retry_calls: int = 10
    start_backoff_max: float = 5.0
    handle_signals: bool = True
    on_drain: OnDrain = OnDrain.IDLE
    clock: Clock = SYSTEM

    def client(self) -> ClientSettings:
        """The settings of the client's fault tolerance (the Java ``BotSettings.client()``)."""
        return ClientSettings(self.connect_timeout, self.breaker_failures, self.breaker_delay, self.retry_initial,
                              self.retry_max, self.retry_calls)

    def __post_init__(self) -> None:
        problems = []
        if not self.servers:
            problems.append("at least one runtime URL (servers, SHEPHERD_URL)")
        for url in self.servers:
            if not url.startswith(("http://", "https://")):
                problems.append(f"runtime URL {url!r} must start with http:// or https://")
        if not self.name or not self.name.strip():
            problems.append("a name")
        if not self.handlers:
            problems.append("a handler for at least one job type")
        if not 1 <= self.concurrency <= 100:
            problems.append(f"concurrency between 1 and 100 (got {self.concurrency})")
        if self.claim_wait is not None and self.claim_wait > 30:
            problems.append(f"claim_wait of at most 30 s (got {self.claim_wait})")
        for what, seconds in (("shutdown_grace", self.shutdown_grace), ("claim_wait", self.claim_wait or 0.0),
                              ("connect_timeout", self.connect_timeout), ("breaker_delay", self.breaker_delay)):
            if seconds < 0:
                problems.append(f"{what} >= 0 (got {seconds})")
        if self.heartbeat_interval is not None and self.heartbeat_interval <= 0:
            problems.append(f"heartbeat_interval > 0 (got {self.heartbeat_interval})")
        if problems:
            raise ValueError("The bot needs " + "; ".join(problems))


class Control(Protocol):
    """How the parts reach the bot as a whole (the Java SDK's ``BotControl``)."""

    @property
    def beating(self) -> bool: ...

    @property
    def claiming(self) -> bool: ...

    @property
    def superseded(self) -> bool: ...

    @property
    def drained(self) -> bool: ...

    def supersede(self, detail: str) -> None: ...

    def revoke(self, detail: str) -> None: ...

    def drain(self) -> None: ...

    def undrain(self) -> None: ...
