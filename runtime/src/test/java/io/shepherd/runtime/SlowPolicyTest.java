package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A recovery policy that is slow (a script running into its time limit on every call) meets a
 * burst of failures on a runtime with three pooled connections: the policy decides outside the
 * transaction, so submissions and claims of other jobs are served on time throughout; after
 * {@code Policies.CIRCUIT_FAILURES} failures in a row it is no longer called (its circuit shows
 * open), and the default policy decides at once.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class SlowPolicyTest extends ApiTestBase {
    static final int BURST = 12;

    @Override
    Map<String, String> overrides() {
        try {
            Path scripts = Files.createTempDirectory("shepherd-slow-policy-");
            // catastrophic backtracking: little memory, few statements, as long as the time limit allows
            Files.writeString(scripts.resolve("slow.policy.js"), """
                    function decide(job, ctx) {
                      /^(a|a?)+\\1$/.test('a'.repeat(30) + 'b');
                      return { action: "requeue" };
                    }""");
            return Map.of("scripts.dir", scripts.toString(), "plugins.dir", scripts.resolve("none").toString(),
                    "db.pool-size", "3", "health.check-timeout", "PT1S",
                    "policies.slow.policy", "slow", "policies.slow.max-attempts", "100",
                    "policies.quarantine.consecutive-failures", "0");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aBurstOfFailuresMeetsASlowPolicyAndThePoolNeverRunsDry() throws Exception {
        long loadDeadline = System.nanoTime() + 10_000_000_000L;
        while (!http.get("/v1/admin/plugins", TestRuntime.ADMIN).body().contains("\"slow\"")) {
            assertTrue(System.nanoTime() < loadDeadline, "the script policy was loaded");
            Thread.sleep(100);
        }
        TestBot worker = TestBot.register(http, "worker", "slow");
        TestBot other = TestBot.register(http, "other", "fast");
        for (int i = 0; i < BURST; i++) {
            submit("type", "slow");
        }
        List<JsonObject> held = new ArrayList<>();
        while (held.size() < BURST) {
            held.addAll(worker.claimJobs(BURST - held.size(), 0));
        }
        ExecutorService threads = Executors.newFixedThreadPool(BURST);
        try {
            long t0 = System.nanoTime();
            List<Future<Http.Response>> fails = new ArrayList<>();
            for (JsonObject job : held) {
                fails.add(threads.submit(() -> worker.fail(job.getString("id"), job.getString("leaseToken"), "boom", true)));
            }
            // while the burst is decided: other work is served on time, every time
            long slowest = 0;
            int served = 0;
            while (fails.stream().anyMatch(f -> !f.isDone())) {
                long s0 = System.nanoTime();
                submit("type", "fast");
                List<JsonObject> got = other.claimJobs(1, 0);
                assertEquals(1, got.size());
                assertEquals(200, other.complete(got.getFirst().getString("id"), got.getFirst().getString("leaseToken"),
                        null).status());
                slowest = Math.max(slowest, (System.nanoTime() - s0) / 1_000_000);
                served++;
            }
            long burstMs = (System.nanoTime() - t0) / 1_000_000;
            for (Future<Http.Response> f : fails) {
                Http.Response r = f.get();
                assertEquals(200, r.status(), r.toString());
                assertEquals("pending", r.json().getString("status"), "the default policy decided: " + r);
            }
            System.out.printf("slow policy burst (%s): %d failures decided in %d ms; %d other jobs served meanwhile, "
                    + "slowest %d ms%n", databaseKind, BURST, burstMs, served, slowest);
            assertTrue(served > 0);
            assertTrue(slowest < 800, "submit+claim+complete beside the burst took up to " + slowest + " ms");

            JsonObject slow = http.get("/v1/admin/plugins", TestRuntime.ADMIN).json().getJsonArray("plugins")
                    .getValuesAs(JsonObject.class).stream().filter(p -> p.getString("name").equals("slow"))
                    .findFirst().orElseThrow();
            assertEquals("circuit-open", slow.getString("status"), slow.toString());
            assertTrue(slow.getString("error").contains("time limit") || slow.getString("error").contains("did not finish"),
                    slow.toString());

            // with the circuit open the policy is not called: a failure is decided at once
            submit("type", "slow");
            JsonObject next = worker.claimJobs(1, 0).getFirst();
            long f0 = System.nanoTime();
            Http.Response r = worker.fail(next.getString("id"), next.getString("leaseToken"), "boom", true);
            long tookMs = (System.nanoTime() - f0) / 1_000_000;
            assertEquals(200, r.status());
            assertTrue(tookMs < 500, "decided in " + tookMs + " ms");
        } finally {
            threads.shutdownNow();
        }
    }
}
