package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import io.shepherd.runtime.testing.TestBot;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** The policies file is edited under a running runtime: good edits apply within seconds, bad ones are refused. */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2"})
class PolicyReloadTest extends ApiTestBase {
    Path policies;
    /** Held strongly: JUL forgets a logger nobody references, and with it the handler. */
    final Logger watcherLog = Logger.getLogger(io.shepherd.runtime.lifecycle.WatchedFile.class.getName());
    final List<String> logged = new CopyOnWriteArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record.getLevel() + " " + record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @Override
    Map<String, String> overrides() {
        try {
            policies = Files.createTempFile("policies", ".yaml");
            Files.writeString(policies, "default:\n  max-attempts: 5\nreport:\n  max-attempts: 7\n");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        // no sweeps: the bot fails on purpose many times and must not be quarantined for it
        return Map.of("policies", policies.toString(), "recovery.enabled", "false");
    }

    @AfterEach
    void cleanUp() throws Exception {
        watcherLog.removeHandler(capture);
        Files.deleteIfExists(policies);
    }

    /** Submits, claims and fails (retryable) one job of the type; returns its status afterwards. */
    String failOnce(TestBot bot, String type) {
        submit("type", type);
        JsonObject job = bot.claimJobs(1, 0).getFirst();
        return bot.fail(job.getString("id"), job.getString("leaseToken"), "boom", true).json().getString("status");
    }

    @Test
    void editedPolicyTakesEffectWithinFiveSecondsAndABadEditIsRefused() throws Exception {
        watcherLog.addHandler(capture); // after start: the runtime (re)reads the logging configuration
        assertEquals(7, submit("type", "report").getInt("maxAttempts"), "policy in force at start");
        TestBot bot = runtime.registerBot("b", "report", "email");
        assertEquals("pending", failOnce(bot, "email"), "default policy: retry with backoff");

        Files.writeString(policies, "default:\n  max-attempts: 5\nemail:\n  policy: dead-letter\n");
        long edited = System.nanoTime();
        String status = "pending";
        while (!"dead".equals(status) && System.nanoTime() - edited < 10_000_000_000L) {
            Thread.sleep(200);
            status = failOnce(bot, "email");
        }
        long tookMs = (System.nanoTime() - edited) / 1_000_000;
        assertEquals("dead", status);
        assertTrue(tookMs < 5000, "took effect after " + tookMs + " ms");
        assertEquals(5, submit("type", "report").getInt("maxAttempts"), "report's own entry is gone");

        logged.clear();
        Files.writeString(policies, "default:\n  max-attempts: none\nemail:\n  policy: backoff\n");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (logged.stream().noneMatch(l -> l.startsWith("WARNING Rejected")) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        String rejection = logged.stream().filter(l -> l.startsWith("WARNING Rejected")).findFirst().orElse("");
        assertTrue(rejection.contains("default.max-attempts must be a whole number"), logged.toString());
        assertTrue(rejection.contains("last good recovery policies stay in force"), rejection);
        assertEquals("dead", failOnce(bot, "email"), "the last good policy is still in force");

        Files.writeString(policies, "email:\n  backoff:\n    initial: PT10S\n    jitter: 0\n");
        deadline = System.nanoTime() + 5_000_000_000L;
        while (!"pending".equals(status) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            status = failOnce(bot, "email");
        }
        assertEquals("pending", status, "a good edit after a bad one applies");
    }
}
