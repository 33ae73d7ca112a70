"""The runtime's HTTP API as a bot speaks it: one typed method per call, the paths and bodies in
this one place (the same calls as the Java SDK's ``RuntimeApi``). A 4xx answer is an answer,
returned typed, never retried."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from ._client import Response, RuntimeClient
from ._identity import Identity

CALL_TIMEOUT = 30.0
"""How long a call may wait for its answer, beyond a claim's own long poll."""
MAX_ERROR_CHARS = 2000
"""The longest error text sent: the runtime keeps a few kilobytes; the whole text belongs in the bot's log."""


@dataclass(frozen=True)
class Job:
    """A claimed job as the handler sees it."""
    id: str
    type: str
    queue: str
    payload: Any
    attempt: int


@dataclass(frozen=True)
class ClaimedJob:
    """A job claimed by this bot, the lease token that fences its report, and its correlation id."""
    job: Job
    lease_token: str
    correlation_id: str | None


@dataclass(frozen=True)
class Registered:
    identity: Identity
    session: str
    claim_wait: float | None = None
    """The runtime's longest long poll in seconds (``claimWaitMs``); None from a runtime that does not say, which
    does not count a poll as a heartbeat either."""


@dataclass(frozen=True)
class Opened:
    session: str
    released: list[str]
    claim_wait: float | None = None


@dataclass(frozen=True)
class Beat:
    """What a heartbeat learned: superseded (409), revoked (401), refused (other), or the answer."""
    superseded: str | None = None
    refused: str | None = None
    revoked: str | None = None
    cancel: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    drain: bool = False


@dataclass(frozen=True)
class Claimed:
    jobs: list[ClaimedJob] = field(default_factory=list)
    superseded: str | None = None
    refused: str | None = None
    revoked: str | None = None
    drain: bool = False
    """The runtime said an operator drained this bot."""


@dataclass(frozen=True)
class Reported:
    status: int
    detail: str

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300

    @property
    def job_gone(self) -> bool:
        """409, 403, 404: the job is no longer this bot's (released, recovered, re-claimed)."""
        return self.status in (409, 403, 404)


@dataclass(frozen=True)
class Report:
    """One job's outcome as ``/exchange`` carries it; ``size`` is about how many characters it adds to
    a request (its result or error dominates)."""
    claimed: ClaimedJob
    body: dict[str, Any]
    size: int

    @property
    def outcome(self) -> str:
        return str(self.body["outcome"])

    @staticmethod
    def complete(claimed: ClaimedJob, result: Any, result_chars: int) -> Report:
        return Report(claimed, {"jobId": claimed.job.id, "leaseToken": claimed.lease_token, "outcome": "complete",
                                "result": result}, 120 + result_chars)

    @staticmethod
    def fail(claimed: ClaimedJob, error: str, retryable: bool) -> Report:
        text = cut(error)
        return Report(claimed, {"jobId": claimed.job.id, "leaseToken": claimed.lease_token, "outcome": "fail",
                                "error": text, "retryable": retryable}, 120 + len(text))


@dataclass(frozen=True)
class Exchanged:
    """Each report's answer in the reports' order (None when the call was refused as a whole, so no
    report was looked at), and what the claim got."""
    answers: list[Reported] | None
    claimed: Claimed


class RegistrationRefused(RuntimeError):
    pass


class RuntimeApi:
    def __init__(self, client: RuntimeClient, bot_name: str) -> None:
        self.client = client
        self.bot_name = bot_name

    @property
    def servers(self) -> list[str]:
        return self.client.servers

    async def ready(self, server: str) -> bool:
        return await self.client.ready(server, self.correlation_id("ready"))

    async def register(self, enroll_token: str, types: list[str], labels: dict[str, str]) -> Registered:
        """``POST /v1/bots``, retried until a runtime answers; a refusal raises."""
        answer = await self.client.call_retrying("POST", "/v1/bots", enroll_token,
                                                 {"name": self.bot_name, "types": types, "labels": labels},
                                                 CALL_TIMEOUT, self.correlation_id("register"))
        if answer.status != 201:
            raise RegistrationRefused(f"Registration refused: HTTP {answer.status} {answer.detail}")
        body = answer.json()
        identity = Identity(str(body["bot"]["id"]), str(body["token"]), int(body["heartbeatIntervalMs"]))
        return Registered(identity, str(body["session"]), _claim_wait(body))

    async def open_session(self, identity: Identity) -> Opened | None:
        """``POST /v1/bots/{id}/sessions``; None when the runtime does not know this identity (401, 404)."""
        answer = await self.client.call_retrying("POST", f"/v1/bots/{identity.bot_id}/sessions", identity.token, {},
                                                 CALL_TIMEOUT, self.correlation_id("session"))
        if answer.status == 201:
            body = answer.json()
            return Opened(str(body["session"]), _strings(body, "released"), _claim_wait(body))
        if answer.status in (401, 404):
            return None
        raise RuntimeError(f"Could not open a session for bot {identity.bot_id}: HTTP {answer.status} {answer.detail}")

    async def heartbeat(self, identity: Identity, session: str, jobs: list[str], progress: dict[str, Any]) -> Beat:
        """``POST /v1/bots/{id}/heartbeat``, once (the next beat is the retry)."""
        answer = await self.client.call_once("POST", f"/v1/bots/{identity.bot_id}/heartbeat", identity.token,
                                             {"session": session, "jobs": jobs, "progress": progress}, 10.0,
                                             self.correlation_id("heartbeat"))
        if answer.status == 409:
            return Beat(superseded=answer.detail)
        if answer.status == 401:
            return Beat(revoked=answer.detail)
        if not answer.ok:
            return Beat(refused=f"HTTP {answer.status} {answer.detail}")
        body = answer.json()
        return Beat(cancel=_strings(body, "cancel"), lost=_strings(body, "lost"), drain=bool(body.get("drain", False)))

    async def claim(self, identity: Identity, session: str, max_jobs: int, wait: float) -> Claimed:
        """``POST /v1/bots/{id}/claim``: up to ``max_jobs``, waiting up to ``wait`` seconds for work."""
        answer = await self.client.call_retrying("POST", f"/v1/bots/{identity.bot_id}/claim", identity.token,
                                                 {"session": session, "max": max_jobs, "waitMs": int(wait * 1000)},
                                                 wait + 15, self.correlation_id("claim"))
        if answer.status == 204:
            return Claimed()
        if answer.status != 200:
            return _refused_claim(answer)
        return Claimed(jobs=_jobs(answer.json()))

    async def exchange(self, identity: Identity, session: str, reports: list[Report], max_jobs: int,
                       wait: float) -> Exchanged:
        """``POST /v1/bots/{id}/exchange``: the reports, and a claim of up to ``max_jobs`` waiting up to
        ``wait`` seconds (none when ``max_jobs`` is 0); retried while no runtime answers. A report sent
        again after its answer was lost is harmless: a repeated completion is accepted again."""
        body: dict[str, Any] = {"session": session, "reports": [r.body for r in reports]}
        if max_jobs > 0:
            body["max"] = max_jobs
            body["waitMs"] = int(wait * 1000)
        answer = await self.client.call_retrying("POST", f"/v1/bots/{identity.bot_id}/exchange", identity.token, body,
                                                 wait + 15 if max_jobs > 0 else CALL_TIMEOUT,
                                                 self.correlation_id("exchange" if reports else "claim"))
        parsed: dict[str, Any] = {}
        if answer.status in (200, 409):
            try:
                parsed = answer.json()
            except ValueError:
                parsed = {}
        listed = parsed.get("reports")
        answers = None if not isinstance(listed, list) else [
            Reported(int(a["status"]), str(a.get("detail", a.get("jobStatus", "")))) for a in listed]
        if answer.status == 200:
            return Exchanged(answers, Claimed(jobs=_jobs(parsed), drain=bool(parsed.get("drain", False))))
        return Exchanged(answers, _refused_claim(answer))

    async def release(self, identity: Identity, claimed: ClaimedJob, correlation_id: str) -> Reported:
        """``POST /v1/jobs/{id}/release``: gives the job back at once, the attempt not counted."""
        return await self._report(identity, claimed, "release", {"leaseToken": claimed.lease_token}, correlation_id)

    async def _report(self, identity: Identity, claimed: ClaimedJob, action: str, body: dict[str, Any],
                      correlation_id: str) -> Reported:
        answer = await self.client.call_retrying("POST", f"/v1/jobs/{claimed.job.id}/{action}", identity.token, body,
                                                 CALL_TIMEOUT, correlation_id)
        return Reported(answer.status, answer.detail)

    async def deregister(self, identity: Identity) -> Reported:
        """``DELETE /v1/bots/{id}``, once: the runtime takes back what the bot still holds, at once."""
        answer: Response = await self.client.call_once("DELETE", f"/v1/bots/{identity.bot_id}", identity.token, None,
                                                       5.0, self.correlation_id("deregister"))
        return Reported(answer.status, answer.detail)

    def job_correlation_id(self, job: Job) -> str:
        return f"{self.bot_name}-{job.id[:8]}-{_random()}"

    def correlation_id(self, what: str) -> str:
        return f"{self.bot_name}-{what}-{_random()}"


def cut(error: str) -> str:
    if len(error) <= MAX_ERROR_CHARS:
        return error
    return f"{error[:MAX_ERROR_CHARS]}... ({len(error) - MAX_ERROR_CHARS} more characters)"


def _jobs(body: dict[str, Any]) -> list[ClaimedJob]:
    return [ClaimedJob(Job(str(j["id"]), str(j["type"]), str(j["queue"]), j.get("payload"), int(j["attempt"])),
                       str(j["leaseToken"]), j.get("correlationId"))
            for j in body["jobs"]]


def _refused_claim(answer: Response) -> Claimed:
    """A claim that got no 200: superseded (409), revoked (401), or refused otherwise."""
    if answer.status == 409:
        return Claimed(superseded=answer.detail)
    if answer.status == 401:
        return Claimed(revoked=answer.detail)
    return Claimed(refused=f"HTTP {answer.status} {answer.detail}")


def _random() -> str:
    return uuid.uuid4().hex[:8]


def _strings(body: dict[str, Any], name: str) -> list[str]:
    value = body.get(name)
    return [str(v) for v in value] if isinstance(value, list) else []


def _claim_wait(body: dict[str, Any]) -> float | None:
    """The runtime's longest long poll in seconds, as it says (``claimWaitMs``); None from one that does not."""
    wait = body.get("claimWaitMs")
    return None if wait is None else int(wait) / 1000
