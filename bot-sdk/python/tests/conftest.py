"""A recording HTTP server that stands in for a runtime in the SDK's unit tests. The SDK against
real runtimes is proven by the conformance suite (conformance/), which runs the same scenarios
against the Java and the Python echo bots."""
from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Stub:
    """Answers each path with a (status, body, headers) from ``routes``, or 404; records every call."""
    url: str = ""
    calls: list[Recorded] = field(default_factory=list)
    routes: dict[str, Callable[[Recorded], tuple[int, Any, dict[str, str]]]] = field(default_factory=dict)

    def answer(self, path: str, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        self.routes[path] = lambda _r: (status, body, headers or {})

    def paths(self) -> list[str]:
        return [c.path for c in self.calls]


async def _start(stub: Stub) -> web.AppRunner:
    async def handle(request: web.Request) -> web.Response:
        text = await request.text()
        recorded = Recorded(request.method, request.path, dict(request.headers), json.loads(text) if text else None)
        stub.calls.append(recorded)
        route = stub.routes.get(request.path)
        if route is None:
            return web.json_response({"title": "Not Found", "detail": "no route " + request.path}, status=404)
        status, body, headers = route(recorded)
        if body is None:
            return web.Response(status=status, headers=headers)
        return web.json_response(body, status=status, headers=headers)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    stub.url = f"http://127.0.0.1:{port}"
    return runner


@pytest.fixture
async def stub() -> AsyncIterator[Stub]:
    s = Stub()
    runner = await _start(s)
    yield s
    await runner.cleanup()


@pytest.fixture
async def stub2() -> AsyncIterator[Stub]:
    s = Stub()
    runner = await _start(s)
    yield s
    await runner.cleanup()


class FakeClock:
    """A clock the test moves: sleeps return at once and advance it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(0.0, seconds)
