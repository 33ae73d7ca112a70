package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.core.JobStatus;
import io.shepherd.runtime.recovery.PruneFinished;
import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Retention, one run at a time on a clock the test moves: finished jobs go with their events
 * after their status' period (or their type's), departed bots with their tokens, in batches; a
 * live job or a bot that holds one is never touched.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class RetentionTest extends MovedClockTestBase {
    @Override
    Map<String, String> overrides() {
        return Map.of("recovery.enabled", "false",
                "retention.batch", "7",
                "policies.keep.retention.completed", "P30D",
                "policies.brief.retention.completed", "PT1H",
                "policies.forever.retention.dead", "0");
    }

    PruneFinished.Pruned prune() {
        return runtime.server().recovery().pruneOnce();
    }

    void advance(Duration d) {
        clock.advance(d);
    }

    /** A job of this type that a bot completed. */
    String completed(TestBot bot, String type) {
        String id = submit("type", type).getString("id");
        JsonObject claimed = bot.claimJobs(1, 0).getFirst();
        assertEquals(200, bot.complete(id, claimed.getString("leaseToken"), Map.of("ok", true)).status());
        return id;
    }

    String dead(TestBot bot, String type) {
        String id = submit("type", type).getString("id");
        JsonObject claimed = bot.claimJobs(1, 0).getFirst();
        assertEquals(200, bot.fail(id, claimed.getString("leaseToken"), "bad input", false).status());
        return id;
    }

    String cancelled(String type) {
        String id = submit("type", type).getString("id");
        assertEquals(200, http.post("/v1/jobs/" + id + "/cancel", TestRuntime.CLIENT, Map.of()).status());
        return id;
    }

    boolean exists(String jobId) {
        return http.get("/v1/jobs/" + jobId, TestRuntime.CLIENT).status() == 200;
    }

    long events(String jobId) throws Exception {
        return count("SELECT COUNT(*) FROM job_events WHERE job_id = ?", jobId);
    }

    @Test
    void finishedJobsGoWithTheirEventsAfterTheirStatusPeriod() throws Exception {
        TestBot bot = runtime.registerBot("b", "t");
        List<String> done = new ArrayList<>();
        for (int i = 0; i < 20; i++) { // more than two batches of 7
            done.add(completed(bot, "t"));
        }
        String cancelled = cancelled("t");
        String dead = dead(bot, "t");
        String pending = submit("type", "t").getString("id");
        String held = submit("type", "other").getString("id");
        TestBot other = runtime.registerBot("o", "other");
        other.claimJobs(1, 0);
        assertTrue(events(done.getFirst()) >= 3, "submitted, claimed, completed");

        advance(Duration.ofHours(23));
        assertEquals(0, prune().jobCount(), "nothing is a day old yet");

        advance(Duration.ofHours(2));
        PruneFinished.Pruned pruned = prune();
        assertEquals(20, pruned.jobs().get(JobStatus.COMPLETED));
        assertEquals(1, pruned.jobs().get(JobStatus.CANCELLED));
        assertEquals(0, pruned.jobs().get(JobStatus.DEAD), "dead jobs stay 14 days");
        for (String id : done) {
            assertTrue(!exists(id), id);
            assertEquals(0, events(id), "its events went with it");
        }
        assertTrue(!exists(cancelled));
        assertTrue(exists(dead) && exists(pending) && exists(held), "dead, pending and claimed jobs stay");
        assertEquals("claimed", http.get("/v1/jobs/" + held, TestRuntime.CLIENT).json().getString("status"));

        advance(Duration.ofDays(14));
        assertEquals(1, prune().jobs().get(JobStatus.DEAD));
        assertTrue(!exists(dead));
        assertTrue(exists(pending) && exists(held), "a live job is never pruned, however old");

        Map<String, Double> metrics = MetricsTest.scrape(http);
        assertEquals(20.0, metrics.get("shepherd_pruned_jobs_total{status=\"completed\"}"), metrics.toString());
        assertEquals(1.0, metrics.get("shepherd_pruned_jobs_total{status=\"dead\"}"), metrics.toString());
    }

    @Test
    void aJobTypeKeepsItsOwnPeriodAndZeroKeepsForEver() {
        TestBot bot = runtime.registerBot("b", "keep", "brief", "plain", "forever");
        String keep = completed(bot, "keep");
        String brief = completed(bot, "brief");
        String plain = completed(bot, "plain");
        String forever = dead(bot, "forever");

        advance(Duration.ofHours(2));
        prune();
        assertTrue(!exists(brief), "brief: completed kept 1 hour");
        assertTrue(exists(keep) && exists(plain));

        advance(Duration.ofDays(2));
        prune();
        assertTrue(!exists(plain), "the default: 1 day");
        assertTrue(exists(keep), "keep: 30 days");

        advance(Duration.ofDays(400));
        prune();
        assertTrue(!exists(keep));
        assertTrue(exists(forever), "forever: dead jobs kept for ever (retention 0)");
    }

    @Test
    void aJobRetriedAfterItDiedStaysWithItsHistory() throws Exception {
        TestBot bot = runtime.registerBot("b", "t");
        String id = dead(bot, "t");
        advance(Duration.ofDays(15));
        assertEquals(200, http.post("/v1/jobs/" + id + "/retry", TestRuntime.ADMIN, Map.of()).status());
        assertEquals(0, prune().jobCount());
        assertTrue(exists(id));
        assertTrue(events(id) >= 4, "its whole history is kept while it lives");
    }

    @Test
    void departedBotsGoWithTheirTokensButNotWhileTheyHoldWork() {
        TestBot left = runtime.registerBot("left", "t");
        TestBot holder = runtime.registerBot("holder", "t");
        TestBot live = runtime.registerBot("live", "t");
        assertEquals(204, left.deregister().status());
        submit("type", "t");
        assertEquals(1, holder.claimJobs(1, 0).size());

        advance(Duration.ofDays(8));
        assertEquals(200, live.heartbeat().status());
        runtime.server().recovery().runOnce(); // holder's lease ran out long ago: its job is rescued...
        assertEquals(0, count("holder"), "...so it holds nothing and has been silent 8 days: lost");
        PruneFinished.Pruned pruned = prune();
        assertEquals(2, pruned.bots(), "the deregistered and the lost bot");
        assertEquals(404, http.get("/v1/bots/" + left.id, TestRuntime.ADMIN).status());
        assertEquals(404, http.get("/v1/bots/" + holder.id, TestRuntime.ADMIN).status());
        assertEquals(401, left.openSession().status(), "its token died with it");
        assertEquals(200, http.get("/v1/bots/" + live.id, TestRuntime.ADMIN).status(), "a live bot stays");
        assertEquals(2.0, MetricsTest.scrape(http).get("shepherd_pruned_bots_total"));
    }

    private long count(String botName) {
        return http.get("/v1/bots", TestRuntime.ADMIN).json().getJsonArray("bots").getValuesAs(JsonObject.class)
                .stream().filter(b -> b.getString("name").equals(botName)).mapToLong(b -> b.getJsonArray("jobs").size())
                .sum();
    }

    @Test
    void anAdminRunsRetentionNowAndAClientMayNot() {
        TestBot bot = runtime.registerBot("b", "t");
        completed(bot, "t");
        advance(Duration.ofDays(2));
        assertEquals(403, http.post("/v1/admin/recovery/prune", TestRuntime.CLIENT, Map.of()).status());
        Http.Response r = http.post("/v1/admin/recovery/prune", TestRuntime.ADMIN, Map.of());
        assertEquals(200, r.status(), r.toString());
        assertEquals(1, r.json().getJsonObject("jobs").getInt("completed"));
    }
}
