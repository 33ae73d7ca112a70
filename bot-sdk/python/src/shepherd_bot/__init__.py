"""Shepherd's bot SDK for Python: a handler per job type, and everything that keeps a fleet of
bots healthy done for it — start-up healing, heartbeats naming the jobs held, fencing tokens,
long polls, retries with backoff, a circuit breaker per runtime, failover and draining."""
from ._api import Job
from ._bot import Bot, BotState
from ._client import ServerFailure
from ._context import JobContext, NonRetryable
from ._logging import configure as configure_logging
from ._settings import OnDrain, Phase

__all__ = ["Bot", "BotState", "Job", "JobContext", "NonRetryable", "OnDrain", "Phase", "ServerFailure",
           "configure_logging"]
__version__ = "0.1.0"
