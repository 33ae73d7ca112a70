package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.testing.ChildProcess;
import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * A runtime started with the heap a pod of the manifests gets ({@code -Xmx358m}: 70 % of the
 * 512 MiB limit; the embedded database in the same heap) keeps serving claims, and never runs out
 * of heap, while hostile scripts run over and over: fast and slow allocation, huge strings, a
 * single allocation larger than the heap, deep recursion, endless loops, throwing, and catching
 * what stops them — as health checks every quarter second and as the recovery policy of the jobs
 * being failed. Each is stopped by the limit it meets, and says which.
 *
 * <p>{@code -Dhostile.heap=128m} runs it with less heap, to see the margin: with the memory looked
 * at every 5 ms and no heap guard it failed 2 of 3 runs there (a 500 from a full heap), as it had
 * once in CI at 358 MiB on a faster machine; with both, 1 of 8 (see {@code ScriptSandbox}).
 */
class HostileScriptsTest {
    static final String HEAP = System.getProperty("hostile.heap", "358m");
    static final Map<String, String> SCRIPTS = Map.of(
            "fast.check.js", "function check(ctx) { const kept = []; for (;;) { kept.push(new Float64Array(1 << 16)); } }",
            "slow.check.js", """
                    function check(ctx) {
                      const kept = [];
                      for (let i = 0; ; i++) { kept.push('x'.repeat(2000) + i); for (let j = 0; j < 3; j++) { ctx.now; } }
                    }""",
            "strings.check.js", "function check(ctx) { let s = 'ab'; for (;;) { s = (s + s).split('').join(''); } }",
            "huge.check.js", "function check(ctx) { const a = new Float64Array(1 << 28); return {status: 'UP'}; }",
            "deep.check.js", "function check(ctx) { function f(n) { return f(n + 1) + 1; } return f(0); }",
            "spin.check.js", "function check(ctx) { for (;;) { try { for (;;) {} } catch (e) { } finally { continue; } } }",
            "throws.check.js", "function check(ctx) { throw new Error('always'); }",
            "hog.policy.js", """
                    function decide(job, ctx) {
                      const kept = []; for (;;) { kept.push(new Float64Array(1 << 16)); }
                    }""");

    @Test
    void aSmallHeapServesClaimsWhileHostileScriptsRunOverAndOver() throws Exception {
        Path home = Files.createTempDirectory("shepherd-hostile-");
        Path scripts = Files.createDirectories(home.resolve("scripts"));
        for (var script : SCRIPTS.entrySet()) {
            Files.writeString(scripts.resolve(script.getKey()), script.getValue());
        }
        int port = ChildProcess.freePort();
        Http http = new Http("http://127.0.0.1:" + port);
        try (ChildProcess runtime = ChildProcess.serve(home, "", port, Map.of("JAVA_TOOL_OPTIONS", "-Xmx" + HEAP),
                "scripts:", "  dir: " + scripts, "  memory-limit: 16m", "  runners: 2",
                "plugins:", "  dir: " + home.resolve("no-plugins"),
                "health:", "  interval: PT0.25S", "  check-timeout: PT1S",
                "policies:", "  quarantine:", "    consecutive-failures: 0",
                "  hostile:", "    policy: hog", "    max-attempts: 1000")) {
            runtime.awaitReady(http, Duration.ofSeconds(60));
            TestBot bot = TestBot.register(http, "worker", "hostile", "plain");
            int completed = 0;
            int failedAndDecided = 0;
            List<Long> claimMillis = new ArrayList<>();
            long end = System.nanoTime() + Duration.ofSeconds(25).toNanos();
            while (System.nanoTime() < end) {
              try {
                assertEquals(201, http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "plain")).status());
                assertEquals(201, http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "hostile")).status());
                long t0 = System.nanoTime();
                List<JsonObject> jobs = bot.claimJobs(2, 0);
                claimMillis.add((System.nanoTime() - t0) / 1_000_000);
                for (JsonObject job : jobs) {
                    if (job.getString("type").equals("plain")) {
                        var done = bot.complete(job.getString("id"), job.getString("leaseToken"), null);
                        assertEquals(200, done.status(), () -> done + "\nthe runtime's output, its end:\n" + tail(runtime.output()));
                        completed++;
                    } else {
                        // the hostile policy decides this one: it is stopped, the default policy decides instead
                        var failed = bot.fail(job.getString("id"), job.getString("leaseToken"), "boom", true);
                        assertEquals(200, failed.status(), () -> failed + "\nthe runtime's output, its end:\n" + tail(runtime.output()));
                        assertEquals("pending", failed.json().getString("status"));
                        failedAndDecided++;
                    }
                }
                assertTrue(runtime.alive(), runtime.output());
              } catch (AssertionError e) {
                  throw new AssertionError(e.getMessage() + "\nthe runtime's output, its end:\n" + tail(runtime.output()), e);
              }
            }
            List<String> outOfMemory = runtime.output().lines()
                    .filter(l -> l.contains("OutOfMemory") || l.contains("heap space")).limit(20).toList();
            claimMillis.sort(null);
            long p99 = claimMillis.get((int) (claimMillis.size() * 0.99));
            System.out.printf("hostile scripts: %d completed, %d failed through the hostile policy, claim p50 %d ms, "
                    + "p99 %d ms%n", completed, failedAndDecided, claimMillis.get(claimMillis.size() / 2), p99);
            assertEquals(List.of(), outOfMemory, "the runtime never ran out of heap");
            assertTrue(completed >= 20, "claims kept being served: " + completed);
            assertTrue(failedAndDecided >= 5, "failures kept being decided: " + failedAndDecided);

            JsonObject checks = checksOfTheirOwn(http);
            assertTrue(reason(checks, "fast").contains("memory limit 16 MiB"), reason(checks, "fast"));
            assertTrue(reason(checks, "slow").contains("memory limit") || reason(checks, "slow").contains("statement limit"),
                    reason(checks, "slow"));
            assertTrue(reason(checks, "spin").contains("statement limit"), reason(checks, "spin"));
            assertTrue(reason(checks, "deep").startsWith("threw: RangeError"), reason(checks, "deep"));
            assertTrue(reason(checks, "throws").contains("always"), reason(checks, "throws"));
            assertTrue(!reason(checks, "huge").isEmpty(), reason(checks, "huge"));
            assertEquals("UP", checks.getJsonObject("database").getString("status"), checks.toString());
            assertTrue(runtime.output().contains("memory limit"), "the hostile policy's stop is logged");
            assertEquals(200, http.get("/livez", null).status());
            assertTrue(runtime.alive());
        } finally {
            try (var walk = Files.walk(home)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** What stops a run whatever it does: the heap guard, a round that could not wait for it, a full pool. */
    static final List<String> NOT_THE_SCRIPTS_OWN = List.of("scripts.heap-guard", "(hung)", "timed out after", "not run:");

    /**
     * Every check run now, once more while any answer was not the script's own doing (the heap guard
     * stops whatever runs; a run held up by the load that just ended may still be going): which limit
     * each script meets of its own is what is asked here.
     */
    static JsonObject checksOfTheirOwn(Http http) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonObject checks;
        do {
            checks = http.get("/healthz?fresh=true", TestRuntime.ADMIN).json().getJsonObject("checks");
            String all = checks.toString();
            if (NOT_THE_SCRIPTS_OWN.stream().noneMatch(all::contains)) {
                return checks;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < end);
        throw new AssertionError("for 30 s every round of checks had an answer that was not a script's own: " + checks);
    }

    static String reason(JsonObject checks, String name) {
        JsonObject check = checks.getJsonObject(name);
        assertEquals("DOWN", check.getString("status"), name + ": " + check);
        return check.getJsonObject("details").getString("reason");
    }

    /** The runtime's warnings and errors (where a failed answer's cause is), then its last lines. */
    private static String tail(String output) {
        List<String> lines = output.lines().toList();
        List<String> trouble = lines.stream().filter(l -> l.contains("\"level\":\"ERROR\"") || l.contains("\"level\":\"WARN")
                || l.contains("OutOfMemory") || l.contains("Exception")).limit(40).toList();
        return "its warnings and errors:\n" + String.join("\n", trouble) + "\nits end:\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
