package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** Eight bots drain 2,000 jobs through the HTTP API at once: each job is completed exactly once. */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class ConcurrencyTest extends ApiTestBase {
    static final int JOBS = 2000;
    static final int BOTS = 8;

    @Test
    void eightBotsDrainTwoThousandJobsEachCompletedExactlyOnce() throws Exception {
        for (int batch = 0; batch < JOBS / 1000; batch++) {
            var jobs = Json.createArrayBuilder();
            for (int i = 0; i < 1000; i++) {
                jobs.add(Http.obj("type", "work", "payload", Http.obj("n", batch * 1000 + i)));
            }
            assertEquals(201, http.post("/v1/jobs/batch", TestRuntime.CLIENT,
                    Json.createObjectBuilder().add("jobs", jobs).build()).status());
        }

        Map<String, Integer> completions = new ConcurrentHashMap<>();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(BOTS);
        List<Future<?>> bots = new ArrayList<>();
        for (int b = 0; b < BOTS; b++) {
            TestBot bot = runtime.registerBot("bot-" + b, "work");
            bots.add(pool.submit(() -> {
                int emptyInARow = 0;
                while (emptyInARow < 3) {
                    Http.Response claim = bot.claim(1 + (bot.id.hashCode() & 3), 200);
                    statuses.computeIfAbsent(claim.status(), k -> new AtomicInteger()).incrementAndGet();
                    if (claim.status() == 204) {
                        emptyInARow++;
                        continue;
                    }
                    emptyInARow = 0;
                    for (JsonObject job : claim.json().getJsonArray("jobs").getValuesAs(JsonObject.class)) {
                        Http.Response done = bot.complete(job.getString("id"), job.getString("leaseToken"),
                                job.getJsonObject("payload"));
                        statuses.computeIfAbsent(done.status(), k -> new AtomicInteger()).incrementAndGet();
                        if (done.status() == 200) {
                            completions.merge(job.getString("id"), 1, Integer::sum);
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : bots) {
            f.get();
        }
        pool.shutdown();

        assertTrue(statuses.keySet().stream().allMatch(s -> s == 200 || s == 204), "statuses seen: " + statuses);
        assertEquals(JOBS, completions.size());
        assertTrue(completions.values().stream().allMatch(n -> n == 1));
        assertEquals(JOBS, count("SELECT COUNT(*) FROM jobs WHERE status = 'completed'"));
        assertEquals(JOBS, count("SELECT COUNT(*) FROM job_events WHERE kind = 'completed'"));
        assertEquals(JOBS, count("SELECT COUNT(*) FROM job_events WHERE kind = 'claimed'"));
        assertEquals(0, count("SELECT COUNT(*) FROM (SELECT job_id FROM job_events WHERE kind = 'completed' "
                + "GROUP BY job_id HAVING COUNT(*) > 1) t"));
    }
}
