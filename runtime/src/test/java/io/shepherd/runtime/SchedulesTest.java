package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
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
 * Recurring schedules, one look at a time on a clock the test moves: slots, the overlap and
 * misfire rules, declared and API schedules, and a slot's job made once however often it is tried.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class SchedulesTest extends MovedClockTestBase {
    @Override
    Map<String, String> overrides() {
        return Map.of("recovery.enabled", "false", "scheduler.enabled", "false", // the test looks itself
                "schedules.nightly.type", "report",
                "schedules.nightly.cron", "0 3 * * *",
                "schedules.nightly.zone", "Europe/Berlin",
                "schedules.nightly.payload.format", "pdf",
                "schedules.nightly.payload.copies", "2");
    }

    List<String> look() {
        return runtime.server().scheduler().runOnce();
    }

    Http.Response put(String name, Object... fields) {
        return http.put("/v1/schedules/" + name, TestRuntime.ADMIN, Http.obj(fields));
    }

    JsonObject schedule(String name) {
        return http.get("/v1/schedules/" + name, TestRuntime.CLIENT).json();
    }

    @Test
    void aDeclaredCronScheduleRunsInItsZoneAndIsChangedOnlyInItsFile() {
        look();
        JsonObject nightly = schedule("nightly");
        assertEquals("config", nightly.getString("source"));
        assertEquals("2026-01-01T02:00:00Z", nightly.getString("nextRunAt"), "03:00 in Berlin is 02:00 UTC in winter");
        assertEquals(2, nightly.getJsonObject("payload").getInt("copies"), "YAML numbers become JSON numbers");

        clock.advance(Duration.ofHours(2));
        List<String> made = look();
        assertEquals(1, made.size());
        JsonObject job = http.get("/v1/jobs/" + made.getFirst(), TestRuntime.CLIENT).json();
        assertEquals("report", job.getString("type"));
        assertEquals("pdf", job.getJsonObject("payload").getString("format"));
        assertEquals("schedule:nightly", job.getString("correlationId"));
        nightly = schedule("nightly");
        assertEquals(made.getFirst(), nightly.getString("lastJobId"));
        assertEquals("pending", nightly.getString("lastJobStatus"));
        assertEquals("2026-01-02T02:00:00Z", nightly.getString("nextRunAt"));

        assertEquals(409, put("nightly", "type", "x", "everyMs", 1000).status());
        assertEquals(409, http.delete("/v1/schedules/nightly", TestRuntime.ADMIN).status());
    }

    @Test
    void anIntervalScheduleMakesOneJobPerSlotAndSkipsWhileThePreviousRuns() {
        Http.Response created = put("tick", "type", "t", "everyMs", 10_000, "overlap", "skip");
        assertEquals(200, created.status(), created.toString());
        assertEquals("2026-01-01T00:00:10Z", created.json().getString("nextRunAt"));
        assertEquals(List.of(), look(), "no slot yet");

        clock.advance(Duration.ofSeconds(10));
        List<String> first = look();
        assertEquals(1, first.size());
        assertEquals(List.of(), look(), "the slot is made once");

        clock.advance(Duration.ofSeconds(10));
        assertEquals(List.of(), look(), "overlap skip: the first job is still pending");
        TestBot bot = runtime.registerBot("b", "t");
        JsonObject claimed = bot.claimJobs(1, 0).getFirst();
        assertEquals(200, bot.complete(claimed.getString("id"), claimed.getString("leaseToken"), Map.of()).status());

        clock.advance(Duration.ofSeconds(10));
        assertEquals(1, look().size(), "the previous one finished: the next slot runs");
        assertEquals(201, http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t")).status());
    }

    @Test
    void missedSlotsRunOnceOrAreSkippedAsTheScheduleSays() {
        assertEquals(200, put("once", "type", "t", "everyMs", 60_000, "overlap", "allow", "misfire", "run-once").status());
        assertEquals(200, put("skip", "type", "t", "everyMs", 60_000, "overlap", "allow", "misfire", "skip").status());
        clock.advance(Duration.ofMinutes(90).plusSeconds(30)); // every replica was down for 90 slots
        List<String> made = look();
        assertEquals(1, made.size(), "run-once: one job for all the missed slots; skip: none");
        assertEquals("schedule:once", http.get("/v1/jobs/" + made.getFirst(), TestRuntime.CLIENT).json()
                .getString("correlationId"));
        assertEquals("2026-01-01T01:31:00Z", schedule("skip").getString("nextRunAt"), "skip goes on from the next slot");
        clock.advance(Duration.ofSeconds(31));
        assertEquals(2, look().size(), "both run at the next slot");
    }

    @Test
    void aSlotWhoseJobAReplicaMadeBeforeDyingIsNotMadeAgain() throws Exception {
        assertEquals(200, put("tick", "type", "t", "everyMs", 10_000).status());
        clock.advance(Duration.ofSeconds(10));
        long slot = clock.millis();
        // a replica submitted the slot's job and was killed before moving the schedule on
        String made = http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t",
                "idempotencyKey", "schedule:tick:" + slot)).json().getString("id");
        assertEquals(List.of(), look(), "the slot's job exists: none is made");
        assertEquals(made, schedule("tick").getString("lastJobId"), "and the schedule moved on with it");
        assertEquals(1, count("SELECT COUNT(*) FROM jobs"));
    }

    @Test
    void badSchedulesAreRefusedNamingWhatIsWrong() {
        assertProblem(put("x", "type", "t"), "exactly one of cron");
        assertProblem(put("x", "type", "t", "cron", "* * *"), "cron");
        assertProblem(put("x", "type", "t", "cron", "0 3 * * *", "everyMs", 1000), "exactly one of cron");
        assertProblem(put("x", "type", "t", "everyMs", 10), "every must be at least");
        assertProblem(put("x", "type", "t", "everyMs", 1000, "zone", "Mars/Olympus"), "time zone");
        assertProblem(put("x", "type", "t", "everyMs", 1000, "overlap", "sometimes"), "skip or allow");
        assertProblem(put("bad!name", "type", "t", "everyMs", 1000), "name");
        assertEquals(403, http.put("/v1/schedules/x", TestRuntime.CLIENT, Http.obj("type", "t", "everyMs", 1000))
                .status());
        assertEquals(404, http.get("/v1/schedules/none", TestRuntime.CLIENT).status());
        assertEquals(200, put("x", "type", "t", "everyMs", 1000).status());
        assertEquals(204, http.delete("/v1/schedules/x", TestRuntime.ADMIN).status());
        assertEquals(404, http.get("/v1/schedules/x", TestRuntime.CLIENT).status());
    }

    private static void assertProblem(Http.Response r, String words) {
        assertEquals(400, r.status(), r.toString());
        assertTrue(r.json().getString("detail").contains(words), r.toString());
    }
}
