package io.shepherd.runtime.testing;

import java.util.List;

import jakarta.json.JsonObject;

/** A bot driven by hand over the real API: register, then claim, heartbeat and finish jobs. */
public final class TestBot {
    private final Http http;
    public final String id;
    public final String token;
    public volatile String session;

    private TestBot(Http http, String id, String token, String session) {
        this.http = http;
        this.id = id;
        this.token = token;
        this.session = session;
    }

    public static TestBot register(Http http, String name, String... types) {
        Http.Response r = http.post("/v1/bots", TestRuntime.ENROLL, Http.obj("name", name, "types", List.of(types)));
        if (r.status() != 201) {
            throw new AssertionError("register failed: " + r);
        }
        return of(http, r.json());
    }

    /** The bot a registration's answer describes. */
    public static TestBot of(Http http, JsonObject registered) {
        return new TestBot(http, registered.getJsonObject("bot").getString("id"), registered.getString("token"),
                registered.getString("session"));
    }

    public Http.Response claim(int max, long waitMs) {
        return http.post("/v1/bots/" + id + "/claim", token, Http.obj("session", session, "max", max, "waitMs", waitMs));
    }

    /** An exchange with no reports asking for one job, waiting up to {@code waitMs}: an idle SDK bot's long poll. */
    public Http.Response poll(long waitMs) {
        return http.post("/v1/bots/" + id + "/exchange", token, Http.obj("session", session, "max", 1, "waitMs", waitMs));
    }

    public Http.Response claimWithSession(String session, int max) {
        return http.post("/v1/bots/" + id + "/claim", token, Http.obj("session", session, "max", max));
    }

    /** Claims and returns the claimed jobs (empty when the answer was 204). */
    public List<JsonObject> claimJobs(int max, long waitMs) {
        Http.Response r = claim(max, waitMs);
        if (r.status() == 204) {
            return List.of();
        }
        if (r.status() != 200) {
            throw new AssertionError("claim failed: " + r);
        }
        return r.json().getJsonArray("jobs").getValuesAs(JsonObject.class);
    }

    public Http.Response heartbeat() {
        return http.post("/v1/bots/" + id + "/heartbeat", token, Http.obj("session", session));
    }

    /** A heartbeat naming the jobs this bot works on: only their leases are extended. */
    public Http.Response heartbeat(List<String> jobs) {
        return http.post("/v1/bots/" + id + "/heartbeat", token, Http.obj("session", session, "jobs", jobs));
    }

    public Http.Response heartbeat(String session) {
        return http.post("/v1/bots/" + id + "/heartbeat", token, Http.obj("session", session));
    }

    public Http.Response openSession() {
        Http.Response r = http.post("/v1/bots/" + id + "/sessions", token, null);
        if (r.status() == 201) {
            session = r.json().getString("session");
        }
        return r;
    }

    public Http.Response complete(String jobId, String leaseToken, Object result) {
        return http.post("/v1/jobs/" + jobId + "/complete", token, result == null
                ? Http.obj("leaseToken", leaseToken)
                : Http.obj("leaseToken", leaseToken, "result", result));
    }

    public Http.Response fail(String jobId, String leaseToken, String error, boolean retryable) {
        return http.post("/v1/jobs/" + jobId + "/fail", token,
                Http.obj("leaseToken", leaseToken, "error", error, "retryable", retryable));
    }

    public Http.Response release(String jobId, String leaseToken) {
        return http.post("/v1/jobs/" + jobId + "/release", token, Http.obj("leaseToken", leaseToken));
    }

    public Http.Response reset() {
        return http.post("/v1/bots/" + id + "/reset", token, null);
    }

    public Http.Response deregister() {
        return http.delete("/v1/bots/" + id, token);
    }
}
