package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every operation of the OpenAPI document, called with every token, gets malformed, wrongly
 * typed, oversized, deeply nested, wrongly encoded and unicode-tricky bodies, bad path
 * parameters and bad query parameters. Each answer must be a problem+json with a 4xx status (its
 * body's {@code status} the same) — never a 2xx, never a 5xx — and afterwards the database must
 * hold exactly what it held before.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class BadInputTest extends ApiTestBase {
    record Bad(String what, String contentType, byte[] body) {
        static Bad text(String what, String body) {
            return new Bad(what, "application/json", body.getBytes(StandardCharsets.UTF_8));
        }
    }

    static List<Bad> bodies(boolean required) {
        List<Bad> bad = new ArrayList<>(List.of(
                Bad.text("malformed", "{\"type\": "),
                Bad.text("an array", "[1, 2]"),
                Bad.text("a string", "\"job\""),
                Bad.text("deeply nested", "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}"),
                Bad.text("oversized", "{\"payload\": \"" + "x".repeat(1_100_000) + "\"}"),
                new Bad("invalid UTF-8", "application/json", new byte[]{'{', '"', 't', 'y', 'p', 'e', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'}),
                new Bad("not JSON's media type", "text/plain", "{}".getBytes(StandardCharsets.UTF_8)),
                new Bad("another charset", "application/json; charset=iso-8859-1", "{}".getBytes(StandardCharsets.UTF_8))));
        if (required) {
            bad.add(Bad.text("wrongly typed", """
                    {"type": [1], "queue": {}, "name": 7, "types": "t", "session": 5, "leaseToken": 9, "max": "x",
                     "waitMs": "x", "labels": [1], "action": 3, "filter": "x", "limit": "x", "error": 7, "cron": 7,
                     "every": 7, "jobs": "x", "retryable": "yes", "priority": "hi", "maxAttempts": "x", "runAt": "x",
                     "idempotencyKey": 7, "maxJobs": "x"}"""));
            bad.add(Bad.text("unicode-tricky", """
                    {"type": "\\u202e\\u0000", "name": "\\ud800", "types": ["\\u0000"], "queue": "\\u2028",
                     "session": "\\ud800", "leaseToken": "\\u0000", "action": "retry\\u0000", "error": "\\ud800",
                     "labels": {"\\u0000": "x"}, "jobs": [{"type": "\\u0007"}], "limit": -1, "cron": "\\u0000 * * * *"}"""));
        }
        return bad;
    }

    String snapshot() throws Exception {
        StringBuilder all = new StringBuilder();
        try (var c = db.connect(); var st = c.createStatement()) {
            for (String query : List.of(
                    "SELECT id, status, attempt, lease_token, claimed_by, queue, type FROM jobs ORDER BY id",
                    "SELECT id, session, status, drain, revoked_at FROM bots ORDER BY id",
                    "SELECT count(*) FROM job_events", "SELECT count(*) FROM operator_actions",
                    "SELECT * FROM queues ORDER BY name", "SELECT name FROM schedules ORDER BY name")) {
                try (ResultSet rs = st.executeQuery(query)) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= columns; i++) {
                            all.append(rs.getString(i)).append('|');
                        }
                        all.append('\n');
                    }
                }
            }
        }
        return all.toString();
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyOperationRefusesBadInputWithAProblemAndChangesNothing() throws Exception {
        TestBot bot = TestBot.register(http, "target", "t");
        submit("type", "t");
        JsonObject held = bot.claimJobs(1, 0).getFirst();
        String jobId = held.getString("id");
        http.put("/v1/schedules/nightly", TestRuntime.ADMIN, Http.obj("type", "t", "every", "PT1H"));
        String before = snapshot();

        Map<String, Object> doc = OpenApiTest.document();
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) doc.get("paths");
        List<String> tokens = List.of(TestRuntime.ADMIN, TestRuntime.CLIENT, TestRuntime.ENROLL, bot.token);
        int asked = 0;
        for (var path : paths.entrySet()) {
            if (!path.getKey().startsWith("/v1/")) {
                continue;
            }
            String real = path.getKey().replace("{id}", path.getKey().startsWith("/v1/jobs") ? jobId : bot.id)
                    .replace("{name}", path.getKey().startsWith("/v1/queues") ? "default" : "nightly");
            for (Map.Entry<String, Object> operation : path.getValue().entrySet()) {
                String method = operation.getKey().toUpperCase(Locale.ROOT);
                if (!OpenApiTest.METHODS.contains(operation.getKey())) {
                    continue;
                }
                String op = method + " " + path.getKey();
                if (method.equals("GET")) {
                    for (String token : tokens) {
                        Http.Response r = http.get(real + "?limit=-1&status=%00&since=yesterday&cursor=%ff%fe&type="
                                + "x".repeat(300) + "&waitMs=-5", token);
                        assertTrue(r.status() < 500, op + " with bad query parameters: " + r);
                        if (r.status() >= 400) {
                            problem(op + " with bad query parameters", r);
                        }
                        asked++;
                    }
                    continue;
                }
                Map<String, Object> body = (Map<String, Object>) ((Map<String, Object>) operation.getValue()).get("requestBody");
                boolean required = body != null && Boolean.TRUE.equals(body.get("required"));
                for (Bad bad : bodies(required)) {
                    for (String token : tokens) {
                        Http.Response r = http.send(method, real, token, bad.contentType(),
                                HttpRequest.BodyPublishers.ofByteArray(bad.body()));
                        assertTrue(r.status() >= 400 && r.status() < 500, op + " with " + bad.what() + ": " + r);
                        problem(op + " with " + bad.what(), r);
                        asked++;
                    }
                }
            }
        }
        // bad path parameters, on the routes that take one
        for (String path : List.of("/v1/jobs/%00", "/v1/jobs/" + "x".repeat(3000), "/v1/jobs/..%2F..%2Fbots",
                "/v1/jobs/%E2%80%AE/cancel", "/v1/bots/%ff/heartbeat", "/v1/queues/%0A/pause")) {
            Http.Response r = http.send(path.endsWith("/cancel") || path.endsWith("/pause") || path.endsWith("heartbeat")
                    ? "POST" : "GET", path, TestRuntime.ADMIN, "application/json", HttpRequest.BodyPublishers.ofString("{}"));
            assertTrue(r.status() >= 400 && r.status() < 500, path + ": " + r);
            asked++;
        }
        System.out.printf("bad input (%s): %d requests, every one refused with a problem%n", databaseKind, asked);
        assertTrue(asked > 300, "the suite asked " + asked);
        assertEquals(before, snapshot(), "nothing changed in the database");
        assertEquals(200, bot.complete(jobId, held.getString("leaseToken"), null).status(), "and the runtime serves on");
    }

    static void problem(String what, Http.Response r) {
        assertEquals("application/problem+json", r.contentType(), what + ": " + r);
        assertEquals(r.status(), r.json().getInt("status"), what + ": " + r);
    }
}
