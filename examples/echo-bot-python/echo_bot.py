"""The example Python bot, the twin of examples/echo-bot: completes each job with its payload as
the result. A payload {"sleepMs": N} makes it work N ms first (in {"steps": S} steps, reporting
progress after each); {"fail": true} makes it fail the attempt. Configured by the same environment
as the Java echo bot: SHEPHERD_URL (comma-separated for failover), SHEPHERD_ENROLL_TOKEN, BOT_NAME,
BOT_TYPES (default echo), BOT_STATE_DIR, BOT_CONCURRENCY (default 1), BOT_SHUTDOWN_GRACE_MS,
BOT_ON_DRAIN (idle or exit), BOT_LABELS (k=v,k=v), and BOT_HANDLER: async (the default, an
``async def`` handler) or plain (a plain function, run on a thread of its own, that sleeps with
``ctx.sleep`` so it wakes when told to stop). Exits 0 when it stopped, 3 when an admin revoked it."""
from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import Any

from shepherd_bot import Bot, JobContext, Phase, configure_logging

LOG = logging.getLogger("echo_bot")


def work_plan(payload: Any) -> tuple[int, float]:
    """How the payload asks to be worked: (steps, seconds per step); (0, 0) for no work."""
    if isinstance(payload, dict) and "sleepMs" in payload:
        steps = max(1, int(payload.get("steps", 1)))
        return steps, int(payload["sleepMs"]) / steps / 1000
    return 0, 0.0


def check_fail(payload: Any) -> None:
    if isinstance(payload, dict) and payload.get("fail") is True:
        raise RuntimeError("the payload asked to fail")


async def echo(ctx: JobContext) -> Any:
    # DEBUG (SHEPHERD_LOG_LEVELS=echo_bot=DEBUG): the line carries the job's correlation id
    LOG.debug("Echoing job %s (attempt %d)", ctx.id, ctx.attempt)
    steps, seconds = work_plan(ctx.payload)
    for step in range(1, steps + 1):
        await asyncio.sleep(seconds)  # a job cancelled or taken back stops here
        if steps > 1:
            ctx.progress({"done": step, "of": steps})
    check_fail(ctx.payload)
    return ctx.payload


def echo_plain(ctx: JobContext) -> Any:
    LOG.debug("Echoing job %s (attempt %d)", ctx.id, ctx.attempt)
    steps, seconds = work_plan(ctx.payload)
    for step in range(1, steps + 1):
        if ctx.sleep(seconds):
            return None  # told to stop: what it returns now is not reported
        if steps > 1:
            ctx.progress({"done": step, "of": steps})
    check_fail(ctx.payload)
    return ctx.payload


def main() -> int:
    configure_logging()
    types = [t.strip() for t in os.environ.get("BOT_TYPES", "echo").split(",") if t.strip()]
    kind = os.environ.get("BOT_HANDLER", "async").strip().lower()
    if kind not in ("async", "plain"):
        print(f"BOT_HANDLER must be async or plain (got {kind!r})", file=sys.stderr)
        return 2
    handler = echo if kind == "async" else echo_plain
    bot = Bot.from_env(handlers={t: handler for t in types})
    phase = bot.run()
    return 3 if phase is Phase.REVOKED else 0


if __name__ == "__main__":
    sys.exit(main())
