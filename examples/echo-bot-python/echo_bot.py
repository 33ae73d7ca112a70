"""The example Python bot, the twin of examples/echo-bot: completes each job with its payload as
the result. A payload {"sleepMs": N} makes it work N ms first (in {"steps": S} steps, reporting
progress after each); {"fail": true} makes it fail the attempt. Configured by the same environment
as the Java echo bot: SHEPHERD_URL (comma-separated for failover), SHEPHERD_ENROLL_TOKEN, BOT_NAME,
BOT_TYPES (default echo), BOT_STATE_DIR, BOT_CONCURRENCY (default 1), BOT_SHUTDOWN_GRACE_MS,
BOT_ON_DRAIN (idle or exit), BOT_LABELS (k=v,k=v). Exits 0 when it stopped, 3 when an admin
revoked it."""
from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import Any

from shepherd_bot import Bot, JobContext, Phase, configure_logging

LOG = logging.getLogger("echo_bot")


async def echo(ctx: JobContext) -> Any:
    # DEBUG (SHEPHERD_LOG_LEVELS=echo_bot=DEBUG): the line carries the job's correlation id
    LOG.debug("Echoing job %s (attempt %d)", ctx.id, ctx.attempt)
    payload = ctx.payload
    if isinstance(payload, dict):
        if "sleepMs" in payload:
            steps = max(1, int(payload.get("steps", 1)))
            for step in range(1, steps + 1):
                await asyncio.sleep(int(payload["sleepMs"]) / steps / 1000)
                if steps > 1:
                    ctx.progress({"done": step, "of": steps})
        if payload.get("fail") is True:
            raise RuntimeError("the payload asked to fail")
    return payload


def main() -> int:
    configure_logging()
    types = [t.strip() for t in os.environ.get("BOT_TYPES", "echo").split(",") if t.strip()]
    bot = Bot.from_env(handlers={t: echo for t in types})
    phase = bot.run()
    return 3 if phase is Phase.REVOKED else 0


if __name__ == "__main__":
    sys.exit(main())
