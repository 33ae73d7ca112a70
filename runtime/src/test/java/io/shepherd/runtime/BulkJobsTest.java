package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** Bulk retry, cancel and delete by filter: in batches, counted, recorded once. */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class BulkJobsTest extends MovedClockTestBase {
    @Override
    Map<String, String> overrides() {
        return Map.of("recovery.enabled", "false");
    }

    Http.Response bulk(String token, String action, Object... filter) {
        return http.post("/v1/jobs/bulk", token, Http.obj("action", action, "filter", Http.obj(filter)));
    }

    /** Jobs of this type that died of this error. */
    List<String> died(TestBot bot, String type, String error, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = submit("type", type).getString("id");
            JsonObject claimed = bot.claimJobs(1, 0).getFirst();
            assertEquals(200, bot.fail(claimed.getString("id"), claimed.getString("leaseToken"), error, false).status());
            ids.add(id);
        }
        return ids;
    }

    @Test
    void retryEveryJobThatDiedOfAnErrorSinceATime() {
        TestBot bot = runtime.registerBot("b", "t", "u");
        List<String> old = died(bot, "t", "connection timeout", 3);
        clock.advance(Duration.ofDays(1));
        Instant since = clock.instant();
        List<String> recent = died(bot, "t", "connection timeout", 520); // more than one batch of 500
        List<String> other = died(bot, "t", "bad input", 2);
        List<String> otherType = died(bot, "u", "connection timeout", 2);

        Http.Response r = bulk(TestRuntime.ADMIN, "retry", "status", "dead", "type", "t", "error", "timeout",
                "since", since.toString());
        assertEquals(200, r.status(), r.toString());
        assertEquals(520, r.json().getInt("touched"));
        for (String id : List.of(recent.getFirst(), recent.getLast())) {
            JsonObject job = http.get("/v1/jobs/" + id, TestRuntime.CLIENT).json();
            assertEquals("pending", job.getString("status"));
            assertEquals(0, job.getInt("attempt"));
        }
        for (String id : List.of(old.getFirst(), other.getFirst(), otherType.getFirst())) {
            assertEquals("dead", http.get("/v1/jobs/" + id, TestRuntime.CLIENT).json().getString("status"), id);
        }
        List<JsonObject> actions = http.get("/v1/admin/actions", TestRuntime.ADMIN).json().getJsonArray("actions")
                .getValuesAs(JsonObject.class);
        assertEquals("jobs.retry", actions.getFirst().getString("action"), "one action for the whole request");
        assertTrue(actions.getFirst().getString("detail").contains("520 job(s)"), actions.getFirst().toString());
        assertEquals(1, actions.stream().filter(a -> a.getString("action").equals("jobs.retry")).count());
    }

    @Test
    void cancelAndDeleteByFilterTouchOnlyWhatTheyApplyTo() throws Exception {
        TestBot bot = runtime.registerBot("b", "t");
        for (int i = 0; i < 4; i++) {
            submit("type", "t", "queue", "import");
        }
        JsonObject held = bot.claimJobs(1, 0).getFirst();
        String elsewhere = submit("type", "t", "queue", "mail").getString("id");

        Http.Response cancelled = bulk(TestRuntime.CLIENT, "cancel", "queue", "import");
        assertEquals(200, cancelled.status(), cancelled.toString());
        assertEquals(4, cancelled.json().getInt("touched"), "three pending and the claimed one");
        assertEquals(held.getString("id"), bot.heartbeat(List.of(held.getString("id"))).json().getJsonArray("cancel")
                .getString(0), "the holding bot is told");
        assertEquals("pending", http.get("/v1/jobs/" + elsewhere, TestRuntime.CLIENT).json().getString("status"));

        assertEquals(403, bulk(TestRuntime.CLIENT, "delete", "queue", "import").status(), "delete is an admin's");
        Http.Response deleted = bulk(TestRuntime.ADMIN, "delete", "queue", "import");
        assertEquals(4, deleted.json().getInt("touched"));
        assertEquals(0, count("SELECT COUNT(*) FROM job_events WHERE job_id = ?", held.getString("id")));
        assertEquals(1, count("SELECT COUNT(*) FROM jobs"), "the pending job elsewhere stays");
    }

    @Test
    void aBulkActionWithoutAFilterOrWithABadOneIsRefused() {
        submit("type", "t");
        assertProblem(http.post("/v1/jobs/bulk", TestRuntime.ADMIN, Http.obj("action", "retry")), "at least one");
        assertProblem(bulk(TestRuntime.ADMIN, "retry"), "at least one");
        assertProblem(bulk(TestRuntime.ADMIN, "explode", "type", "t"), "retry, cancel or delete");
        assertProblem(bulk(TestRuntime.ADMIN, "retry", "status", "pending"), "applies to [dead, cancelled]");
        assertProblem(bulk(TestRuntime.ADMIN, "delete", "status", "nonsense"), "not a job status");
        assertProblem(bulk(TestRuntime.ADMIN, "delete", "since", "yesterday"), "filter.since");
        assertProblem(bulk(TestRuntime.ADMIN, "delete", "since", "2026-02-01T00:00:00Z", "until",
                "2026-01-01T00:00:00Z"), "before");
        assertEquals(403, bulk(TestRuntime.CLIENT, "retry", "type", "t").status());
        assertEquals(1, http.get("/v1/stats", TestRuntime.CLIENT).json().getJsonObject("jobs").getInt("pending"),
                "nothing changed");
    }

    private static void assertProblem(Http.Response r, String words) {
        assertEquals(400, r.status(), r.toString());
        assertTrue(r.json().getString("detail").contains(words), r.toString());
    }
}
