package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * JavaScript checks and policies in {@code scripts.dir}, sandboxed: a script that loops, reaches
 * for Java, touches files or does not parse is contained, the endpoint answers in time and the
 * runtime keeps serving; a script policy decides an orphaned job's fate.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class ScriptPluginsTest extends ApiTestBase {
    Path scripts;

    @Override
    Map<String, String> overrides() {
        try {
            scripts = Files.createTempDirectory("shepherd-scripts-");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Map.of("scripts.dir", scripts.toString(), "plugins.dir", scripts.resolve("none").toString(),
                "health.check-timeout", "PT1S",
                "lease.ttl", "PT2S", "heartbeat.interval", "PT1S", "recovery.interval", "PT1S",
                "policies.nightly.policy", "park");
    }

    JsonObject plugin(String name) {
        return http.get("/v1/admin/plugins", TestRuntime.ADMIN).json().getJsonArray("plugins")
                .getValuesAs(JsonObject.class).stream().filter(p -> p.getString("name").equals(name)).findFirst()
                .orElse(null);
    }

    void await(String what, Predicate<Void> condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.test(null)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    @Test
    void hostileScriptsAreContainedAndTheRuntimeServesOn() throws Exception {
        Files.writeString(scripts.resolve("backlog.check.js"), """
                function check(ctx) {
                  const pending = ctx.jobs.pending;
                  return { status: pending < 3 ? "UP" : "DOWN", details: { pending: pending } };
                }
                """);
        Files.writeString(scripts.resolve("spin.check.js"), "function check(ctx) { for (;;) { ctx.now; } }");
        Files.writeString(scripts.resolve("escape.check.js"),
                "function check(ctx) { Java.type('java.lang.System').exit(3); return {status: 'UP'}; }");
        Files.writeString(scripts.resolve("files.check.js"),
                "function check(ctx) { load('/etc/hostname'); return {status: 'UP'}; }");
        Files.writeString(scripts.resolve("tamper.check.js"),
                "'use strict'; function check(ctx) { ctx.jobs.pending = 0; return {status: 'UP'}; }");
        Files.writeString(scripts.resolve("broken.check.js"), "function check(ctx) { return {status: ");
        await("scripts loaded", v -> List.of("backlog", "spin", "escape", "files", "tamper", "broken").stream()
                .allMatch(name -> plugin(name) != null));

        assertEquals("failed", plugin("broken").getString("status"));
        assertTrue(plugin("broken").getString("error").contains("parse"), plugin("broken").toString());

        long t0 = System.nanoTime();
        Http.Response health = http.get("/healthz?fresh=true", TestRuntime.ADMIN);
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(tookMs < 1000 + 1000, "answered in " + tookMs + " ms (timeout 1 s)");
        assertEquals(503, health.status());
        JsonObject checks = health.json().getJsonObject("checks");
        assertEquals("UP", checks.getJsonObject("backlog").getString("status"));
        assertEquals(0, checks.getJsonObject("backlog").getJsonObject("details").getInt("pending"));
        for (String contained : List.of("spin", "escape", "files", "tamper")) {
            assertEquals("DOWN", checks.getJsonObject(contained).getString("status"), contained + ": " + checks);
        }
        assertTrue(checks.getJsonObject("escape").getJsonObject("details").getString("reason").contains("Java"),
                checks.getJsonObject("escape").toString());
        assertTrue(checks.getJsonObject("files").getJsonObject("details").getString("reason").contains("not allowed"),
                checks.getJsonObject("files").toString());
        assertEquals(201, http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t")).status(), "serving on");
        assertEquals(200, http.get("/livez", null).status());

        // an edit is picked up without a restart: the broken script is fixed, the spinning one removed
        Files.writeString(scripts.resolve("broken.check.js"), "function check(ctx) { return {status: 'UP'}; }");
        Files.delete(scripts.resolve("spin.check.js"));
        await("edits picked up", v -> {
            JsonObject broken = plugin("broken"); // read once: the folder's reload may list it a moment later again
            return broken != null && "loaded".equals(broken.getString("status")) && plugin("spin") == null;
        });
        checks = http.get("/healthz?fresh=true", TestRuntime.ADMIN).json().getJsonObject("checks");
        assertEquals("UP", checks.getJsonObject("broken").getString("status"));
        assertTrue(!checks.containsKey("spin"));
    }

    @Test
    void theShippedExampleScriptsLoadAndWork() throws Exception {
        try (var examples = Files.list(Path.of("..", "examples", "scripts"))) {
            for (Path script : examples.toList()) {
                Files.copy(script, scripts.resolve(script.getFileName()));
            }
        }
        await("examples loaded", v -> plugin("backlog") != null && plugin("nightly") != null);
        assertEquals("loaded", plugin("backlog").getString("status"), plugin("backlog").toString());
        assertEquals("loaded", plugin("nightly").getString("status"), plugin("nightly").toString());
        JsonObject backlog = http.get("/healthz?fresh=true", TestRuntime.ADMIN).json().getJsonObject("checks").getJsonObject("backlog");
        assertEquals("UP", backlog.getString("status"), backlog.toString());
    }

    @Test
    void aScriptPolicyDecidesTheFateOfAnOrphanedJob() throws Exception {
        Files.writeString(scripts.resolve("park.policy.js"), """
                // orphaned nightly jobs wait an hour; a failed one is given up on
                function decide(job, ctx) {
                  if (job.reason === "lease-expired") return { action: "requeue", delayMs: 3600000 };
                  return { action: "dead" };
                }
                """);
        await("policy loaded", v -> plugin("park") != null && "loaded".equals(plugin("park").getString("status")));
        String id = submit("type", "nightly").getString("id");
        TestBot bot = runtime.registerBot("b", "nightly");
        bot.claimJobs(1, 0); // ...and the bot goes silent
        await("rescued", v -> {
            try {
                return "pending".equals(row(id).get("status"));
            } catch (Exception e) {
                return false;
            }
        });
        JsonObject job = http.get("/v1/jobs/" + id, TestRuntime.CLIENT).json();
        long delay = java.time.Instant.parse(job.getString("runAt")).toEpochMilli()
                - java.time.Instant.parse(job.getString("updatedAt")).toEpochMilli();
        assertEquals(3_600_000, delay, "the script's decision, not the default policy's");
        assertEquals(0, runtime.server().policies().failures());

        // a failure of the same type: the script says dead
        String other = submit("type", "nightly", "priority", 1).getString("id");
        JsonObject held = bot.claimJobs(1, 0).getFirst();
        assertEquals(other, held.getString("id"));
        assertEquals("dead", bot.fail(other, held.getString("leaseToken"), "boom", true).json().getString("status"));
    }

    @Test
    void aPolicyScriptThatLoopsFallsBackToTheDefaultPolicy() throws Exception {
        Files.writeString(scripts.resolve("park.policy.js"), "function decide(job, ctx) { while (true) { ctx.now; } }");
        await("policy loaded", v -> plugin("park") != null);
        String id = submit("type", "nightly").getString("id");
        TestBot bot = runtime.registerBot("b", "nightly");
        JsonObject held = bot.claimJobs(1, 0).getFirst();
        Http.Response failed = bot.fail(id, held.getString("leaseToken"), "boom", true);
        assertEquals(200, failed.status());
        assertEquals("pending", failed.json().getString("status"), "the default policy retried it");
        assertEquals(1, runtime.server().policies().failures(), "and the failure was counted");
    }
}
