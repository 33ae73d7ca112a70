package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.testing.ChildProcess;
import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestDatabase;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The schedule and queue guarantees with two runtime processes on one PostgreSQL: every slot
 * made exactly once while one replica is SIGKILLed, a queue's limit held across replicas, and a
 * pause in force on the other replica within a second.
 */
class TwoReplicasLeversTest {
    static final Duration READY = Duration.ofSeconds(60);
    static final String[] SCHEDULE = {"schedules:", "  beat:", "    type: beat", "    every: PT2S",
            "    overlap: allow"};

    TestDatabase db;
    Path dir;
    final List<ChildProcess> processes = new ArrayList<>();

    @BeforeEach
    void database() throws Exception {
        db = TestDatabase.create("postgres");
        dir = Files.createTempDirectory("shepherd-replicas-");
    }

    @AfterEach
    void stop() throws Exception {
        for (ChildProcess p : processes) {
            p.close();
        }
        db.close();
    }

    Http replica(String name) throws Exception {
        int port = ChildProcess.freePort();
        ChildProcess p = ChildProcess.serve(dir.resolve(name), db.url(), port, Map.of(), SCHEDULE);
        processes.add(p);
        Http http = new Http("http://127.0.0.1:" + port);
        p.awaitReady(http, READY);
        return http;
    }

    /** The slots the schedule made jobs for, in order, as the database has them. */
    List<Long> slots() throws Exception {
        List<Long> slots = new ArrayList<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT idempotency_key FROM jobs WHERE type = 'beat' ORDER BY idempotency_key")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String key = rs.getString(1);
                    slots.add(Long.parseLong(key.substring(key.lastIndexOf(':') + 1)));
                }
            }
        }
        return slots.stream().sorted().toList();
    }

    @Test
    void everySlotIsMadeOnceWhileAReplicaIsKilled() throws Exception {
        replica("a");
        replica("b");
        Thread.sleep(6500);
        int before = slots().size();
        processes.getFirst().kill(); // SIGKILL, whatever it was doing
        Thread.sleep(6500);
        List<Long> slots = slots();
        assertTrue(before >= 2, "slots before the kill: " + before);
        assertTrue(slots.size() >= before + 3, "the other replica went on: " + slots);
        for (int i = 1; i < slots.size(); i++) {
            assertEquals(2000, slots.get(i) - slots.get(i - 1), "no slot lost or doubled: " + slots);
        }
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT COUNT(*) FROM jobs WHERE type = 'beat'")) {
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(slots.size(), rs.getInt(1), "one job per slot");
            }
        }
    }

    @Test
    void aQueueLimitHoldsAcrossReplicasAndAPauseReachesTheOtherWithinASecond() throws Exception {
        Http a = replica("a");
        Http b = replica("b");
        int limit = 2;
        assertEquals(200, a.put("/v1/queues/q/limit", TestRuntime.ADMIN, Http.obj("maxClaimed", limit)).status());
        List<JsonObject> batch = new ArrayList<>();
        for (int j = 0; j < 80; j++) {
            batch.add(Http.obj("type", "t", "queue", "q"));
        }
        assertEquals(201, a.post("/v1/jobs/batch", TestRuntime.CLIENT, Http.obj("jobs", batch)).status());

        List<TestBot> bots = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            bots.add(TestBot.register(i % 2 == 0 ? a : b, "b" + i, "t"));
        }
        int most = QueuesTest.mostClaimedAtOnce(db, "q", bots, 80);
        assertTrue(most <= limit, "at most " + limit + " claimed at once across both replicas, saw " + most);

        // a pause made through one replica is in force on the other within a second
        TestBot onB = TestBot.register(b, "late", "t");
        assertEquals(201, a.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t", "queue", "p")).status());
        assertEquals(200, a.post("/v1/queues/p/pause", TestRuntime.ADMIN, Map.of()).status());
        Thread.sleep(1100);
        assertEquals(List.of(), onB.claimJobs(1, 0), "paused on the other replica too");
        assertEquals(200, a.post("/v1/queues/p/resume", TestRuntime.ADMIN, Map.of()).status());
        assertEquals(1, onB.claimJobs(1, 8000).size(), "and resumed (within a second, or at the long poll's next look)");
    }
}
