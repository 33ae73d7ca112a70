from __future__ import annotations

import io
import re
import json
import logging
import os
import stat
import threading
from pathlib import Path

import pytest

from shepherd_bot import Bot, OnDrain
from shepherd_bot._api import cut
from shepherd_bot._backoff import Backoff
from shepherd_bot._breaker import CircuitBreaker, State
from shepherd_bot._identity import Identity
from shepherd_bot._logging import JsonFormatter, configure, job_context, levels

from conftest import FakeClock


def test_backoff_doubles_up_to_the_maximum_with_a_fifth_of_jitter() -> None:
    b = Backoff(1.0, 5.0, 4)
    for retry, base in ((1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0), (9, 5.0)):
        for _ in range(50):
            assert base * 0.8 <= b.delay(retry) <= base * 1.2
    assert b.next_delay(3) is not None
    assert b.next_delay(4) is None, "four calls in all"
    with pytest.raises(ValueError):
        Backoff(0, 1, 1)


def test_breaker_opens_after_failures_in_a_row_half_opens_after_the_delay_and_closes_on_success() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(3, 30.0, clock)  # type: ignore[arg-type]
    breaker.failed()
    breaker.failed()
    breaker.succeeded()  # a success in between resets the count
    breaker.failed()
    breaker.failed()
    assert breaker.state is State.CLOSED and breaker.allows()
    breaker.failed()
    assert breaker.state is State.OPEN and not breaker.allows()
    clock.now += 29.9
    assert not breaker.allows()
    clock.now += 0.2
    assert breaker.state is State.HALF_OPEN and breaker.allows()
    breaker.failed()  # one failure while half-open opens it again
    assert breaker.state is State.OPEN
    clock.now += 31
    assert breaker.allows()
    breaker.succeeded()
    assert breaker.state is State.CLOSED


def test_identity_is_kept_private_and_whole(tmp_path: Path) -> None:
    state = tmp_path / "state"
    Identity("b-1", "secret", 5000).save(state)
    file = state / "bot.json"
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert Identity.load(state) == Identity("b-1", "secret", 5000)
    assert json.loads(file.read_text()) == {"id": "b-1", "token": "secret", "heartbeatIntervalMs": 5000}, \
        "the Java SDK's file: either SDK resumes the other's identity"
    Identity("b-1", "newer", 1000).save(state)
    assert os.listdir(state) == ["bot.json"], "no temporary file left behind"
    file.write_text("{not json")
    with pytest.raises(RuntimeError, match="damaged"):
        Identity.load(state)
    Identity.forget(state)
    assert Identity.load(state) is None


def test_errors_sent_are_cut_to_two_thousand_characters() -> None:
    assert cut("short") == "short"
    long = cut("x" * 2500)
    assert long.startswith("x" * 2000) and long.endswith("... (500 more characters)")


def test_settings_are_checked_and_say_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="a handler for at least one job type"):
        Bot("http://localhost:1", "b").settings()
    with pytest.raises(ValueError, match=r"must start with http:// or https://.*concurrency between 1 and 100"):
        Bot("localhost:1", "b", concurrency=0, handlers={"echo": lambda ctx: None}).settings()
    with pytest.raises(ValueError, match=r"claim_wait of at most 30 s"):
        Bot("http://localhost:1", "b", claim_wait=60, handlers={"echo": lambda ctx: None}).settings()


def test_the_environment_configures_a_bot_as_it_does_the_java_echo_bot(tmp_path: Path) -> None:
    bot = Bot.from_env(handlers={"echo": lambda ctx: ctx.payload}, environ={
        "SHEPHERD_URL": "http://a:8080/, http://b:8080", "SHEPHERD_ENROLL_TOKEN": "enroll", "BOT_NAME": "py",
        "BOT_STATE_DIR": str(tmp_path), "BOT_CONCURRENCY": "8", "BOT_SHUTDOWN_GRACE_MS": "2500",
        "BOT_ON_DRAIN": "EXIT", "BOT_LABELS": "zone=eu, gpu=yes"})
    s = bot.settings()
    assert s.servers == ["http://a:8080", "http://b:8080"]
    assert (s.name, s.enroll_token, s.state_dir, s.concurrency) == ("py", "enroll", tmp_path, 8)
    assert s.shutdown_grace == 2.5 and s.on_drain is OnDrain.EXIT
    assert dict(s.labels) == {"zone": "eu", "gpu": "yes"}
    with pytest.raises(ValueError, match="BOT_CONCURRENCY must be a whole number"):
        Bot.from_env(handlers={"echo": lambda ctx: None}, environ={"BOT_CONCURRENCY": "many"})


def test_a_decorated_function_is_the_handler_of_its_type() -> None:
    bot = Bot("http://localhost:1", "b")

    @bot.handler("thumbnail")
    async def thumbnail(ctx: object) -> str:
        return "done"

    assert bot.settings().handlers == {"thumbnail": thumbnail}


def test_json_lines_carry_the_job_ids_also_from_a_handler_thread() -> None:
    out = io.StringIO()
    configure("json", stream=out)
    log = logging.getLogger("test.handler")
    with job_context("job-1", "corr-1"):
        log.info("in the handler")
        import contextvars
        context = contextvars.copy_context()
        t = threading.Thread(target=lambda: context.run(log.warning, "on a thread"))
        t.start()
        t.join()
    log.info("outside")
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0]["message"] == "in the handler" and lines[0]["correlationId"] == "corr-1"
    assert lines[0]["jobId"] == "job-1" and lines[0]["level"] == "INFO" and lines[0]["logger"] == "test.handler"
    assert lines[1]["level"] == "WARN" and lines[1]["correlationId"] == "corr-1"
    assert "correlationId" not in lines[2]
    assert set(lines[0]) >= {"time", "level", "logger", "thread", "message"}


def test_text_on_a_terminal_and_levels_per_logger(capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    configure("text", stream=out)
    levels("quiet.one=ERROR,broken,other=LOUD")
    logging.getLogger("quiet.one").warning("not shown")
    with job_context("j", "c-9"):
        logging.getLogger("shown").info("hello")
    assert "not shown" not in out.getvalue()
    assert "[c-9] shown: hello" in out.getvalue()
    assert "skipped 'broken'" in capsys.readouterr().err


def test_a_json_formatter_line_is_valid_json_even_for_odd_messages() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, 'quote " and \n newline', None, None)
    assert json.loads(JsonFormatter().format(record))["message"] == 'quote " and \n newline'


def test_with_structlog_a_handlers_structlog_lines_carry_the_job_ids_too() -> None:
    structlog = pytest.importorskip("structlog")
    out = io.StringIO()
    structlog.configure(processors=[structlog.contextvars.merge_contextvars, structlog.processors.JSONRenderer()],
                        logger_factory=structlog.PrintLoggerFactory(out))
    try:
        with job_context("job-7", "corr-7"):
            structlog.get_logger().info("thumbnail rendered", size=3)
        structlog.get_logger().info("outside")
    finally:
        structlog.reset_defaults()
    inside, outside = (json.loads(line) for line in out.getvalue().splitlines())
    assert inside == {"correlationId": "corr-7", "jobId": "job-7", "size": 3, "event": "thumbnail rendered"}
    assert "correlationId" not in outside


def test_without_structlog_the_ids_still_reach_stdlib_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    from shepherd_bot import _logging
    monkeypatch.setattr(_logging, "_structlog_contextvars", None)
    out = io.StringIO()
    configure("json", stream=out)
    with job_context("job-8", "corr-8"):
        logging.getLogger("plain").info("no structlog here")
    assert json.loads(out.getvalue())["correlationId"] == "corr-8"


def test_a_bot_run_off_the_main_thread_says_signals_are_not_its_and_stops_when_asked(
        caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    import asyncio
    bot = Bot("http://127.0.0.1:9", "off-main", state_dir=tmp_path, handlers={"echo": lambda ctx: None},
              start_backoff_max=1.0)
    phases: list[object] = []

    def run() -> None:
        async def main() -> None:
            task = asyncio.ensure_future(bot.run_async())
            await asyncio.sleep(0.2)  # waiting for a runtime that is not there
            await bot.stop()
            phases.append(await task)
        asyncio.run(main())

    caplog.set_level(logging.INFO)
    t = threading.Thread(target=run)
    t.start()
    t.join(10)
    assert [str(p) for p in phases] == ["Phase.STOPPED"]
    assert "Not stopping on SIGTERM" in caplog.text
    assert "No runtime ready at [http://127.0.0.1:9] yet" in caplog.text


async def test_a_blocked_event_loop_is_noticed_and_named(caplog: pytest.LogCaptureFixture) -> None:
    import asyncio
    import time

    from shepherd_bot._clock import SYSTEM
    from shepherd_bot._watch import LoopWatch

    watch = LoopWatch(SYSTEM, every=0.05, late=0.3)
    task = asyncio.ensure_future(watch.run())
    await asyncio.sleep(0.2)
    assert watch.blocked == 0, "a free loop is on time"
    time.sleep(0.6)  # what a blocking async handler does
    await asyncio.sleep(0.1)
    task.cancel()
    assert watch.blocked == 1
    assert re.search(r"The event loop was held up for \d+\.\d s", caplog.text), caplog.text
    assert "make blocking work a plain function" in caplog.text
