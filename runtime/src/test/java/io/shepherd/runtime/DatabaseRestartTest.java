package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestCluster;
import io.shepherd.runtime.testing.TestDatabase;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL is stopped for longer than a lease while a bot keeps trying to heartbeat. When it
 * is back, the live bot keeps its job (it checks in within the grace), the silent bot's job is
 * rescued, and no job is lost.
 */
class DatabaseRestartTest {
    @Test
    void liveBotKeepsItsJobAcrossADatabaseOutageLongerThanTheLease() throws Exception {
        try (TestCluster cluster = TestCluster.create();
             TestDatabase db = TestDatabase.existing(cluster.url());
             TestRuntime runtime = TestRuntime.start(db, Map.of("lease.ttl", "PT3S", "heartbeat.interval", "PT1S",
                     "recovery.interval", "PT1S", "db.connect-timeout", "PT1S"))) {
            Http http = runtime.http();
            String kept = http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t", "priority", 1)).json().getString("id");
            String orphaned = http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t")).json().getString("id");
            TestBot live = runtime.registerBot("live", "t");
            TestBot silent = runtime.registerBot("silent", "t");
            JsonObject liveJob = live.claimJobs(1, 0).getFirst();
            assertEquals(kept, liveJob.getString("id"));
            assertEquals(orphaned, silent.claimJobs(1, 0).getFirst().getString("id"));

            AtomicBoolean beating = new AtomicBoolean(true);
            AtomicInteger failedBeats = new AtomicInteger();
            Thread heart = Thread.ofPlatform().start(() -> {
                while (beating.get()) {
                    try {
                        if (live.heartbeat().status() != 200) {
                            failedBeats.incrementAndGet();
                        }
                        Thread.sleep(1000);
                    } catch (Exception e) {
                        failedBeats.incrementAndGet();
                    }
                }
            });

            Thread.sleep(1500);
            cluster.stop();
            Thread.sleep(6000); // twice the lease
            cluster.start();
            // the pool reconnects, sweeps resume, the grace (2 s) runs out, the next sweep rescues
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() < deadline) {
                Http.Response r = http.get("/v1/jobs/" + orphaned + "/events", TestRuntime.CLIENT);
                if (r.status() == 200 && r.body().contains("lease-expired")) {
                    break; // (503 while the pool reconnects)
                }
                Thread.sleep(250);
            }
            Thread.sleep(1500); // a few more sweeps, in which the live bot's job must stay its own
            beating.set(false);
            heart.join();

            assertTrue(failedBeats.get() >= 3, "heartbeats failed during the outage: " + failedBeats.get());
            List<String> keptEvents = events(http, kept);
            assertFalse(keptEvents.contains("requeued/lease-expired"), "the live bot's job was not rescued: " + keptEvents);
            assertEquals(200, live.complete(kept, liveJob.getString("leaseToken"), Http.obj("ok", true)).status(),
                    "and its bot finishes it with its original lease");
            assertTrue(events(http, orphaned).contains("requeued/lease-expired"), "the silent bot's job came back");

            try (Connection c = DriverManager.getConnection(cluster.url());
                 ResultSet rs = c.createStatement().executeQuery("SELECT status, COUNT(*) FROM jobs GROUP BY status ORDER BY status")) {
                StringBuilder seen = new StringBuilder();
                while (rs.next()) {
                    seen.append(rs.getString(1)).append('=').append(rs.getInt(2)).append(' ');
                }
                assertEquals("completed=1 pending=1 ", seen.toString(), "no job lost");
            }
        }
    }

    @Test
    void runtimeStartedWhileTheDatabaseIsDownComesUpAndBecomesReadyWhenItArrives() throws Exception {
        try (TestCluster cluster = TestCluster.create()) {
            cluster.stop();
            try (TestDatabase db = TestDatabase.existing(cluster.url());
                 TestRuntime runtime = TestRuntime.start(db, Map.of("db.connect-timeout", "PT1S"))) {
                Http http = runtime.http();
                assertEquals(200, http.get("/livez", null).status(), "alive without its database");
                Http.Response ready = http.get("/ready", null);
                assertEquals(503, ready.status());
                assertEquals("DOWN", ready.json().getJsonObject("checks").getJsonObject("migrations").getString("status"));
                Http.Response submit = http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t"));
                assertEquals(503, submit.status());
                assertTrue(submit.header("Retry-After") != null);

                cluster.start();
                long started = System.nanoTime();
                while (http.get("/ready", null).status() != 200 && System.nanoTime() - started < 20_000_000_000L) {
                    Thread.sleep(100);
                }
                long tookMs = (System.nanoTime() - started) / 1_000_000;
                assertEquals(200, http.get("/ready", null).status());
                assertTrue(tookMs < 10_000, "ready " + tookMs + " ms after the database came");
                assertEquals(201, http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t")).status());
            }
        }
    }

    /**
     * Idle bots that only long-poll, as the SDKs do, through an outage longer than {@code lost-after}.
     * Losing the LISTEN connection wakes every waiting poll to look, so each poll is told of the
     * outage (503, Retry-After) instead of being held, and the bot backs off and asks again. Once the
     * database is back the bot is never marked lost for the outage (its last sign of life before it
     * counts through the grace, its polls after it), and it is lost on time once it stops — while a
     * bot silent since before the outage is lost when the grace ends.
     */
    @Test
    void aBotThatOnlyPollsIsToldOfAnOutageAndNotLostForIt() throws Exception {
        try (TestCluster cluster = TestCluster.create();
             TestDatabase db = TestDatabase.existing(cluster.url());
             TestRuntime runtime = TestRuntime.start(db, Map.of("bots.lost-after", "PT3S", "heartbeat.interval", "PT1S",
                     "recovery.interval", "PT0.25S", "db.connect-timeout", "PT1S"))) {
            Http http = runtime.http();
            TestBot polling = runtime.registerBot("polling", "t");
            TestBot silent = runtime.registerBot("silent", "t");
            assertEquals(200, silent.poll(0).status());

            AtomicBoolean on = new AtomicBoolean(true);
            AtomicLong lastAnswered = new AtomicLong(); // when the last poll answered 200 began
            List<Refusal> refused = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread poller = Thread.ofPlatform().daemon().start(() -> {
                while (on.get()) {
                    long begun = System.currentTimeMillis();
                    Http.Response r = polling.poll(10_000);
                    long took = System.currentTimeMillis() - begun;
                    if (r.status() == 200) {
                        lastAnswered.set(begun);
                    } else {
                        refused.add(new Refusal(r.status(), r.header("Retry-After") != null, took));
                        sleep(200); // as the SDKs back off
                    }
                }
            });
            Thread.sleep(2500); // a poll ran out: the next ones wait without looking
            cluster.stop();
            Thread.sleep(6000); // twice lost-after
            long restartedAt = System.currentTimeMillis();
            cluster.start();
            // from the restart on, whenever the database answers: the polling bot is never lost
            List<String> seen = new ArrayList<>();
            long until = System.currentTimeMillis() + 20_000;
            while (System.currentTimeMillis() < until && !(lastAnswered.get() > restartedAt
                    && System.currentTimeMillis() > lastAnswered.get() + 4000)) { // past the grace (2 s) and lost-after
                status(cluster, polling.id).ifPresent(seen::add);
                Thread.sleep(100);
            }
            assertTrue(lastAnswered.get() > restartedAt, "polls were answered again after the outage; refused: " + refused);
            assertFalse(seen.isEmpty());
            assertFalse(seen.contains("lost"), "the polling bot was marked lost for the outage: " + seen);
            assertTrue(refused.size() >= 3, "polls during the outage were refused: " + refused);
            assertTrue(refused.stream().allMatch(r -> r.status() == 503 && r.retryAfter() && r.tookMs() < 3000),
                    "told at once (not held) with 503 and Retry-After: " + refused);
            assertEquals(Optional.of("lost"), status(cluster, silent.id), "the bot silent since before the outage");

            on.set(false); // the bot stops polling
            poller.join();
            long last = lastAnswered.get();
            long deadline = System.currentTimeMillis() + 10_000;
            while (!status(cluster, polling.id).equals(Optional.of("lost")) && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            long lostAfter = System.currentTimeMillis() - last;
            assertEquals(Optional.of("lost"), status(cluster, polling.id), "lost once it stopped");
            assertTrue(lostAfter >= 3000 - 100, "lost " + lostAfter + " ms after its last poll began, not sooner");
        }
    }

    /** The bot's status as the database has it; empty while the database does not answer. */
    private static Optional<String> status(TestCluster cluster, String botId) {
        try (Connection c = DriverManager.getConnection(cluster.url());
             var ps = c.prepareStatement("SELECT status FROM bots WHERE id = ?")) {
            ps.setString(1, botId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (java.sql.SQLException e) {
            return Optional.empty();
        }
    }

    /** A poll not answered 200: its status, whether it said when to come back, how long it was held. */
    private record Refusal(int status, boolean retryAfter, long tookMs) {
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static List<String> events(Http http, String id) {
        return http.get("/v1/jobs/" + id + "/events", TestRuntime.CLIENT).json().getJsonArray("events")
                .getValuesAs(JsonObject.class).stream()
                .map(e -> e.getString("kind") + "/" + e.getString("reason")).toList();
    }
}
