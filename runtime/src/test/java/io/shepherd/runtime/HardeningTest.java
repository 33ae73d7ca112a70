package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a hostile or careless client can no longer do: names with control characters, a bot
 * claiming types it did not register for, guessing tokens at speed, reading health details
 * without a token; and the answers that tell a client how to do it right (WWW-Authenticate, Allow).
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class HardeningTest extends ApiTestBase {
    @Override
    Map<String, String> overrides() {
        return Map.of("auth.failures-per-minute", "5");
    }

    long jobs() throws Exception {
        try (var c = db.connect(); var rs = c.createStatement().executeQuery("SELECT count(*) FROM jobs")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void namesAreIdentifiersAndKeysVisibleAscii() throws Exception {
        for (Object[] bad : List.of(
                new Object[]{"type", "send\u0000mail"}, new Object[]{"type", "a\nb"}, new Object[]{"type", "x".repeat(201)},
                new Object[]{"type", "\u202Eliam"}, new Object[]{"type", " leading-space"},
                new Object[]{"queue", "has space"}, new Object[]{"queue", "q\u0007"},
                new Object[]{"idempotencyKey", "key with space"}, new Object[]{"idempotencyKey", "cl\u00e9"})) {
            Object[] fields = bad[0].equals("type") ? new Object[]{"type", bad[1]} : new Object[]{"type", "t", bad[0], bad[1]};
            Http.Response r = http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj(fields));
            assertEquals(400, r.status(), bad[0] + "=" + bad[1] + ": " + r);
            assertEquals("application/problem+json", r.contentType());
            assertTrue(r.json().getString("detail").contains(bad[0].toString()), r.body());
            assertFalse(r.body().contains("\u0000"), "the bad value is not echoed raw");
        }
        assertEquals(0, jobs(), "nothing was stored");
        assertEquals(201, http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "reports.daily-v2/eu:1",
                "queue", "batch_2", "idempotencyKey", "order#42@shop/2026-11-29")).status(), "what is allowed is allowed");

        Http.Response botName = http.post("/v1/bots", TestRuntime.ENROLL, Http.obj("name", "evil\u001b[2J", "types", List.of("t")));
        assertEquals(400, botName.status(), botName.toString());
        Http.Response label = http.post("/v1/bots", TestRuntime.ENROLL, Http.obj("name", "b", "types", List.of("t"),
                "labels", Map.of("zone", 7)));
        assertEquals(400, label.status(), label.toString());
        Http.Response labelName = http.post("/v1/bots", TestRuntime.ENROLL, Http.obj("name", "b", "types", List.of("t"),
                "labels", Map.of("bad key", "a")));
        assertEquals(400, labelName.status(), labelName.toString());
        assertEquals(400, http.post("/v1/queues/bad%20name/pause", TestRuntime.ADMIN, null).status());
    }

    @Test
    void aBotClaimsOnlyTheTypesItRegisteredFor() {
        TestBot bot = TestBot.register(http, "narrow", "mine");
        submit("type", "secret", "payload", Map.of("card", "4111"));
        Http.Response r = http.post("/v1/bots/" + bot.id + "/claim", bot.token,
                Http.obj("session", bot.session, "max", 1, "waitMs", 0, "types", List.of("secret")));
        assertEquals(403, r.status(), r.toString());
        assertTrue(r.json().getString("detail").contains("secret"), r.body());
        Http.Response own = http.post("/v1/bots/" + bot.id + "/claim", bot.token,
                Http.obj("session", bot.session, "max", 1, "waitMs", 0, "types", List.of("mine")));
        assertEquals(204, own.status(), own.toString());
    }

    @Test
    void answersSayHowToDoItRight() {
        Http.Response unauthorized = http.get("/v1/jobs", null);
        assertEquals(401, unauthorized.status());
        assertEquals("Bearer realm=\"shepherd\"", unauthorized.header("WWW-Authenticate"));
        Http.Response wrongMethod = http.delete("/v1/jobs", TestRuntime.ADMIN);
        assertEquals(405, wrongMethod.status());
        assertEquals("GET, POST", wrongMethod.header("Allow"));
        assertEquals("application/problem+json", wrongMethod.contentType());
        assertEquals("POST", http.get("/v1/jobs/x/complete", TestRuntime.ADMIN).header("Allow"));
    }

    @Test
    void guessingTokensIsSlowedPerAddressWhileKnownCallersWorkOn() {
        TestBot bot = TestBot.register(http, "known", "t");
        assertEquals(200, bot.heartbeat().status(), "the bot's token is known before the guessing starts");
        for (int i = 0; i < 5; i++) {
            assertEquals(401, http.get("/v1/jobs", "shb_guess" + i).status());
        }
        Http.Response limited = http.get("/v1/jobs", "shb_guess-next");
        assertEquals(429, limited.status(), limited.toString());
        assertNotNull(limited.header("Retry-After"));
        assertEquals("application/problem+json", limited.contentType());
        assertEquals(200, http.get("/v1/jobs", TestRuntime.ADMIN).status(), "configured tokens still work");
        assertEquals(200, bot.heartbeat().status(), "a bot already known still works");
    }

    @Test
    void healthDetailsAreForCallersWithAToken() {
        JsonObject anonymous = http.get("/healthz", null).json().getJsonObject("checks");
        assertFalse(anonymous.isEmpty());
        anonymous.values().forEach(c -> assertFalse(c.asJsonObject().containsKey("details"), anonymous.toString()));
        JsonObject admin = http.get("/healthz", TestRuntime.ADMIN).json().getJsonObject("checks");
        assertTrue(admin.values().stream().anyMatch(c -> c.asJsonObject().containsKey("details")), admin.toString());
        Http.Response fresh = http.get("/healthz?fresh=true", null);
        assertEquals(401, fresh.status(), "running every check on demand needs a token");
        assertEquals(200, http.get("/ready", null).status(), "probes need none");
    }
}
