from __future__ import annotations

import logging
import socket

import pytest

from shepherd_bot import ServerFailure
from shepherd_bot._client import ClientSettings, RuntimeClient

from conftest import FakeClock, Stub


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def client(servers: list[str], clock: FakeClock, failures: int = 5, calls: int = 3) -> RuntimeClient:
    return RuntimeClient(servers, ClientSettings(connect_timeout=1.0, breaker_failures=failures, breaker_delay=30,
                                                 retry_initial=1, retry_max=4, retry_calls=calls), clock)  # type: ignore[arg-type]


async def test_fails_over_to_the_next_runtime_and_stays_with_the_one_that_answered(stub: Stub, stub2: Stub) -> None:
    stub.answer("/x", 500, {"title": "boom"})
    stub2.answer("/x", 200, {"ok": True})
    async with client([stub.url, stub2.url], FakeClock()) as c:
        first = await c.call_once("POST", "/x", "tok", {"a": 1}, 5, "corr-1")
        assert first.status == 200 and first.json() == {"ok": True}
        second = await c.call_once("POST", "/x", "tok", {"a": 1}, 5, "corr-2")
        assert second.status == 200
    assert stub.paths() == ["/x"], "the failed runtime is not asked again while the other answers"
    assert [call.headers["X-Correlation-ID"] for call in stub2.calls] == ["corr-1", "corr-2"]
    assert stub2.calls[0].headers["Authorization"] == "Bearer tok" and stub2.calls[0].body == {"a": 1}


async def test_a_4xx_is_an_answer_never_retried_and_its_problem_detail_is_read(stub: Stub) -> None:
    stub.answer("/jobs/1/complete", 409, {"title": "Conflict", "detail": "the lease is no longer yours"})
    clock = FakeClock()
    async with client([stub.url], clock) as c:
        answer = await c.call_retrying("POST", "/jobs/1/complete", "t", {}, 5, "c")
    assert answer.status == 409 and answer.detail == "the lease is no longer yours"
    assert len(stub.calls) == 1 and clock.slept == []


async def test_retries_with_backoff_until_the_calls_run_out(stub: Stub) -> None:
    stub.answer("/claim", 502, None)
    clock = FakeClock()
    async with client([stub.url, closed_port_url()], clock, failures=100, calls=3) as c:
        with pytest.raises(ServerFailure, match="failed on every runtime"):
            await c.call_retrying("POST", "/claim", "t", {}, 5, "c")
        assert c.retries == 2
    assert len(stub.calls) == 3
    assert 0.8 <= clock.slept[0] <= 1.2 and 1.6 <= clock.slept[1] <= 2.4


async def test_the_circuit_opens_after_failures_in_a_row_and_is_logged(stub: Stub,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    stub.answer("/x", 500, None)
    clock = FakeClock()
    caplog.set_level(logging.INFO)
    async with client([stub.url], clock, failures=2) as c:
        for _ in range(2):
            with pytest.raises(ServerFailure):
                await c.call_once("GET", "/x", None, None, 5, "c")
        assert c.circuits() == {stub.url: "OPEN"}
        with pytest.raises(ServerFailure, match="circuit open"):
            await c.call_once("GET", "/x", None, None, 5, "c")
        assert len(stub.calls) == 2, "an open circuit sends nothing"
        stub.answer("/x", 200, {})
        clock.now += 31
        assert (await c.call_once("GET", "/x", None, None, 5, "c")).ok
        assert c.circuits() == {stub.url: "CLOSED"}
    assert f"Circuit to {stub.url} is OPEN (was CLOSED)" in caplog.text


async def test_a_503_with_retry_after_is_not_held_against_the_runtime(stub: Stub) -> None:
    stub.answer("/x", 503, {"title": "database away"}, {"Retry-After": "1"})
    async with client([stub.url], FakeClock(), failures=1) as c:
        for _ in range(3):
            with pytest.raises(ServerFailure, match="Retry-After"):
                await c.call_once("GET", "/x", None, None, 5, "c")
        assert c.circuits() == {stub.url: "CLOSED"}


async def test_a_runtime_that_refuses_connections_is_a_failure_and_one_without_ready_is_not_ready(
        stub: Stub) -> None:
    async with client([closed_port_url()], FakeClock()) as c:
        with pytest.raises(ServerFailure, match="Cannot connect|ConnectionRefused|ClientConnectorError"):
            await c.call_once("GET", "/x", None, None, 0.5, "c")
        assert await c.ready(stub.url, "c") is False, "404 on /ready"
        stub.answer("/ready", 200, {"status": "UP"})
        assert await c.ready(stub.url, "c") is True
