package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestDatabase;
import io.shepherd.runtime.testing.TestRuntime;
import org.junit.jupiter.api.Test;

/** Two replicas on one PostgreSQL: a job submitted to one wakes a bot waiting on the other (LISTEN/NOTIFY). */
class CrossReplicaWakeTest {
    @Test
    void submissionOnOneReplicaWakesABotWaitingOnAnother() throws Exception {
        try (TestDatabase db = TestDatabase.create("postgres");
             TestRuntime a = TestRuntime.start(db);
             TestRuntime b = TestRuntime.start(db)) {
            TestBot bot = a.registerBot("bot", "t");
            bot.claimJobs(1, 0);
            List<Long> latencies = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                CompletableFuture<Long> claimed = CompletableFuture.supplyAsync(() -> {
                    Http.Response r = bot.claim(1, 10_000);
                    assertEquals(200, r.status(), r.toString());
                    return System.nanoTime();
                });
                Thread.sleep(100);
                long submittedAt = System.nanoTime();
                assertEquals(201, b.http().post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t")).status());
                latencies.add((claimed.get() - submittedAt) / 1_000_000);
            }
            LongPollTest.report("across replicas, postgres", latencies);
            Collections.sort(latencies);
            assertTrue(latencies.get(latencies.size() / 2) < 100, "median under 100 ms: " + latencies);
            assertTrue(latencies.getLast() < 1000, "all well before the fallback poll: " + latencies);
        }
    }
}
