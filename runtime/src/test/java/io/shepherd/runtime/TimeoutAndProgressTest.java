package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
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
 * Jobs that cannot hang for ever, progress that is kept, and answers that stay bounded; on a
 * clock the test moves, one sweep at a time.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class TimeoutAndProgressTest extends MovedClockTestBase {
    @Override
    Map<String, String> overrides() {
        return Map.of("recovery.enabled", "false",
                "policies.slow.timeout", "PT20S",
                "limits.max-payload", "1024",
                "limits.max-result", "1024",
                "limits.max-error", "256",
                "limits.max-progress", "128");
    }

    void sweep() {
        runtime.server().recovery().runOnce();
    }

    List<String> reasons(String jobId) {
        return http.get("/v1/jobs/" + jobId + "/events", TestRuntime.CLIENT).json().getJsonArray("events")
                .getValuesAs(JsonObject.class).stream()
                .map(e -> e.getString("kind") + "/" + e.getString("reason", "")).toList();
    }

    @Test
    void aJobsTimeoutIsCappedByItsTypesAndShown() {
        assertEquals(20_000, submit("type", "slow").getInt("timeoutMs"), "the type's");
        assertEquals(20_000, submit("type", "slow", "timeoutMs", 60_000).getInt("timeoutMs"), "capped by the type's");
        assertEquals(5_000, submit("type", "slow", "timeoutMs", 5_000).getInt("timeoutMs"));
        assertEquals(7_000, submit("type", "free", "timeoutMs", 7_000).getInt("timeoutMs"), "a type without one");
        assertTrue(submit("type", "free").isNull("timeoutMs"), "no ceiling");
        Http.Response bad = http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "slow", "timeoutMs", 0));
        assertEquals(400, bad.status(), bad.toString());
        assertTrue(bad.json().getString("detail").contains("timeoutMs"), bad.toString());
    }

    @Test
    void anAttemptPastItsTimeoutIsTakenBackWhileItsBotHeartbeats() {
        TestBot bot = runtime.registerBot("b", "slow");
        String id = submit("type", "slow").getString("id");
        JsonObject claimed = bot.claimJobs(1, 0).getFirst();
        assertEquals(id, claimed.getString("id"));
        JsonObject shown = http.get("/v1/jobs/" + id, TestRuntime.CLIENT).json();
        assertEquals(Instant.parse(shown.getString("updatedAt")).plusSeconds(20).toString(), shown.getString("timeoutAt"));

        // the bot heartbeats every 5 s, naming the job: its lease never runs out
        for (int s = 5; s <= 15; s += 5) {
            clock.advance(Duration.ofSeconds(5));
            assertEquals(List.of(), bot.heartbeat(List.of(id)).json().getJsonArray("lost").getValuesAs(
                    jakarta.json.JsonString.class).stream().map(jakarta.json.JsonString::getString).toList());
            sweep();
            assertEquals("claimed", http.get("/v1/jobs/" + id, TestRuntime.CLIENT).json().getString("status"));
        }
        clock.advance(Duration.ofSeconds(6)); // 21 s after the claim
        assertEquals(1, runtime.server().recovery().runOnce().timedOut());
        JsonObject job = http.get("/v1/jobs/" + id, TestRuntime.CLIENT).json();
        assertEquals("pending", job.getString("status"), "its policy (backoff) requeued it");
        assertTrue(job.getString("lastError").contains("timed out"), job.toString());
        assertTrue(reasons(id).contains("requeued/timed-out"), reasons(id).toString());
        // the bot's next beat names it and is told it no longer holds it: the SDK stops the handler
        Http.Response beat = bot.heartbeat(List.of(id));
        assertEquals(id, beat.json().getJsonArray("lost").getString(0), beat.toString());
        assertEquals(409, bot.complete(id, claimed.getString("leaseToken"), Map.of()).status(), "the lease is void");
        assertEquals(1.0, MetricsTest.scrape(http).get("shepherd_orphaned_jobs_total{reason=\"timed-out\"}"));
    }

    @Test
    void progressIsKeptOnTheJobLatestWinsAndBounded() {
        TestBot bot = runtime.registerBot("b", "t");
        String first = submit("type", "t").getString("id");
        String second = submit("type", "t").getString("id");
        String id = bot.claimJobs(1, 0).getFirst().getString("id");
        String other = id.equals(first) ? second : first;
        assertTrue(http.get("/v1/jobs/" + id, TestRuntime.CLIENT).json().isNull("progress"));

        assertEquals(200, beat(bot, List.of(id), Map.of(id, Map.of("done", 3, "of", 10))).status());
        assertEquals(3, http.get("/v1/jobs/" + id, TestRuntime.CLIENT).json().getJsonObject("progress").getInt("done"));
        assertEquals(200, beat(bot, List.of(id), Map.of(id, Map.of("done", 7, "of", 10))).status());
        assertEquals(7, http.get("/v1/jobs/" + id, TestRuntime.CLIENT).json().getJsonObject("progress").getInt("done"));

        // a job it does not hold is left alone
        assertEquals(200, beat(bot, List.of(id), Map.of(other, Map.of("done", 1))).status());
        assertTrue(http.get("/v1/jobs/" + other, TestRuntime.CLIENT).json().isNull("progress"));

        // too large: 413, and nothing changes
        Http.Response big = beat(bot, List.of(id), Map.of(id, Map.of("log", "x".repeat(200))));
        assertEquals(413, big.status(), big.toString());
        assertTrue(big.json().getString("detail").contains("progress of job " + id), big.toString());
        assertEquals(7, http.get("/v1/jobs/" + id, TestRuntime.CLIENT).json().getJsonObject("progress").getInt("done"));
    }

    Http.Response beat(TestBot bot, List<String> jobs, Map<String, Object> progress) {
        return http.post("/v1/bots/" + bot.id + "/heartbeat", bot.token,
                Http.obj("session", bot.session, "jobs", jobs, "progress", progress));
    }

    @Test
    void payloadsResultsAndErrorsHaveLimitsAndListsLeaveTheLargeFieldsOut() throws Exception {
        Http.Response big = http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t", "payload",
                Map.of("blob", "x".repeat(2000))));
        assertEquals(413, big.status(), big.toString());
        assertTrue(big.json().getString("detail").contains("payload"), big.toString());
        assertEquals(0, count("SELECT COUNT(*) FROM jobs"), "nothing was stored");

        TestBot bot = runtime.registerBot("b", "t");
        String id = submit("type", "t", "payload", Map.of("n", 1)).getString("id");
        String leaseToken = bot.claimJobs(1, 0).getFirst().getString("leaseToken");
        Http.Response result = bot.complete(id, leaseToken, Map.of("blob", "y".repeat(2000)));
        assertEquals(413, result.status(), result.toString());
        assertEquals("claimed", http.get("/v1/jobs/" + id, TestRuntime.CLIENT).json().getString("status"),
                "the refused report changed nothing: the bot may still report");
        Http.Response error = bot.fail(id, leaseToken, "e".repeat(300), true);
        assertEquals(400, error.status(), error.toString());
        assertTrue(error.json().getString("detail").contains("error is 300 bytes"), error.toString());
        assertEquals(200, bot.complete(id, leaseToken, Map.of("ok", true)).status());

        JsonObject listed = http.get("/v1/jobs?limit=10", TestRuntime.CLIENT).json().getJsonArray("jobs")
                .getJsonObject(0);
        assertEquals(id, listed.getString("id"));
        assertTrue(!listed.containsKey("payload") && !listed.containsKey("result") && !listed.containsKey("progress"),
                listed.toString());
        JsonObject whole = http.get("/v1/jobs/" + id, TestRuntime.CLIENT).json();
        assertEquals(1, whole.getJsonObject("payload").getInt("n"));
        assertTrue(whole.getJsonObject("result").getBoolean("ok"));
    }

    @Test
    void aPageDeepIntoManyJobsIsReachedByCursor() {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 25; i++) {
            ids.add(submit("type", "t").getString("id"));
            clock.advance(Duration.ofMillis(1));
        }
        List<String> seen = new java.util.ArrayList<>();
        String next = null;
        do {
            JsonObject page = http.get("/v1/jobs?limit=10" + (next == null ? "" : "&after=" + next), TestRuntime.CLIENT)
                    .json();
            page.getJsonArray("jobs").getValuesAs(JsonObject.class).forEach(j -> seen.add(j.getString("id")));
            next = page.isNull("next") ? null : page.getString("next");
        } while (next != null);
        assertEquals(ids, seen);
    }
}
