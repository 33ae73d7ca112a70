"""The Python SDK's own CPU per job, apart from the runtime and the database: the example echo bot
(``examples/echo-bot-python``, concurrency 8) as a child process, against a stand-in that answers the
bot protocol from this process (an aiohttp server) — ready, register, heartbeat, and each exchange with every report
accepted and as many fresh jobs as asked for. The bot's CPU (``/proc``) is read over MEASURE jobs after
WARM jobs; then the bot gets SIGTERM.

    python3 bench/python/bot_cpu.py                       # 3 runs of the SDK in this checkout
    python3 bench/python/bot_cpu.py --sdk OTHER/src       # ... of another checkout's (A/B: alternate)
    python3 bench/python/bot_cpu.py --profile /tmp/b.prof # one run under cProfile, then its top functions

The stand-in does almost nothing, so the figure is the bot's alone; with the real runtime the bot also
waits on it, and its CPU per job is higher (the ``languages`` benchmark scenario measures that).
This is a measuring tool, not a test of the protocol: the conformance suite holds the SDKs to the
runtime."""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import pstats
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from aiohttp import web

ROOT = Path(__file__).resolve().parents[2]
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


class StandIn:
    """Answers the bot and measures it: at WARM reports the bot's CPU is read, at WARM + MEASURE again."""

    def __init__(self, warm: int, measure: int) -> None:
        self.warm, self.measure = warm, measure
        self.pid = 0
        self.reported = self.handed = self.exchanges = 0
        self.start: tuple[int, int, float, float] | None = None
        self.result: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def job(self, n: int) -> str:
        return json.dumps({"id": str(uuid.uuid4()), "type": "echo", "queue": "default", "payload": {"n": n},
                           "attempt": 1, "leaseToken": uuid.uuid4().hex[:22],
                           "leaseExpiresAt": "2026-11-30T18:00:00.000Z", "correlationId": f"cpu-{n}"})

    def routes(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/ready", lambda _: json_answer(200, "{}"))
        app.router.add_post("/v1/bots", lambda _: json_answer(201, json.dumps(
            {"bot": {"id": "b1"}, "token": "t", "heartbeatIntervalMs": 5000, "session": "s1", "claimWaitMs": 30000})))
        app.router.add_post("/v1/bots/{id}/heartbeat", lambda _: json_answer(200, '{"cancel":[],"lost":[]}'))
        app.router.add_post("/v1/bots/{id}/exchange", self.exchange)
        app.router.add_delete("/v1/bots/{id}", lambda _: json_answer(204, ""))
        return app

    async def exchange(self, request: web.Request) -> web.Response:
        sent = await request.json()
        self.exchanges += 1
        self.reported += len(sent["reports"])
        self.look()
        wanted = int(sent.get("max", 0))
        jobs = ",".join(self.job(self.handed + i) for i in range(wanted))
        self.handed += wanted
        answers = ",".join('{"jobId":"%s","status":200,"jobStatus":"succeeded"}' % r["jobId"] for r in sent["reports"])
        return await json_answer(200, '{"reports":[%s],"jobs":[%s],"drain":false}' % (answers, jobs))

    def look(self) -> None:
        if self.start is None and self.reported >= self.warm:
            self.start = (self.reported, self.exchanges, cpu_seconds(self.pid), time.perf_counter())
        elif self.start is not None and self.reported >= self.warm + self.measure and not self.result.done():
            reported, exchanges, cpu, wall = self.start
            jobs = self.reported - reported
            self.result.set_result(
                f"bot CPU per job {(cpu_seconds(self.pid) - cpu) / jobs * 1e6:.1f} µs, "
                f"{jobs / (time.perf_counter() - wall):,.0f} jobs/s, "
                f"{jobs / (self.exchanges - exchanges):.2f} jobs per exchange")


async def json_answer(status: int, body: str) -> web.Response:
    return web.Response(status=status, text=body or None, content_type="application/json" if body else None)


async def run_once(sdk: Path, warm: int, measure: int, python: list[str]) -> str:
    stand_in = StandIn(warm, measure)
    runner = web.AppRunner(stand_in.routes(), access_log=None)
    await runner.setup()
    listening = socket.create_server(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    await web.SockSite(runner, listening).start()
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, SHEPHERD_URL=f"http://127.0.0.1:{port}", SHEPHERD_ENROLL_TOKEN="e",
                   BOT_NAME="cpu", BOT_STATE_DIR=f"{home}/state", BOT_CONCURRENCY="8", PYTHONPATH=str(sdk),
                   SHEPHERD_LOG_LEVELS="shepherd_bot=WARN")
        with open(f"{home}/bot.log", "w+") as log:
            bot = subprocess.Popen([*python, str(ROOT / "examples/echo-bot-python/echo_bot.py")], env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
            stand_in.pid = bot.pid
            exited = asyncio.get_running_loop().run_in_executor(None, bot.wait)

            def ended(_: object) -> None:
                if not stand_in.result.done():
                    log.seek(0)
                    stand_in.result.set_exception(RuntimeError(
                        f"the bot exited before {warm + measure} jobs; its output:\n{log.read()[-4000:]}"))

            exited.add_done_callback(ended)
            try:
                return await asyncio.wait_for(stand_in.result, 600)
            finally:
                bot.send_signal(signal.SIGTERM)
                await exited
                await runner.cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sdk", type=Path, default=ROOT / "bot-sdk/python/src", help="the SDK's source folder")
    parser.add_argument("--warm", type=int, default=20_000)
    parser.add_argument("--measure", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", type=Path, help="one run under cProfile, written here, its top printed")
    args = parser.parse_args()
    python = [sys.executable]
    if args.profile is not None:
        python += ["-m", "cProfile", "-o", str(args.profile)]
        args.runs = 1
    for _ in range(args.runs):
        print(asyncio.run(run_once(args.sdk, args.warm, args.measure, python)), flush=True)
    if args.profile is not None:
        stats = pstats.Stats(str(args.profile))
        stats.sort_stats("tottime").print_stats(25)
        print_shares(stats, args.warm + args.measure)
    return 0


PLACES = [("the SDK (shepherd_bot)", ("shepherd_bot",)), ("the handler (echo_bot.py)", ("echo_bot",)),
          ("aiohttp, yarl, multidict", ("aiohttp", "yarl", "multidict")),
          ("URL and address parsing for aiohttp (urllib.parse, ipaddress)", ("urllib/parse", "ipaddress")),
          ("json", ("/json/",)), ("logging, structlog", ("/logging/", "structlog", "contextvars")),
          ("threading, contextlib", ("threading", "contextlib")),
          ("socket calls (send, recv, epoll)", ("'send'", "'recv'", "'poll'", "sendmsg")),
          ("asyncio (event loop, tasks, events)", ("asyncio", "selectors", "_weakrefset", "Context"))]


def print_shares(stats: pstats.Stats, jobs: int) -> None:
    """Each function's own time summed by where it lives (the first place whose mark its name has)."""
    totals: dict[str, float] = {}
    for (file, _, name), row in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{file}:{name}"
        place = next((p for p, marks in PLACES if any(m in where for m in marks)), "the rest (imports, builtins)")
        totals[place] = totals.get(place, 0.0) + row[2]
    whole = sum(totals.values())
    print(f"| where the bot's time goes (cProfile, own time, {jobs:,} jobs) | µs a job | share |\n| --- | --- | --- |")
    for place, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"| {place} | {seconds / jobs * 1e6:.1f} | {seconds / whole:.0%} |")
    print(f"| in all | {whole / jobs * 1e6:.1f} | |")


if __name__ == "__main__":
    sys.exit(main())
