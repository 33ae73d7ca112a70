package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.util.Map;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** Every error status of API.md, each from the real bad request, as problem+json, losing nothing. */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class ErrorStatusTest extends ApiTestBase {

    @Override
    Map<String, String> overrides() {
        return Map.of("limits.max-body", "4096");
    }

    static void assertProblem(Http.Response r, int status) {
        assertEquals(status, r.status(), r.toString());
        assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
        JsonObject body = r.json();
        assertEquals(status, body.getInt("status"));
        assertNotNull(body.getString("title"));
        assertNotNull(body.getString("detail"));
        assertNotNull(body.getString("type"));
        assertTrue(!r.body().contains("\tat ") && !r.body().contains("Exception"), "no stack trace: " + r.body());
        assertNotNull(r.header("X-Correlation-ID"));
    }

    @Test
    void malformedJsonIs400() throws Exception {
        assertProblem(http.send("POST", "/v1/jobs", TestRuntime.CLIENT, "application/json",
                HttpRequest.BodyPublishers.ofString("{\"type\": ")), 400);
        assertProblem(http.send("POST", "/v1/jobs", TestRuntime.CLIENT, "application/json",
                HttpRequest.BodyPublishers.ofString("[1, 2]")), 400);
        assertEquals(0, count("SELECT COUNT(*) FROM jobs"));
    }

    @Test
    void missingWrongTypedAndOutOfRangeFieldsAre400() throws Exception {
        assertProblem(http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("payload", Http.obj())), 400);
        assertProblem(http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", 5)), 400);
        assertProblem(http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t", "priority", "high")), 400);
        assertProblem(http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t", "maxAttempts", 0)), 400);
        assertProblem(http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t", "runAt", "tomorrow")), 400);
        assertProblem(http.get("/v1/jobs?limit=501", TestRuntime.CLIENT), 400);
        assertProblem(http.get("/v1/jobs?status=lost", TestRuntime.CLIENT), 400);
        assertEquals(0, count("SELECT COUNT(*) FROM jobs"));

        TestBot bot = runtime.registerBot("b", "t");
        assertProblem(http.post("/v1/bots/" + bot.id + "/claim", bot.token,
                Http.obj("session", bot.session, "max", 101)), 400);
        assertProblem(http.post("/v1/bots/" + bot.id + "/claim", bot.token,
                Http.obj("session", bot.session, "waitMs", 30001)), 400);
        assertProblem(http.post("/v1/bots/" + bot.id + "/claim", bot.token, Http.obj("max", 1)), 400);
        assertProblem(http.post("/v1/bots", TestRuntime.ENROLL, Http.obj("name", "x", "types", java.util.List.of())), 400);
        assertProblem(http.post("/v1/bots/" + bot.id + "/heartbeat", bot.token,
                Http.obj("session", bot.session, "jobs", "job-1")), 400);
        assertProblem(http.post("/v1/bots/" + bot.id + "/heartbeat", bot.token,
                Http.obj("session", bot.session, "jobs", jakarta.json.Json.createArrayBuilder().add(1).add(2).build())), 400);
        assertProblem(http.post("/v1/bots/" + bot.id + "/heartbeat", bot.token, Http.obj("session", bot.session,
                "jobs", java.util.Collections.nCopies(1001, ""))), 400);
    }

    @Test
    void missingOrUnknownTokenIs401() throws Exception {
        assertProblem(http.post("/v1/jobs", null, Http.obj("type", "t")), 401);
        assertProblem(http.post("/v1/jobs", "not-a-token", Http.obj("type", "t")), 401);
        assertProblem(http.send(http.builder("/v1/jobs", null).header("Authorization", "Basic eDp5").GET()), 401);
        assertEquals(0, count("SELECT COUNT(*) FROM jobs"));
    }

    @Test
    void tokenOutsideItsRoleIs403() throws Exception {
        TestBot bot = runtime.registerBot("b", "t");
        assertProblem(http.post("/v1/jobs", bot.token, Http.obj("type", "t")), 403);
        assertProblem(http.post("/v1/jobs", TestRuntime.ENROLL, Http.obj("type", "t")), 403);
        assertProblem(http.post("/v1/bots", TestRuntime.CLIENT, Http.obj("name", "x", "types", java.util.List.of("t"))), 403);
        assertProblem(http.get("/v1/bots", TestRuntime.CLIENT), 403);
        assertProblem(http.get("/v1/bots", bot.token), 403);
        assertEquals(0, count("SELECT COUNT(*) FROM jobs"));
        assertEquals(1, count("SELECT COUNT(*) FROM bots"));
    }

    @Test
    void unknownIdIs404() {
        assertProblem(http.get("/v1/jobs/no-such-job", TestRuntime.CLIENT), 404);
        assertProblem(http.post("/v1/jobs/no-such-job/cancel", TestRuntime.CLIENT, null), 404);
        assertProblem(http.get("/v1/jobs/no-such-job/events", TestRuntime.CLIENT), 404);
        assertProblem(http.get("/v1/bots/no-such-bot", TestRuntime.ADMIN), 404);
        assertProblem(http.get("/v1/nothing-here", TestRuntime.ADMIN), 404);
    }

    @Test
    void wrongMethodIs405() {
        assertProblem(http.send("PUT", "/v1/jobs", TestRuntime.CLIENT, "application/json",
                HttpRequest.BodyPublishers.ofString("{}")), 405);
        assertProblem(http.delete("/v1/jobs/some-id", TestRuntime.CLIENT), 405);
        assertProblem(http.get("/v1/jobs/some-id/complete", TestRuntime.CLIENT), 405);
        assertProblem(http.get("/v1/bots/some-id/claim", TestRuntime.ADMIN), 405);
    }

    @Test
    void staleLeaseIs409() throws Exception {
        String id = submit("type", "t").getString("id");
        TestBot bot = runtime.registerBot("b", "t");
        bot.claimJobs(1, 0);
        assertProblem(bot.complete(id, "00000000-0000-0000-0000-000000000000", null), 409);
        assertEquals("claimed", row(id).get("status"));
    }

    @Test
    void bodyOverTheLimitIs413WhetherDeclaredOrStreamed() throws Exception {
        String big = "{\"type\":\"t\",\"payload\":\"" + "x".repeat(5000) + "\"}";
        assertProblem(http.post("/v1/jobs", TestRuntime.CLIENT, big), 413);
        // no Content-Length: sent chunked, so the limit is enforced while reading
        assertProblem(http.send("POST", "/v1/jobs", TestRuntime.CLIENT, "application/json",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes()))), 413);
        assertEquals(0, count("SELECT COUNT(*) FROM jobs"));
        assertEquals(201, http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t")).status());
    }

    @Test
    void bodyThatIsNotJsonIs415() throws Exception {
        assertProblem(http.send("POST", "/v1/jobs", TestRuntime.CLIENT, "text/plain",
                HttpRequest.BodyPublishers.ofString("type=t")), 415);
        assertProblem(http.send("POST", "/v1/jobs", TestRuntime.CLIENT, null,
                HttpRequest.BodyPublishers.ofString("{\"type\":\"t\"}")), 415);
        assertEquals(0, count("SELECT COUNT(*) FROM jobs"));
    }

    @Test
    void correlationIdIsEchoedOrMinted() {
        Http.Response own = http.send(http.builder("/v1/jobs/x", TestRuntime.CLIENT)
                .header("X-Correlation-ID", "trace-123").GET());
        assertEquals("trace-123", own.header("X-Correlation-ID"));
        Http.Response minted = http.get("/livez", null);
        assertEquals(200, minted.status());
        assertNotNull(minted.header("X-Correlation-ID"));
    }
}
