package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import io.shepherd.runtime.auth.Tokens;
import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** The operator's levers on bots — drain, undrain, revoke — and the record of who pulled them. */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class OperatorLeversTest extends ApiTestBase {
    static final String ADMIN_ACTOR = "admin:" + Tokens.fingerprint(TestRuntime.ADMIN);

    @Override
    Map<String, String> overrides() {
        return Map.of("recovery.enabled", "false");
    }

    JsonObject bot(TestBot bot) {
        return http.get("/v1/bots/" + bot.id, TestRuntime.ADMIN).json();
    }

    TestBot labelled(String name, String zone) {
        Http.Response r = http.post("/v1/bots", TestRuntime.ENROLL, Http.obj("name", name, "types", List.of("t"),
                "labels", Map.of("zone", zone)));
        assertEquals(201, r.status(), r.toString());
        return TestBot.of(http, r.json());
    }

    @Test
    void aDrainedBotIsToldByItsHeartbeatAndClaimsNothingUntilUndrained() {
        TestBot bot = runtime.registerBot("b", "t");
        submit("type", "t");
        Http.Response drained = http.post("/v1/bots/" + bot.id + "/drain", TestRuntime.ADMIN, Map.of());
        assertEquals(200, drained.status(), drained.toString());
        assertEquals("draining", drained.json().getString("status"));
        assertTrue(drained.json().getBoolean("drain"));

        assertTrue(bot.heartbeat().json().getBoolean("drain"));
        assertEquals(List.of(), bot.claimJobs(1, 0), "a drained bot is given no work");
        // a restart keeps the operator's wish
        assertEquals(201, bot.openSession().status());
        assertEquals("draining", bot(bot).getString("status"));
        assertTrue(bot.heartbeat().json().getBoolean("drain"));
        assertEquals(List.of(), bot.claimJobs(1, 0));

        assertEquals(200, http.post("/v1/bots/" + bot.id + "/undrain", TestRuntime.ADMIN, Map.of()).status());
        assertFalse(bot.heartbeat().json().getBoolean("drain"));
        assertEquals("idle", bot(bot).getString("status"));
        assertEquals(1, bot.claimJobs(1, 0).size());
    }

    @Test
    void aDrainBySelectorTakesEveryBotCarryingTheLabelsAndOnlyThose() {
        TestBot a1 = labelled("a1", "a");
        TestBot a2 = labelled("a2", "a");
        TestBot b1 = labelled("b1", "b");
        Http.Response r = http.post("/v1/bots/drain", TestRuntime.ADMIN, Http.obj("labels", Map.of("zone", "a")));
        assertEquals(200, r.status(), r.toString());
        assertEquals(List.of(a1.id, a2.id).stream().sorted().toList(), r.json().getJsonArray("bots")
                .getValuesAs(jakarta.json.JsonString.class).stream().map(jakarta.json.JsonString::getString).sorted()
                .toList());
        assertEquals("draining", bot(a1).getString("status"));
        assertEquals("idle", bot(b1).getString("status"));

        Http.Response everyone = http.post("/v1/bots/drain", TestRuntime.ADMIN, Map.of());
        assertEquals(400, everyone.status(), "an empty selector would drain the fleet: refused");
        assertEquals(400, http.post("/v1/bots/drain", TestRuntime.ADMIN, Http.obj("labels", Map.of("zone", 1))).status());
        assertEquals(403, http.post("/v1/bots/drain", TestRuntime.CLIENT, Http.obj("labels", Map.of("zone", "a")))
                .status());
        assertEquals(403, http.post("/v1/bots/" + a1.id + "/drain", a1.token, Map.of()).status(),
                "a bot cannot drain or undrain itself");

        assertEquals(200, http.post("/v1/bots/undrain", TestRuntime.ADMIN, Http.obj("labels", Map.of("zone", "a")))
                .status());
        assertEquals("idle", bot(a2).getString("status"));
    }

    @Test
    void aRevokedBotsTokenDiesAtOnceItsJobsComeBackAndItsRowStays() {
        TestBot bot = runtime.registerBot("b", "t");
        String id = submit("type", "t").getString("id");
        String leaseToken = bot.claimJobs(1, 0).getFirst().getString("leaseToken");
        assertEquals(200, bot.heartbeat().status()); // the token is known (and remembered) now

        Http.Response revoked = http.post("/v1/bots/" + bot.id + "/revoke", TestRuntime.ADMIN, Map.of());
        assertEquals(200, revoked.status(), revoked.toString());
        assertEquals(id, revoked.json().getJsonArray("released").getString(0));
        JsonObject job = http.get("/v1/jobs/" + id, TestRuntime.CLIENT).json();
        assertEquals("pending", job.getString("status"));
        assertEquals(0, job.getInt("attempt"), "the attempt was not the job's fault: not counted");

        assertEquals(401, bot.heartbeat().status(), "refused on its very next request");
        assertEquals(401, bot.openSession().status());
        assertEquals(401, bot.complete(id, leaseToken, Map.of()).status());
        assertEquals("revoked", bot(bot).getString("status"), "kept for the record");
        assertEquals(409, http.post("/v1/bots/" + bot.id + "/revoke", TestRuntime.ADMIN, Map.of()).status());
        assertEquals(409, http.post("/v1/bots/" + bot.id + "/drain", TestRuntime.ADMIN, Map.of()).status());
        assertEquals(404, http.post("/v1/bots/nobody/revoke", TestRuntime.ADMIN, Map.of()).status());

        TestBot again = runtime.registerBot("b", "t"); // enrolling again: a new identity
        assertNotEquals(bot.id, again.id);
        assertEquals(id, again.claimJobs(1, 0).getFirst().getString("id"));
    }

    @Test
    void aRevocationOnOneReplicaIsSeenOnAnotherWithinASecond() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(databaseKind.equals("postgres"), "replicas share PostgreSQL");
        try (TestRuntime other = TestRuntime.start(db, overrides(), clock())) {
            TestBot bot = runtime.registerBot("b", "t");
            Http there = other.http();
            assertEquals(200, there.get("/v1/bots/" + bot.id, bot.token).status()); // known there, and remembered
            assertEquals(200, http.post("/v1/bots/" + bot.id + "/revoke", TestRuntime.ADMIN, Map.of()).status());
            long revoked = System.nanoTime();
            while (there.get("/v1/bots/" + bot.id, bot.token).status() != 401) {
                assertTrue(System.nanoTime() - revoked < 2_000_000_000L, "still accepted 2 s after the revocation");
                Thread.sleep(20);
            }
            long tookMs = (System.nanoTime() - revoked) / 1_000_000;
            // a token is believed for a second without asking the database: the first request after that is refused
            assertTrue(tookMs <= 2000, "refused on the other replica after " + tookMs + " ms");
        }
    }

    @Test
    void everyActionIsRecordedWithWhoDidItNeverTheToken() {
        TestBot bot = runtime.registerBot("b", "t");
        String id = submit("type", "t").getString("id");
        http.post("/v1/bots/" + bot.id + "/drain", TestRuntime.ADMIN, Map.of());
        http.post("/v1/bots/" + bot.id + "/undrain", TestRuntime.ADMIN, Map.of());
        http.post("/v1/jobs/" + id + "/cancel", TestRuntime.CLIENT, Map.of());
        http.post("/v1/jobs/" + id + "/retry", TestRuntime.ADMIN, Map.of());
        http.post("/v1/bots/" + bot.id + "/revoke", TestRuntime.ADMIN, Map.of());

        assertEquals(403, http.get("/v1/admin/actions", TestRuntime.CLIENT).status());
        Http.Response r = http.get("/v1/admin/actions?limit=3", TestRuntime.ADMIN);
        assertEquals(200, r.status(), r.toString());
        List<JsonObject> page = r.json().getJsonArray("actions").getValuesAs(JsonObject.class);
        assertEquals(List.of("bot.revoke", "job.retry", "job.cancel"), page.stream().map(a -> a.getString("action"))
                .toList(), "newest first");
        assertEquals(ADMIN_ACTOR, page.getFirst().getString("actor"));
        assertEquals(bot.id, page.getFirst().getString("target"));
        assertEquals("client:" + Tokens.fingerprint(TestRuntime.CLIENT), page.get(2).getString("actor"));
        List<JsonObject> rest = http.get("/v1/admin/actions?limit=3&before=" + r.json().getString("next"),
                TestRuntime.ADMIN).json().getJsonArray("actions").getValuesAs(JsonObject.class);
        assertEquals(List.of("bot.undrain", "bot.drain"), rest.stream().map(a -> a.getString("action")).toList());
        assertFalse(r.body().contains(TestRuntime.ADMIN) || r.body().contains(TestRuntime.CLIENT), r.body());
        assertEquals(400, http.get("/v1/admin/actions?before=x", TestRuntime.ADMIN).status());
    }
}
