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
 * 512 MiB limit; the embedded database in the same heap) keeps serving claims while hostile scripts run over and over: fast and slow allocation, huge
 * strings, a single allocation larger than the heap, deep recursion, endless loops, throwing, and
 * catching what stops them — as health checks every quarter second and as the recovery policy of
 * the jobs being failed. Each is stopped by the limit it meets, and says which. (With 256 MiB, on
 * a fast machine the scripts' overshoot between two watchdog looks filled the heap in about a
 * third of the runs, and an out-of-memory error in H2's background writer broke the embedded
 * store: what the sandbox does not guarantee, said in {@code ScriptSandbox}.)
 */
class HostileScriptsTest {
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
        try (ChildProcess runtime = ChildProcess.serve(home, "", port, Map.of("JAVA_TOOL_OPTIONS", "-Xmx358m"),
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
            runtime.output().lines().filter(l -> l.contains("OutOfMemory") || l.contains("heap space"))
                    .limit(20).forEach(l -> System.out.println("runtime: " + l));
            claimMillis.sort(null);
            long p99 = claimMillis.get((int) (claimMillis.size() * 0.99));
            System.out.printf("hostile scripts: %d completed, %d failed through the hostile policy, claim p50 %d ms, "
                    + "p99 %d ms%n", completed, failedAndDecided, claimMillis.get(claimMillis.size() / 2), p99);
            assertTrue(completed >= 20, "claims kept being served: " + completed);
            assertTrue(failedAndDecided >= 5, "failures kept being decided: " + failedAndDecided);

            JsonObject checks = http.get("/healthz?fresh=true", TestRuntime.ADMIN).json().getJsonObject("checks");
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

    static String reason(JsonObject checks, String name) {
        JsonObject check = checks.getJsonObject(name);
        assertEquals("DOWN", check.getString("status"), name + ": " + check);
        return check.getJsonObject("details").getString("reason");
    }

    private static String tail(String output) {
        List<String> lines = output.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
