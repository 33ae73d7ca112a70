package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** Queues an operator pauses, resumes and limits; the limit held under concurrent claims. */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class QueuesTest extends ApiTestBase {
    JsonObject queue(String name) {
        return http.get("/v1/queues/" + name, TestRuntime.CLIENT).json();
    }

    String submitTo(String queue) {
        return submit("type", "t", "queue", queue).getString("id");
    }

    @Test
    void aPausedQueueIsSkippedUntilResumed() {
        TestBot bot = runtime.registerBot("b", "t");
        String held = submitTo("mail");
        String other = submitTo("default");
        Http.Response paused = http.post("/v1/queues/mail/pause", TestRuntime.ADMIN, Map.of());
        assertEquals(200, paused.status(), paused.toString());
        assertTrue(paused.json().getBoolean("paused"));

        assertEquals(other, bot.claimJobs(10, 0).getFirst().getString("id"));
        assertEquals(List.of(), bot.claimJobs(10, 0), "nothing from the paused queue");
        JsonObject listed = http.get("/v1/queues", TestRuntime.CLIENT).json().getJsonArray("queues")
                .getValuesAs(JsonObject.class).stream().filter(q -> q.getString("name").equals("mail")).findFirst()
                .orElseThrow();
        assertTrue(listed.getBoolean("paused"));
        assertEquals(1, listed.getJsonObject("jobs").getInt("pending"));

        assertEquals(200, http.post("/v1/queues/mail/resume", TestRuntime.ADMIN, Map.of()).status());
        assertEquals(held, bot.claimJobs(10, 0).getFirst().getString("id"));
        assertEquals(403, http.post("/v1/queues/mail/pause", TestRuntime.CLIENT, Map.of()).status());
        assertTrue(http.get("/v1/admin/actions", TestRuntime.ADMIN).body().contains("queue.pause"));
    }

    @Test
    void aLimitedQueueNeverHasMoreClaimedThanItsLimit() {
        TestBot bot = runtime.registerBot("b", "t");
        for (int i = 0; i < 5; i++) {
            submitTo("slow");
        }
        String free = submitTo("default");
        Http.Response limited = http.put("/v1/queues/slow/limit", TestRuntime.ADMIN, Http.obj("maxClaimed", 2));
        assertEquals(200, limited.status(), limited.toString());
        assertEquals(2, limited.json().getInt("maxClaimed"));

        List<JsonObject> got = bot.claimJobs(10, 0);
        assertEquals(3, got.size(), "the free job and two of the limited queue: " + got);
        assertTrue(got.stream().anyMatch(j -> j.getString("id").equals(free)));
        assertEquals(List.of(), bot.claimJobs(10, 0), "the limit is reached");
        JsonObject one = got.stream().filter(j -> j.getString("queue").equals("slow")).findFirst().orElseThrow();
        assertEquals(200, bot.complete(one.getString("id"), one.getString("leaseToken"), Map.of()).status());
        assertEquals(1, bot.claimJobs(10, 0).size(), "room for one again");

        assertEquals(200, http.put("/v1/queues/slow/limit", TestRuntime.ADMIN, Http.obj("maxClaimed", null)).status());
        assertEquals(2, bot.claimJobs(10, 0).size(), "no limit any more");
        assertEquals(400, http.put("/v1/queues/slow/limit", TestRuntime.ADMIN, Http.obj("maxClaimed", -1)).status());
        assertEquals(400, http.put("/v1/queues/slow/limit", TestRuntime.ADMIN, Http.obj()).status());
    }

    @Test
    void theLimitHoldsUnderConcurrentClaims() throws Exception {
        int limit = 3;
        int jobs = 120;
        assertEquals(200, http.put("/v1/queues/q/limit", TestRuntime.ADMIN, Http.obj("maxClaimed", limit)).status());
        for (int i = 0; i < jobs; i += 60) {
            List<JsonObject> batch = new ArrayList<>();
            for (int j = 0; j < 60; j++) {
                batch.add(Http.obj("type", "t", "queue", "q"));
            }
            assertEquals(201, http.post("/v1/jobs/batch", TestRuntime.CLIENT, Http.obj("jobs", batch)).status());
        }
        List<TestBot> bots = new ArrayList<>();
        for (int b = 0; b < 8; b++) {
            bots.add(runtime.registerBot("b" + b, "t"));
        }
        int most = mostClaimedAtOnce(db, "q", bots, jobs);
        assertTrue(most <= limit, "at most " + limit + " claimed at once, saw " + most);
        assertTrue(most >= 2, "the bots did claim in parallel (saw at most " + most + ")");
    }

    /**
     * The bots claim (two at a time) and complete {@code jobs} jobs of {@code queue} concurrently, a
     * thread each, while the database is sampled on a connection of its own; answers the most of
     * the queue's jobs ever seen claimed at once.
     */
    static int mostClaimedAtOnce(io.shepherd.runtime.testing.TestDatabase db, String queue, List<TestBot> bots,
                                 int jobs) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger most = new AtomicInteger();
        Thread sampler = Thread.ofPlatform().start(() -> {
            try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                    "SELECT COUNT(*) FROM jobs WHERE queue = ? AND status = 'claimed'")) {
                ps.setString(1, queue);
                while (running.get()) {
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        most.accumulateAndGet(rs.getInt(1), Math::max);
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        ExecutorService threads = Executors.newFixedThreadPool(bots.size());
        AtomicInteger completed = new AtomicInteger();
        try {
            List<Future<?>> work = new ArrayList<>();
            for (TestBot bot : bots) {
                work.add(threads.submit(() -> {
                    while (completed.get() < jobs) {
                        for (JsonObject j : bot.claimJobs(2, 200)) {
                            Thread.sleep(3);
                            assertEquals(200, bot.complete(j.getString("id"), j.getString("leaseToken"), Map.of())
                                    .status());
                            completed.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            running.set(false);
            sampler.join();
            threads.shutdown();
        }
        assertEquals(jobs, completed.get(), "every job was worked once");
        return most.get();
    }
}
