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
from shepherd_bot._runner import Runner
from shepherd_bot._settings import Handler, Settings

from conftest import Stub

IDENTITY = Identity("bot-1", "bot-token", 5000)


def claimed(job_id: str, payload: Any = None, job_type: str = "work") -> ClaimedJob:
    return ClaimedJob(Job(job_id, job_type, "default", payload, 1), "lease-" + job_id, "corr-" + job_id)


async def run_jobs(stub: Stub, handler: Handler, *jobs: ClaimedJob, concurrency: int = 2,
                   while_running: Any = None) -> Runner:
    for action in ("complete", "fail", "release"):
        for job in jobs:
            stub.answer(f"/v1/jobs/{job.job.id}/{action}", 200, {"status": "ok"})
    settings = Settings(servers=[stub.url], name="t", handlers={"work": handler}, concurrency=concurrency)
    client = RuntimeClient([stub.url], ClientSettings(retry_initial=0.01, retry_max=0.01, retry_calls=2),
                           settings.clock)
    runner = Runner(settings, RuntimeApi(client, "t"), IDENTITY, lambda: False)
    assert await runner.take_free_slots() == concurrency
    runner.give_back(concurrency - len(jobs))
    for job in jobs:
        runner.start(job)
    if while_running is not None:
        await while_running(runner)
    assert await runner.await_idle(time.monotonic() + 5), "the jobs finished"
    await client.close()
    return runner


def reports(stub: Stub) -> dict[str, Any]:
    return {c.path: c.body for c in stub.calls}


async def test_a_plain_function_runs_on_a_thread_and_its_result_completes_the_job(stub: Stub) -> None:
    seen: dict[str, Any] = {}

    def handler(ctx: JobContext) -> Any:
        seen["thread"] = threading.current_thread().name
        seen["loop"] = threading.current_thread() is threading.main_thread()
        return {"echo": ctx.payload, "attempt": ctx.attempt}

    runner = await run_jobs(stub, handler, claimed("j1", {"n": 1}))
    assert reports(stub) == {"/v1/jobs/j1/complete": {"leaseToken": "lease-j1",
                                                      "result": {"echo": {"n": 1}, "attempt": 1}}}
    assert stub.calls[0].headers["X-Correlation-ID"] == "corr-j1", "the job's correlation id goes with its report"
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
    assert r["/v1/jobs/a/fail"] == {"leaseToken": "lease-a", "error": "payload needs a url", "retryable": False}
    assert r["/v1/jobs/b/fail"]["retryable"] is True
    assert r["/v1/jobs/b/fail"]["error"].startswith("ValueError: xxx")
    assert r["/v1/jobs/b/fail"]["error"].endswith("more characters)") and len(r["/v1/jobs/b/fail"]["error"]) < 2100
    assert r["/v1/jobs/c/fail"]["retryable"] is False and "not JSON" in r["/v1/jobs/c/fail"]["error"]
    assert r["/v1/jobs/d/complete"] == {"leaseToken": "lease-d", "result": None}


async def test_a_result_over_the_runtimes_limit_fails_the_job_for_good(stub: Stub) -> None:
    async def handler(ctx: JobContext) -> Any:
        return "big"

    async def refuse_the_result(runner: Runner) -> None:
        stub.answer("/v1/jobs/big/complete", 413, {"title": "Payload Too Large", "detail": "result over 1 MiB"})

    await run_jobs(stub, handler, claimed("big"), while_running=refuse_the_result)
    assert stub.paths() == ["/v1/jobs/big/complete", "/v1/jobs/big/fail"]
    assert reports(stub)["/v1/jobs/big/fail"] == {"leaseToken": "lease-big", "error": "result refused: result over 1 MiB",
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
            runner = Runner(settings, RuntimeApi(client, "t"), IDENTITY, lambda: False)
            await runner.take_free_slots()
            runner.start(claimed("stubborn"))
            await asyncio.sleep(0.05)
            runner.abandon_all()
            await runner.shutdown(0.05)

    asyncio.run(abandon_and_leave())  # the loop is closed while the handler still runs
    assert finished.wait(5)
    time.sleep(0.1)
    assert uncaught == [] and stub.calls == []
