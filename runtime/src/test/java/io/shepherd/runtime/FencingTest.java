package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
 * No job is held by a bot that no longer works on it, and no stale bot can finish a job: every
 * refusal leaves the database exactly as it was.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class FencingTest extends ApiTestBase {

    @Test
    void staleLeaseTokenIsRejectedAndTheJobIsUntouched() throws Exception {
        String id = submit("type", "t").getString("id");
        TestBot bot = runtime.registerBot("b", "t");
        JsonObject first = bot.claimJobs(1, 0).getFirst();
        bot.release(id, first.getString("leaseToken"));
        JsonObject second = bot.claimJobs(1, 0).getFirst();
        Map<String, Object> before = row(id);

        for (Http.Response r : List.of(
                bot.complete(id, first.getString("leaseToken"), Http.obj("stale", true)),
                bot.fail(id, first.getString("leaseToken"), "stale", true),
                bot.release(id, first.getString("leaseToken")))) {
            assertEquals(409, r.status(), r.toString());
            assertTrue(r.contentType().startsWith("application/problem+json"));
        }
        assertEquals(before, row(id));
        assertEquals(second.getString("leaseToken"), row(id).get("lease_token"));
        assertEquals(3, count("SELECT COUNT(*) FROM job_events WHERE job_id = ? AND kind = 'refused'", id),
                "each refused attempt is on the audit trail");
        assertEquals(200, bot.complete(id, second.getString("leaseToken"), null).status());
    }

    @Test
    void newSessionReleasesEveryHeldJobAtOnceAndSupersedesTheOldOne() throws Exception {
        String a = submit("type", "t").getString("id");
        String b = submit("type", "t").getString("id");
        TestBot bot = runtime.registerBot("b", "t");
        String oldSession = bot.session;
        List<JsonObject> held = bot.claimJobs(2, 0);
        assertEquals(2, held.size());

        // the process "restarts": same identity, new session
        Http.Response opened = bot.openSession();
        assertEquals(201, opened.status(), opened.toString());
        assertEquals(java.util.Set.of(a, b), new java.util.HashSet<>(JobLifecycleTest.strings(opened.json(), "released")));
        for (String id : List.of(a, b)) {
            Map<String, Object> r = row(id);
            assertEquals("pending", r.get("status"));
            assertNull(r.get("claimed_by"));
            assertNull(r.get("lease_token"));
            List<JsonObject> events = http.get("/v1/jobs/" + id + "/events", TestRuntime.CLIENT).json()
                    .getJsonArray("events").getValuesAs(JsonObject.class);
            assertEquals("released", events.getLast().getString("kind"));
            assertEquals("bot-restarted", events.getLast().getString("reason"));
        }

        // the old process, still running, learns it was superseded and can finish nothing
        assertEquals(409, bot.heartbeat(oldSession).status());
        assertEquals(409, bot.claimWithSession(oldSession, 1).status());
        Map<String, Object> before = row(a);
        assertEquals(409, bot.complete(a, held.getFirst().getString("leaseToken"), null).status());
        assertEquals(before, row(a));

        // the new session works
        assertEquals(200, bot.heartbeat().status());
        assertEquals(2, bot.claimJobs(2, 0).size());
    }

    @Test
    void heartbeatExtendsEveryLeaseTheBotHolds() throws Exception {
        submit("type", "t");
        submit("type", "t");
        TestBot bot = runtime.registerBot("b", "t");
        List<JsonObject> held = bot.claimJobs(2, 0);
        long before = ((Number) row(held.get(0).getString("id")).get("lease_expires_at")).longValue();
        Thread.sleep(20);
        Http.Response beat = bot.heartbeat();
        assertEquals(200, beat.status());
        long promised = java.time.Instant.parse(beat.json().getString("leaseExpiresAt")).toEpochMilli();
        for (JsonObject job : held) {
            long now = ((Number) row(job.getString("id")).get("lease_expires_at")).longValue();
            assertTrue(now > before, "lease extended");
            assertEquals(promised, now);
        }
    }

    @Test
    void anotherBotsTokenIsForbiddenAndTheJobIsUntouched() throws Exception {
        String id = submit("type", "t").getString("id");
        TestBot owner = runtime.registerBot("owner", "t");
        TestBot other = runtime.registerBot("other", "t");
        JsonObject c = owner.claimJobs(1, 0).getFirst();
        Map<String, Object> before = row(id);

        // even holding the owner's lease token, another bot may not finish its job
        assertEquals(403, other.complete(id, c.getString("leaseToken"), null).status());
        assertEquals(403, other.fail(id, c.getString("leaseToken"), "x", false).status());
        assertEquals(403, other.release(id, c.getString("leaseToken")).status());
        // nor act on the other bot itself
        assertEquals(403, http.post("/v1/bots/" + owner.id + "/heartbeat", other.token,
                Http.obj("session", owner.session)).status());
        assertEquals(403, http.post("/v1/bots/" + owner.id + "/claim", other.token,
                Http.obj("session", owner.session)).status());
        assertEquals(403, http.post("/v1/bots/" + owner.id + "/reset", other.token, null).status());
        assertEquals(403, http.post("/v1/bots/" + owner.id + "/sessions", other.token, null).status());
        assertEquals(403, http.delete("/v1/bots/" + owner.id, other.token).status());
        assertEquals(403, http.get("/v1/bots/" + owner.id, other.token).status());
        assertEquals(before, row(id));
        assertEquals(200, owner.complete(id, c.getString("leaseToken"), null).status());
    }

    @Test
    void resetReleasesWhatTheBotHoldsAndCountsTheAttempt() throws Exception {
        String id = submit("type", "t").getString("id");
        TestBot bot = runtime.registerBot("b", "t");
        JsonObject c = bot.claimJobs(1, 0).getFirst();
        Http.Response reset = http.post("/v1/bots/" + bot.id + "/reset", TestRuntime.ADMIN, null);
        assertEquals(200, reset.status(), reset.toString());
        assertEquals(List.of(id), JobLifecycleTest.strings(reset.json(), "released"));
        assertEquals("pending", row(id).get("status"));
        assertEquals(1, ((Number) row(id).get("attempt")).intValue());
        assertEquals(409, bot.complete(id, c.getString("leaseToken"), null).status());
        JsonObject again = bot.claimJobs(1, 0).getFirst();
        assertEquals(2, again.getInt("attempt"));
        List<JsonObject> events = http.get("/v1/jobs/" + id + "/events", TestRuntime.CLIENT).json()
                .getJsonArray("events").getValuesAs(JsonObject.class);
        assertTrue(events.stream().anyMatch(e -> "bot-reset".equals(e.getString("reason"))));
    }

    @Test
    void aJobThatOutlivesItsAttemptsThroughRestartsIsDeadNotHandedOutForever() throws Exception {
        String id = submit("type", "t", "maxAttempts", 2).getString("id");
        TestBot bot = runtime.registerBot("b", "t");
        bot.claimJobs(1, 0);
        bot.openSession(); // the job "crashed" the bot: attempt 1 spent
        assertEquals("pending", row(id).get("status"));
        bot.claimJobs(1, 0);
        Http.Response opened = bot.openSession(); // and again: no attempts left
        assertEquals(List.of(id), JobLifecycleTest.strings(opened.json(), "released"));
        assertEquals("dead", row(id).get("status"));
        List<JsonObject> events = http.get("/v1/jobs/" + id + "/events", TestRuntime.CLIENT).json()
                .getJsonArray("events").getValuesAs(JsonObject.class);
        assertEquals("dead-lettered", events.getLast().getString("kind"));
        assertEquals("bot-restarted", events.getLast().getString("reason"));
        assertEquals(204, bot.claim(1, 0).status());
    }

    @Test
    void deregisteredBotGoesOfflineAndItsJobsComeBack() throws Exception {
        String id = submit("type", "t").getString("id");
        TestBot bot = runtime.registerBot("b", "t");
        bot.claimJobs(1, 0);
        assertEquals(204, bot.deregister().status());
        assertEquals("pending", row(id).get("status"));
        assertEquals(0, ((Number) row(id).get("attempt")).intValue(), "a graceful leave spends no attempt");
        assertEquals("offline", http.get("/v1/bots/" + bot.id, TestRuntime.ADMIN).json().getString("status"));
        assertEquals(409, bot.heartbeat().status());
        List<JsonObject> events = http.get("/v1/jobs/" + id + "/events", TestRuntime.CLIENT).json()
                .getJsonArray("events").getValuesAs(JsonObject.class);
        assertEquals("deregistered", events.getLast().getString("reason"));

        // a restarted process with the same identity comes back to work
        assertEquals(201, bot.openSession().status());
        assertEquals("idle", http.get("/v1/bots/" + bot.id, bot.token).json().getString("status"));
        assertEquals(1, bot.claimJobs(1, 0).size());
    }

    @Test
    void aBotsCurrentJobsAreDerivedFromTheJobsTable() throws Exception {
        String id = submit("type", "t").getString("id");
        TestBot bot = runtime.registerBot("b", "t");
        JsonObject c = bot.claimJobs(1, 0).getFirst();
        assertEquals(List.of(id), JobLifecycleTest.strings(http.get("/v1/bots/" + bot.id, bot.token).json(), "jobs"));
        bot.complete(id, c.getString("leaseToken"), null);
        assertEquals(List.of(), JobLifecycleTest.strings(http.get("/v1/bots/" + bot.id, bot.token).json(), "jobs"));
        assertEquals(0, count("SELECT COUNT(*) FROM jobs WHERE claimed_by = ? AND status = 'claimed'", bot.id));
    }
}
