from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from shepherd_bot import JobContext, NonRetryable
from shepherd_bot._api import ClaimedJob, Job, RuntimeApi
from shepherd_bot._client import ClientSettings, RuntimeClient
from shepherd_bot._identity import Identity
from shepherd_bot._reports import Reports
from shepherd_bot._runner import Runner
from shepherd_bot._settings import Handler, Settings

from shepherd_bot._clock import SYSTEM

from conftest import FakeClock, Recorded, Stub

IDENTITY = Identity("bot-1", "bot-token", 5000)


def claimed(job_id: str, payload: Any = None, job_type: str = "work") -> ClaimedJob:
    return ClaimedJob(Job(job_id, job_type, "default", payload, 1), "lease-" + job_id, "corr-" + job_id)


EXCHANGE = "/v1/bots/bot-1/exchange"


class Control:
    """The bot as the reports see it: remembers whether it was told to stop."""
    superseded_by: str | None = None
    revoked_by: str | None = None
    beating = claiming = True
    superseded = drained = False

    def supersede(self, detail: str) -> None:
        self.superseded_by = detail

    def revoke(self, detail: str) -> None:
        self.revoked_by = detail

    def drain(self) -> None:
        pass

    def undrain(self) -> None:
        pass


def answer_exchanges(stub: Stub, refused: dict[str, tuple[int, str]] | None = None) -> None:
    """Answers each report 200, or as ``refused`` says by "jobId/outcome"."""
    def route(call: Recorded) -> tuple[int, Any, dict[str, str]]:
        answers = []
        for report in call.body["reports"]:
            status, detail = (refused or {}).get(f"{report['jobId']}/{report['outcome']}", (200, ""))
            answers.append({"jobId": report["jobId"], "status": status, "detail": detail} if status != 200
                           else {"jobId": report["jobId"], "status": 200, "jobStatus": "completed"})
        return 200, {"reports": answers, "jobs": []}, {}
    stub.routes[EXCHANGE] = route


def new_runner(settings: Settings, client: RuntimeClient) -> Runner:
    api = RuntimeApi(client, "t")
    return Runner(settings, api, IDENTITY, lambda: False, Reports(api, IDENTITY, "s-1", Control(), settings.clock))


async def run_jobs(stub: Stub, handler: Handler, *jobs: ClaimedJob, concurrency: int = 2,
                   while_running: Any = None) -> Runner:
    if EXCHANGE not in stub.routes:
        answer_exchanges(stub)
    settings = Settings(servers=[stub.url], name="t", handlers={"work": handler}, concurrency=concurrency)
    client = RuntimeClient([stub.url], ClientSettings(retry_initial=0.01, retry_max=0.01, retry_calls=2),
                           settings.clock)
    runner = new_runner(settings, client)
    reporter = asyncio.create_task(runner.reports.run())
    assert await runner.take_free_slots() == concurrency
    runner.give_back(concurrency - len(jobs))
    for job in jobs:
        runner.start(job)
    if while_running is not None:
        await while_running(runner)
    assert await runner.await_idle(time.monotonic() + 5), "the jobs finished and their reports were answered"
    reporter.cancel()
    await client.close()
    return runner


def reports(stub: Stub) -> dict[str, Any]:
    """Every report sent, by "jobId/outcome", without those two fields."""
    return {f"{r['jobId']}/{r['outcome']}": {k: v for k, v in r.items() if k not in ("jobId", "outcome")}
            for c in stub.calls if c.path == EXCHANGE for r in c.body["reports"]}


async def test_a_plain_function_runs_on_a_thread_and_its_result_completes_the_job(stub: Stub) -> None:
    seen: dict[str, Any] = {}

    def handler(ctx: JobContext) -> Any:
        seen["thread"] = threading.current_thread().name
        seen["loop"] = threading.current_thread() is threading.main_thread()
        return {"echo": ctx.payload, "attempt": ctx.attempt}

    runner = await run_jobs(stub, handler, claimed("j1", {"n": 1}))
    assert reports(stub) == {"j1/complete": {"leaseToken": "lease-j1", "result": {"echo": {"n": 1}, "attempt": 1}}}
    assert stub.calls[0].body["session"] == "s-1" and "max" not in stub.calls[0].body, "reports alone claim nothing"
    assert seen == {"thread": "shepherd-job-j1", "loop": False}
    assert await runner.take_free_slots() == 2, "every slot is free again"


async def test_outcomes_become_the_right_reports(stub: Stub) -> None:
    async def handler(ctx: JobContext) -> Any:
        kind = ctx.payload["kind"]
        if kind == "hopeless":
            raise NonRetryable("payload needs a url")
        if kind == "broken":
            raise ValueError("x" * 3000)
        if kind == "odd":
            return {"not json": object()}
        return None

    await run_jobs(stub, handler, claimed("a", {"kind": "hopeless"}), claimed("b", {"kind": "broken"}),
                   claimed("c", {"kind": "odd"}), claimed("d", {"kind": "nothing"}), concurrency=4)
    r = reports(stub)
    assert r["a/fail"] == {"leaseToken": "lease-a", "error": "payload needs a url", "retryable": False}
    assert r["b/fail"]["retryable"] is True
    assert r["b/fail"]["error"].startswith("ValueError: xxx")
    assert r["b/fail"]["error"].endswith("more characters)") and len(r["b/fail"]["error"]) < 2100
    assert r["c/fail"]["retryable"] is False and "not JSON" in r["c/fail"]["error"]
    assert r["d/complete"] == {"leaseToken": "lease-d", "result": None}
    assert len(r) == 4


async def test_a_result_over_the_runtimes_limit_fails_the_job_for_good(stub: Stub) -> None:
    async def handler(ctx: JobContext) -> Any:
        return "big"

    answer_exchanges(stub, {"big/complete": (413, "result over 1 MiB")})
    await run_jobs(stub, handler, claimed("big"))
    assert stub.paths() == [EXCHANGE, EXCHANGE]
    assert reports(stub)["big/fail"] == {"leaseToken": "lease-big", "error": "result refused: result over 1 MiB",
                                         "retryable": False}


async def test_a_lost_async_handler_is_cancelled_and_reports_nothing(stub: Stub) -> None:
    started = asyncio.Event()
    outcome: list[str] = []

    async def handler(ctx: JobContext) -> Any:
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise
        return "late"

    async def lose(runner: Runner) -> None:
        await started.wait()
        running = runner.get("slow")
        assert running is not None and running.lose()

    await run_jobs(stub, handler, claimed("slow"), while_running=lose)
    assert outcome == ["cancelled"] and stub.calls == [], "no late report"


async def test_a_plain_handler_is_told_to_stop_and_what_it_returns_is_dropped(stub: Stub) -> None:
    started = threading.Event()
    woke: list[bool] = []

    def handler(ctx: JobContext) -> Any:
        started.set()
        woke.append(ctx.sleep(60))  # wakes when told to stop
        assert ctx.cancelled
        return "too late"

    async def cancel(runner: Runner) -> None:
        await asyncio.get_running_loop().run_in_executor(None, started.wait)
        running = runner.get("p")
        assert running is not None
        running.cancel()

    await run_jobs(stub, handler, claimed("p"), while_running=cancel)
    assert woke == [True] and stub.calls == []


async def test_progress_is_kept_for_the_next_beat_and_its_size_is_checked(stub: Stub) -> None:
    progress: list[Any] = []

    async def handler(ctx: JobContext) -> Any:
        ctx.progress({"done": 1, "of": 3})
        with pytest.raises(ValueError, match="at most 4096"):
            ctx.progress({"log": "x" * 5000})
        progress.append(runner_ref[0].get("g").progress)  # type: ignore[union-attr]
        return None

    runner_ref: list[Runner] = []

    async def keep(runner: Runner) -> None:
        runner_ref.append(runner)

    # the runner is known before the handler runs: started jobs wait for the loop
    await run_jobs(stub, handler, claimed("g"), while_running=keep)
    assert progress == [(True, {"done": 1, "of": 3})]


async def test_the_handlers_logger_is_bound_to_the_job(stub: Stub) -> None:
    import io
    import json

    from shepherd_bot._logging import configure

    out = io.StringIO()
    configure("json", stream=out)

    def handler(ctx: JobContext) -> Any:
        ctx.log.info("working on %s", ctx.id)
        return None

    await run_jobs(stub, handler, claimed("logged"))
    line = next(json.loads(text) for text in out.getvalue().splitlines() if "working on" in text)
    assert line["message"] == "working on logged"
    assert (line["jobId"], line["correlationId"], line["logger"]) == ("logged", "corr-logged", "shepherd_bot.job")
    assert line["thread"] == "shepherd-job-logged"


def test_a_plain_handler_that_outlives_its_bot_ends_quietly(stub: Stub, monkeypatch: pytest.MonkeyPatch) -> None:
    uncaught: list[object] = []
    monkeypatch.setattr(threading, "excepthook", uncaught.append)
    finished = threading.Event()

    def stubborn(ctx: JobContext) -> Any:
        time.sleep(0.3)  # does not look at ctx.cancelled
        finished.set()
        return "late"

    async def abandon_and_leave() -> None:
        settings = Settings(servers=[stub.url], name="t", handlers={"work": stubborn})
        async with RuntimeClient([stub.url], ClientSettings(), settings.clock) as client:
            runner = new_runner(settings, client)
            await runner.take_free_slots()
            runner.start(claimed("stubborn"))
            await asyncio.sleep(0.05)
            runner.abandon_all()
            await runner.shutdown(0.05)

    asyncio.run(abandon_and_leave())  # the loop is closed while the handler still runs
    assert finished.wait(5)
    time.sleep(0.1)
    assert uncaught == [] and stub.calls == []


async def test_reports_of_jobs_finishing_together_travel_in_one_call_with_the_next_claim(stub: Stub) -> None:
    from shepherd_bot._parts import Claimer, Session

    release = asyncio.Event()

    async def handler(ctx: JobContext) -> Any:
        await release.wait()
        return ctx.payload

    answer_exchanges(stub)
    settings = Settings(servers=[stub.url], name="t", handlers={"work": handler}, concurrency=3)
    async with RuntimeClient([stub.url], ClientSettings(retry_initial=0.01, retry_max=0.01, retry_calls=2),
                             settings.clock) as client:
        runner = new_runner(settings, client)  # no reporter task: only a claim can carry the reports
        control = Control()
        claimer = Claimer(settings, runner.reports._api, Session(IDENTITY, "s-1"), runner, control)
        assert await runner.take_free_slots() == 3
        for n in range(3):
            runner.start(claimed(f"j{n}", n))
        release.set()
        while runner.reports.waiting < 3:
            await asyncio.sleep(0.001)
        assert sorted(runner.running_ids()) == ["j0", "j1", "j2"], "still this bot's until answered"
        assert await claimer.claim_once() == 0
        assert len(stub.calls) == 1, "one call carried all three"
        body = stub.calls[0].body
        assert [r["jobId"] for r in body["reports"]] == ["j0", "j1", "j2"]
        assert (body["max"], body["waitMs"]) == (3, 0), "with reports aboard the claim does not wait for work"
        assert runner.running_ids() == [] and control.superseded_by is None


async def test_a_superseded_process_s_reports_are_refused_as_a_whole_and_the_bot_stops(stub: Stub) -> None:
    async def handler(ctx: JobContext) -> Any:
        return None

    stub.answer(EXCHANGE, 409, {"title": "Conflict", "detail": "Session s-1 of bot bot-1 was superseded"})
    settings = Settings(servers=[stub.url], name="t", handlers={"work": handler})
    async with RuntimeClient([stub.url], ClientSettings(), settings.clock) as client:
        api = RuntimeApi(client, "t")
        control = Control()
        reports_ = Reports(api, IDENTITY, "s-1", control, settings.clock)
        runner = Runner(settings, api, IDENTITY, lambda: control.superseded_by is not None, reports_)
        reporter = asyncio.create_task(reports_.run())
        await runner.take_free_slots()
        runner.start(claimed("z"))
        assert await runner.await_idle(time.monotonic() + 5)
        reporter.cancel()
        assert control.superseded_by is not None and "superseded" in control.superseded_by
        assert stub.paths() == [EXCHANGE], "sent once, not retried"


async def test_an_idle_bot_waits_as_long_as_the_runtime_holds_a_poll_and_skips_beats_meanwhile(stub: Stub) -> None:
    from shepherd_bot._parts import Claimer, Heartbeats, Session

    async def handler(ctx: JobContext) -> Any:
        return None

    class Ticking(FakeClock):
        """Sleeps return at once (after letting other tasks run) and are counted."""
        async def sleep(self, seconds: float) -> None:
            await super().sleep(seconds)
            await asyncio.sleep(0)

    in_flight: list[bool] = []
    clock = Ticking()
    settings = Settings(servers=[stub.url], name="t", handlers={"work": handler}, clock=clock)
    async with RuntimeClient([stub.url], ClientSettings(retry_initial=0.01, retry_max=0.01, retry_calls=2),
                             SYSTEM) as client:
        runner = new_runner(settings, client)
        control = Control()
        session = Session(IDENTITY, "s-1", 25.0)
        beats = Heartbeats(settings, runner.reports._api, session, runner, control)

        def poll(call: Recorded) -> tuple[int, Any, dict[str, str]]:
            in_flight.append(runner.idle_in_long_poll)
            return 200, {"reports": [], "jobs": []}, {}
        stub.routes[EXCHANGE] = poll
        stub.answer("/v1/bots/bot-1/heartbeat", 200, {"leaseExpiresAt": "2026-01-01T00:00:00Z", "cancel": [],
                                                        "lost": [], "drain": False})
        assert await Claimer(settings, runner.reports._api, session, runner, control).claim_once() == 0
        assert stub.calls[-1].body["waitMs"] == 25_000, "the runtime's longest poll, as the session said"
        assert in_flight == [True], "idle and in a long poll while the runtime held it"
        assert not runner.idle_in_long_poll, "the poll is over"
        old_runtime = Session(IDENTITY, "s-1")  # said no claimWaitMs: it does not count a poll as a heartbeat
        assert await Claimer(settings, runner.reports._api, old_runtime, runner, control).claim_once() == 0
        assert stub.calls[-1].body["waitMs"] == 10_000 and in_flight[-1] is False, "so the beats go on meanwhile"

        runner.polling = True  # as while a poll is held: the beats have nothing to add
        beating = asyncio.create_task(beats.run())
        while len(clock.slept) < 10:
            await asyncio.sleep(0)
        assert clock.slept[:3] == [5.0, 5.0, 5.0], "the loop went round at the heartbeat interval"
        assert "/v1/bots/bot-1/heartbeat" not in stub.paths(), "no beat while idle in a long poll"
        runner.polling = False
        while "/v1/bots/bot-1/heartbeat" not in stub.paths():
            await asyncio.sleep(0.001)
        control.beating = False
        beating.cancel()


async def test_a_drain_told_by_the_claim_drains_the_bot(stub: Stub) -> None:
    from shepherd_bot._parts import Claimer, Session

    async def handler(ctx: JobContext) -> Any:
        return None

    drained: list[bool] = []

    class Drained(Control):
        def drain(self) -> None:
            drained.append(True)

    stub.answer(EXCHANGE, 200, {"reports": [], "jobs": [], "drain": True})
    settings = Settings(servers=[stub.url], name="t", handlers={"work": handler}, claim_wait=0)
    async with RuntimeClient([stub.url], ClientSettings(), settings.clock) as client:
        runner = new_runner(settings, client)
        claimer = Claimer(settings, runner.reports._api, Session(IDENTITY, "s-1"), runner, Drained())
        assert await claimer.claim_once() == 0
        assert drained == [True]
        assert await runner.take_free_slots() == 1, "the slot is free again"


async def test_a_handlers_log_lines_carry_its_job_ids_and_the_bots_own_lines_do_not(stub: Stub) -> None:
    structlog = pytest.importorskip("structlog")
    import io
    import json
    out = io.StringIO()
    structlog.configure(processors=[structlog.contextvars.merge_contextvars, structlog.processors.JSONRenderer()],
                        logger_factory=structlog.PrintLoggerFactory(out))
    try:
        async def in_task(ctx: JobContext) -> Any:
            structlog.get_logger().info("async")
            return None

        def on_thread(ctx: JobContext) -> Any:
            structlog.get_logger().info("plain")
            return None

        await run_jobs(stub, in_task, claimed("a1"), claimed("a2"))
        await run_jobs(stub, on_thread, claimed("p1"))
        structlog.get_logger().info("outside")
    finally:
        structlog.reset_defaults()
    lines = sorted((json.loads(line) for line in out.getvalue().splitlines()), key=lambda d: d.get("jobId", ""))
    assert lines == [{"event": "outside"},
                     {"correlationId": "corr-a1", "jobId": "a1", "event": "async"},
                     {"correlationId": "corr-a2", "jobId": "a2", "event": "async"},
                     {"correlationId": "corr-p1", "jobId": "p1", "event": "plain"}]


async def test_a_stop_told_before_the_handler_waits_for_it_is_not_missed() -> None:
    """The context makes its events when first waited on: a stop told before then still wakes at once."""
    from shepherd_bot._context import JobContext as Context
    for wait in ("thread", "async"):
        ctx = Context(claimed("s"), "corr-s", asyncio.get_running_loop())
        assert not ctx.cancelled
        ctx._signal_stop()
        assert ctx.cancelled
        started = time.monotonic()
        if wait == "thread":
            assert await asyncio.get_running_loop().run_in_executor(None, ctx.sleep, 30)
        else:
            await asyncio.wait_for(ctx.wait_cancelled(), 30)
        assert time.monotonic() - started < 5, wait


async def test_a_stop_told_while_the_handler_waits_wakes_it(stub: Stub) -> None:
    """Either way of waiting for a stop: an async handler racing ``wait_cancelled`` against its work,
    a plain one in ``ctx.sleep``."""
    woke: list[str] = []

    async def racing(ctx: JobContext) -> Any:
        await ctx.wait_cancelled()
        woke.append("async")
        return None

    def sleeping(ctx: JobContext) -> Any:
        if ctx.sleep(60):
            woke.append("plain")
        return None

    async def stop(runner: Runner) -> None:
        await asyncio.sleep(0.05)
        for r in runner.jobs():
            r.context._signal_stop()

    await run_jobs(stub, racing, claimed("r"), while_running=stop)
    await run_jobs(stub, sleeping, claimed("s"), while_running=stop)
    assert woke == ["async", "plain"]
