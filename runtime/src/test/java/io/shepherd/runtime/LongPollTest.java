package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A bot waiting in a long poll gets a job within milliseconds of its submission: it is woken by
 * the database's signal, not by the next poll (which would take seconds).
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class LongPollTest extends ApiTestBase {
    static final int ROUNDS = 20;

    @Test
    void waitingBotIsWokenBySubmission() throws Exception {
        TestBot bot = runtime.registerBot("b", "t");
        bot.claimJobs(1, 0); // warm up the connection and the statement
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            CompletableFuture<Long> claimed = CompletableFuture.supplyAsync(() -> {
                Http.Response r = bot.claim(1, 10_000);
                assertEquals(200, r.status(), r.toString());
                return System.nanoTime();
            });
            Thread.sleep(100); // the bot is now parked in its long poll
            long submittedAt = System.nanoTime();
            submit("type", "t");
            long answeredAt = claimed.get();
            latencies.add((answeredAt - submittedAt) / 1_000_000);
        }
        report("same replica, " + databaseKind, latencies);
        Collections.sort(latencies);
        assertTrue(latencies.get(ROUNDS / 2) < 100, "median wake-up under 100 ms: " + latencies);
        assertTrue(latencies.getLast() < 1000, "every wake-up well before the 5 s fallback poll: " + latencies);
    }

    @Test
    void delayedJobWakesTheWaiterWhenItIsDue() {
        TestBot bot = runtime.registerBot("b", "t");
        Instant due = Instant.now().plusMillis(700);
        CompletableFuture<Http.Response> claimed = CompletableFuture.supplyAsync(() -> bot.claim(1, 10_000));
        submit("type", "t", "runAt", due.toString());
        Http.Response r = claimed.join();
        long late = Instant.now().toEpochMilli() - due.toEpochMilli();
        assertEquals(200, r.status());
        assertTrue(late >= 0 && late < 1000, "claimed " + late + " ms after it was due");
    }

    @Test
    void waitEndsWith204WhenNothingComes() {
        TestBot bot = runtime.registerBot("b", "t");
        long start = System.nanoTime();
        assertEquals(204, bot.claim(1, 300).status());
        long waited = (System.nanoTime() - start) / 1_000_000;
        assertTrue(waited >= 290 && waited < 3000, "waited " + waited + " ms");
    }

    @Test
    void workNoSignalToldIsFoundByTheReplicasOneLookForAllWaiters() throws Exception {
        assertEquals(200, http.put("/v1/queues/slow/limit", TestRuntime.ADMIN, Http.obj("maxClaimed", 1)).status());
        submit("type", "t", "queue", "slow");
        submit("type", "t", "queue", "slow");
        TestBot first = runtime.registerBot("a", "t");
        TestBot second = runtime.registerBot("b", "t");
        List<JsonObject> held = first.claimJobs(1, 0);
        assertEquals(1, held.size());
        CompletableFuture<Http.Response> waiting = CompletableFuture.supplyAsync(() -> second.claim(1, 20_000));
        Thread.sleep(300);
        assertTrue(!waiting.isDone(), "the queue is at its limit: the second bot waits");
        // a completion frees the queue's room; nothing signals it
        long freedAt = System.nanoTime();
        assertEquals(200, first.complete(held.getFirst().getString("id"), held.getFirst().getString("leaseToken"),
                Map.of()).status());
        Http.Response claimed = waiting.get();
        long ms = (System.nanoTime() - freedAt) / 1_000_000;
        assertEquals(200, claimed.status(), claimed.toString());
        assertTrue(ms < 8000, "found by the fallback look (every 5 s), not at the end of the 20 s poll: " + ms + " ms");
    }

    static void report(String what, List<Long> latenciesMs) throws IOException {
        List<Long> sorted = new ArrayList<>(latenciesMs);
        Collections.sort(sorted);
        String line = String.format("long-poll wake-up (%s): median %d ms, p95 %d ms, max %d ms over %d rounds%n",
                what, sorted.get(sorted.size() / 2), sorted.get((int) Math.ceil(sorted.size() * 0.95) - 1),
                sorted.getLast(), sorted.size());
        System.out.print(line);
        Files.writeString(Path.of("target", "long-poll-latency.txt"), line, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
