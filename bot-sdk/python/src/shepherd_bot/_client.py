"""Every call to the runtime goes through here: a circuit breaker per runtime URL, failover to
the next URL when one cannot answer, and retries with backoff for the calls that must get
through. A 4xx answer is an answer, returned to the caller; only a failure to answer
(connection, timeout, 5xx) counts against a runtime."""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from yarl import URL

from ._backoff import Backoff
from ._breaker import CircuitBreaker, State
from ._clock import Clock

LOG = logging.getLogger("shepherd_bot.client")
CORRELATION_ID = "X-Correlation-ID"
_CACHED = 64
"""The most parsed URLs (and timeouts) kept."""
_K = TypeVar("_K")
_V = TypeVar("_V")


class ServerFailure(Exception):
    """No runtime could answer the call (every URL failed, or the retries ran out)."""


class _Unavailable(Exception):
    """A runtime answered 503 with Retry-After: alive, asking to be asked again shortly."""


class _Failed(Exception):
    """This runtime could not answer: counted against its circuit."""


@dataclass(frozen=True)
class Response:
    status: int
    text: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> dict[str, Any]:
        value = json.loads(self.text) if self.text else {}
        if not isinstance(value, dict):
            raise ValueError(f"expected a JSON object, got {self.text[:200]!r}")
        return value

    @property
    def detail(self) -> str:
        """The problem's detail (or title) when the body is problem+json, else the body."""
        try:
            body = self.json()
        except ValueError:
            return self.text
        detail = body.get("detail") or body.get("title")
        return str(detail) if detail is not None else self.text


@dataclass(frozen=True)
class ClientSettings:
    connect_timeout: float = 2.0
    breaker_failures: int = 5
    breaker_delay: float = 30.0
    retry_initial: float = 1.0
    retry_max: float = 60.0
    retry_calls: int = 10


class RuntimeClient:
    def __init__(self, servers: list[str], settings: ClientSettings, clock: Clock) -> None:
        if not servers:
            raise ValueError("at least one runtime URL is needed")
        self.servers = list(servers)
        self._settings = settings
        self._clock = clock
        self._breakers = {s: CircuitBreaker(settings.breaker_failures, settings.breaker_delay, clock) for s in servers}
        self._seen = {s: State.CLOSED for s in servers}
        self._retry = Backoff(settings.retry_initial, settings.retry_max, settings.retry_calls)
        self._preferred = 0
        self.last_good: str | None = None
        self.retries = 0
        self._http: aiohttp.ClientSession | None = None
        # parsed once, not for every call (aiohttp parses a URL given as text on each request)
        self._urls: dict[str, URL] = {}
        self._timeouts: dict[float, aiohttp.ClientTimeout] = {}

    async def __aenter__(self) -> RuntimeClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0, force_close=False),
                auto_decompress=True,
                # the runtime sets no cookies; a real jar would look at every request's host for them
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._http

    async def call_retrying(self, method: str, path: str, token: str | None, body: Any, timeout: float,
                            correlation_id: str) -> Response:
        """A call that must get through: retried with backoff across every runtime until the retries run out."""
        calls = 0
        while True:
            calls += 1
            try:
                return await self.call_once(method, path, token, body, timeout, correlation_id)
            except ServerFailure:
                delay = self._retry.next_delay(calls)
                if delay is None:
                    raise
                self.retries += 1
                await self._clock.sleep(delay)

    async def call_once(self, method: str, path: str, token: str | None, body: Any, timeout: float,
                        correlation_id: str) -> Response:
        """One pass over the runtimes, starting with the one that answered last."""
        failures: list[str] = []
        start = self._preferred
        for i in range(len(self.servers)):
            index = (start + i) % len(self.servers)
            server = self.servers[index]
            breaker = self._breakers[server]
            if not breaker.allows():
                failures.append(f"{server}: circuit open")
                continue
            try:
                response = await self._send(server, method, path, token, body, timeout, correlation_id)
            except _Unavailable as e:
                failures.append(f"{server}: {e}")
            except _Failed as e:
                breaker.failed()
                failures.append(f"{server}: {e}")
            else:
                breaker.succeeded()
                self._preferred = index
                self.last_good = server
                self.observe_circuits()
                return response
            self.observe_circuits()
        summary = f"{method} {path} failed on every runtime {failures} [{correlation_id}]"
        LOG.warning(summary)
        raise ServerFailure(summary)

    async def ready(self, server: str, correlation_id: str) -> bool:
        """Whether this runtime says it is ready; not counted against its circuit."""
        try:
            return (await self._send(server, "GET", "/ready", None, None, 5.0, correlation_id)).ok
        except (_Failed, _Unavailable):
            return False

    async def _send(self, server: str, method: str, path: str, token: str | None, body: Any, timeout: float,
                    correlation_id: str) -> Response:
        headers = {CORRELATION_ID: correlation_id}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        data: bytes | None = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body, separators=(",", ":")).encode()
        try:
            async with self._session().request(method, self._url(server + path), data=data, headers=headers,
                                               allow_redirects=False, timeout=self._timeout(timeout)) as answer:
                text = await answer.text(encoding="utf-8")
                if answer.status == 503 and "Retry-After" in answer.headers:
                    raise _Unavailable(f"HTTP 503, Retry-After {answer.headers['Retry-After']}")
                if answer.status >= 500:
                    raise _Failed(f"HTTP {answer.status}")
                return Response(answer.status, text)
        except (_Failed, _Unavailable):
            raise
        except asyncio.TimeoutError:
            raise _Failed(f"no answer within {timeout:g} s") from None
        except (aiohttp.ClientError, OSError, ValueError) as e:
            raise _Failed(f"{type(e).__name__}: {e}") from None

    def _url(self, text: str) -> URL:
        return _kept(self._urls, text, lambda: URL(text))

    def _timeout(self, total: float) -> aiohttp.ClientTimeout:
        return _kept(self._timeouts, total,
                     lambda: aiohttp.ClientTimeout(total=total, sock_connect=self._settings.connect_timeout))

    def observe_circuits(self) -> None:
        """Logs every circuit that changed state since it was last looked at."""
        for server, breaker in self._breakers.items():
            now = breaker.state
            before = self._seen[server]
            if now is not before:
                self._seen[server] = now
                level = logging.WARNING if now is State.OPEN else logging.INFO
                LOG.log(level, "Circuit to %s is %s (was %s)", server, now.value, before.value)

    def circuits(self) -> dict[str, str]:
        self.observe_circuits()
        return {server: breaker.state.value for server, breaker in self._breakers.items()}


def _kept(cache: dict[_K, _V], key: _K, make: Callable[[], _V]) -> _V:
    """The value kept for ``key``, made once; the cache starts over when full (job paths of a
    release come and go, a bot's own paths and timeouts stay)."""
    value = cache.get(key)
    if value is None:
        if len(cache) >= _CACHED:
            cache.clear()
        value = cache[key] = make()
    return value
