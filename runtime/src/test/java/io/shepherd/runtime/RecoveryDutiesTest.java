package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.core.JobStatus;
import io.shepherd.runtime.recovery.RecoveryScheduler;
import io.shepherd.runtime.store.RecoveryStore;
import io.shepherd.runtime.store.Stores;
import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The recovery duties, one sweep at a time on a clock the test moves: no sleeping. Defaults:
 * lease 30 s, heartbeat 5 s, sweeps every 5 s (so a gap over 15 s is an outage), lost after 30 s.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class RecoveryDutiesTest extends MovedClockTestBase {
    @Override
    Map<String, String> overrides() {
        return Map.of("recovery.enabled", "false",
                "policies.quarantine.consecutive-failures", "3",
                "policies.flaky.max-attempts", "10");
    }

    RecoveryScheduler.Sweep sweep() {
        return runtime.server().recovery().runOnce();
    }

    /** Time passes without anyone sweeping (the database is away, or no replica leads). */
    void advance(int seconds) {
        clock.advance(Duration.ofSeconds(seconds));
    }

    /** Time passes with the scheduler sweeping every 5 s as it would; returns what the sweeps did. */
    RecoveryScheduler.Sweep elapse(int seconds) {
        int requeued = 0;
        int dead = 0;
        long lost = 0;
        int quarantined = 0;
        int timedOut = 0;
        for (int left = seconds; left > 0; left -= 5) {
            advance(Math.min(5, left));
            RecoveryScheduler.Sweep s = sweep();
            requeued += s.requeued();
            dead += s.deadLettered();
            lost += s.botsMarkedLost();
            quarantined += s.quarantined();
            timedOut += s.timedOut();
        }
        return new RecoveryScheduler.Sweep(requeued, dead, lost, quarantined, timedOut);
    }

    @BeforeEach
    void firstSweep() {
        sweep();
    }

    List<String> reasons(String jobId) {
        return http.get("/v1/jobs/" + jobId + "/events", TestRuntime.CLIENT).json().getJsonArray("events")
                .getValuesAs(JsonObject.class).stream()
                .map(e -> e.getString("kind") + "/" + e.getString("reason")).toList();
    }

    @Test
    void expiredLeaseIsRescuedAfterTheTtlAndNotBefore() throws Exception {
        String id = submit("type", "t").getString("id");
        TestBot bot = runtime.registerBot("b", "t");
        JsonObject held = bot.claimJobs(1, 0).getFirst();
        assertEquals(0, elapse(29).requeued());
        assertEquals("claimed", row(id).get("status"));
        assertEquals(1, elapse(2).requeued());
        assertEquals("pending", row(id).get("status"));
        assertEquals(1, ((Number) row(id).get("attempt")).intValue(), "the orphaned attempt counts");
        assertTrue(reasons(id).contains("requeued/lease-expired"), reasons(id).toString());
        JsonObject event = http.get("/v1/jobs/" + id + "/events", TestRuntime.CLIENT).json().getJsonArray("events")
                .getValuesAs(JsonObject.class).getLast();
        assertEquals(bot.id, event.getString("botId"));

        assertEquals(409, bot.complete(id, held.getString("leaseToken"), null).status(), "the zombie is fenced off");
        TestBot other = runtime.registerBot("other", "t");
        assertEquals(2, other.claimJobs(1, 0).getFirst().getInt("attempt"), "claimable at once");
    }

    @Test
    void heartbeatsKeepTheLease() throws Exception {
        String id = submit("type", "t").getString("id");
        TestBot bot = runtime.registerBot("b", "t");
        bot.claimJobs(1, 0);
        for (int i = 0; i < 6; i++) {
            assertEquals(0, elapse(20).requeued());
            assertEquals(200, bot.heartbeat().status());
        }
        assertEquals("claimed", row(id).get("status"));
        assertEquals(1, elapse(31).requeued());
    }

    @Test
    void orphanWithNoAttemptsLeftIsDeadLettered() throws Exception {
        String id = submit("type", "t", "maxAttempts", 1).getString("id");
        runtime.registerBot("b", "t").claimJobs(1, 0);
        RecoveryScheduler.Sweep sweep = elapse(31);
        assertEquals(0, sweep.requeued());
        assertEquals(1, sweep.deadLettered());
        assertEquals("dead", row(id).get("status"));
        assertTrue(reasons(id).contains("dead-lettered/lease-expired"), reasons(id).toString());
    }

    @Test
    void rescueLeavesAJobAloneWhoseLeaseChangedSinceTheSweepLooked() throws Exception {
        String id = submit("type", "t").getString("id");
        TestBot bot = runtime.registerBot("b", "t");
        bot.claimJobs(1, 0);
        clock.advance(Duration.ofSeconds(31));
        Stores stores = Stores.of(runtime.server().database());
        List<RecoveryStore.Orphan> seen = stores.recovery().expiredLeases(stores.database().execute(),
                clock.millis(), 10);
        assertEquals(1, seen.size());
        var verdict = List.of(new RecoveryStore.Verdict(seen.getFirst(), JobStatus.PENDING, clock.millis()));

        // the bot checks in between the look and the change: its lease is current again
        assertEquals(200, bot.heartbeat().status());
        assertEquals(List.of(), stores.recovery().takeBack(stores.database().execute(), verdict, "test", clock.millis(), clock.millis()));
        assertEquals("claimed", row(id).get("status"));

        // or the job was released and claimed again: a new token
        assertEquals(200, bot.reset().status());
        JsonObject again = bot.claimJobs(1, 0).getFirst();
        clock.advance(Duration.ofSeconds(31));
        assertEquals(List.of(), stores.recovery().takeBack(stores.database().execute(), verdict, "test", clock.millis(), clock.millis()));
        assertEquals(again.getString("leaseToken"), row(id).get("lease_token"));
    }

    @Test
    void silentBotsAreMarkedLostAndComeBackWithAHeartbeat() {
        TestBot silent = runtime.registerBot("silent", "t");
        TestBot alive = runtime.registerBot("alive", "t");
        elapse(20);
        alive.heartbeat();
        assertEquals(1, elapse(11).botsMarkedLost());
        assertEquals("lost", http.get("/v1/bots/" + silent.id, TestRuntime.ADMIN).json().getString("status"));
        assertEquals("idle", http.get("/v1/bots/" + alive.id, TestRuntime.ADMIN).json().getString("status"));
        assertEquals(200, silent.heartbeat().status());
        assertEquals("idle", http.get("/v1/bots/" + silent.id, TestRuntime.ADMIN).json().getString("status"));
    }

    @Test
    void leasesThatExpiredWhileNobodySweptGetAGraceForTheirBotsToCheckIn() throws Exception {
        String a = submit("type", "t", "priority", 1).getString("id");
        String b = submit("type", "t").getString("id");
        TestBot liveBot = runtime.registerBot("live", "t");
        TestBot deadBot = runtime.registerBot("dead", "t");
        assertEquals(a, liveBot.claimJobs(1, 0).getFirst().getString("id"));
        assertEquals(b, deadBot.claimJobs(1, 0).getFirst().getString("id"));

        // nobody sweeps for 60 s (the database was away): both leases expired meanwhile
        advance(60);
        RecoveryScheduler.Sweep first = sweep();
        assertEquals(0, first.requeued(), "no rescue during the grace");
        assertEquals(0, first.botsMarkedLost(), "nor is anyone declared lost");
        assertTrue(runtime.server().recovery().status().graceUntil() > clock.millis());

        advance(2);
        assertEquals(200, liveBot.heartbeat().status(), "the live bot checks in within the grace");
        assertEquals(0, sweep().requeued());

        advance(9); // grace (2 heartbeat intervals = 10 s) is over
        RecoveryScheduler.Sweep after = sweep();
        assertEquals(1, after.requeued(), "the silent bot's job comes back");
        assertEquals(1, after.botsMarkedLost());
        assertEquals("claimed", row(a).get("status"));
        assertEquals("pending", row(b).get("status"));
    }

    @Test
    void aBotWhoseLastAttemptsAllFailedIsQuarantinedUntilAnAdminResetsIt() throws Exception {
        for (int i = 0; i < 5; i++) {
            submit("type", "flaky");
        }
        TestBot bot = runtime.registerBot("b", "flaky");
        for (int i = 0; i < 3; i++) {
            JsonObject job = bot.claimJobs(1, 0).getFirst();
            assertEquals(200, bot.fail(job.getString("id"), job.getString("leaseToken"), "boom", true).status());
            clock.advance(Duration.ofMinutes(10));
        }
        assertEquals(1, sweep().quarantined());
        assertEquals("quarantined", http.get("/v1/bots/" + bot.id, TestRuntime.ADMIN).json().getString("status"));
        assertEquals(204, bot.claim(1, 0).status(), "a quarantined bot claims nothing");
        assertEquals(1, http.get("/v1/stats", TestRuntime.CLIENT).json().getJsonObject("bots").getInt("quarantined"));

        assertEquals(200, http.post("/v1/bots/" + bot.id + "/reset", TestRuntime.ADMIN, null).status());
        assertEquals("idle", http.get("/v1/bots/" + bot.id, TestRuntime.ADMIN).json().getString("status"));
        assertEquals(1, bot.claimJobs(1, 0).size());
    }

    @Test
    void aSuccessBetweenFailuresKeepsTheBotInService() {
        for (int i = 0; i < 5; i++) {
            submit("type", "flaky");
        }
        TestBot bot = runtime.registerBot("b", "flaky");
        for (boolean succeed : new boolean[]{false, false, true, false, false}) {
            JsonObject job = bot.claimJobs(1, 0).getFirst();
            Http.Response r = succeed ? bot.complete(job.getString("id"), job.getString("leaseToken"), null)
                    : bot.fail(job.getString("id"), job.getString("leaseToken"), "boom", true);
            assertEquals(200, r.status());
            clock.advance(Duration.ofMinutes(10));
        }
        assertEquals(0, sweep().quarantined());
        assertEquals("idle", http.get("/v1/bots/" + bot.id, TestRuntime.ADMIN).json().getString("status"));
    }

    @Test
    void adminRunsASweepOnDemandAndSeesTheSchedulerState() {
        submit("type", "t");
        runtime.registerBot("b", "t").claimJobs(1, 0);
        clock.advance(Duration.ofSeconds(31));
        assertEquals(403, http.post("/v1/admin/recovery/run", TestRuntime.CLIENT, null).status());
        // 31 s without a sweep would be an outage window; an admin's sweep honours its grace too
        Http.Response during = http.post("/v1/admin/recovery/run", TestRuntime.ADMIN, null);
        assertEquals(0, during.json().getInt("requeued"));
        clock.advance(Duration.ofSeconds(11));
        Http.Response run = http.post("/v1/admin/recovery/run", TestRuntime.ADMIN, null);
        assertEquals(200, run.status(), run.toString());
        assertEquals(1, run.json().getInt("requeued"));
        assertEquals(0, run.json().getInt("deadLettered"));
        assertEquals(1, run.json().getInt("botsMarkedLost"));
        JsonObject status = http.get("/v1/admin/recovery", TestRuntime.ADMIN).json();
        assertTrue(status.getJsonNumber("sweeps").longValue() >= 2);
    }
}
