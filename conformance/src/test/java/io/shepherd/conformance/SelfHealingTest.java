package io.shepherd.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.shepherd.runtime.testing.ChildProcess;
import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The self-healing every SDK gives its bots, checked once for each language: the echo bot (Java or
 * Python) as a real process next to real runtime processes on PostgreSQL. It waits for a runtime,
 * works many jobs at once, heals itself after SIGKILL, drains on SIGTERM, fails over between
 * runtimes, stops when superseded, and stops a handler whose job was taken back or cancelled
 * without a late report.
 */
@Execution(ExecutionMode.CONCURRENT) // two scenarios at a time: see junit-platform.properties
class SelfHealingTest {
    static final Duration READY = Duration.ofSeconds(60);

    @ParameterizedTest
    @EnumSource(value = BotLanguage.class, names = {"JAVA", "PYTHON"}) // the handler's style plays no part
    void botStartedBeforeTheRuntimeWaitsForItThenWorksTenJobs(BotLanguage language) throws Exception {
        try (Stack stack = new Stack()) {
            int port = ChildProcess.freePort();
            ChildProcess bot = stack.echoBot(language, "early", "http://127.0.0.1:" + port, Map.of());
            Thread.sleep(5000);
            assertTrue(bot.process().isAlive(), "the bot does not crash while no runtime answers:\n" + bot.output());
            Http http = Stack.http(port);
            ChildProcess runtime = stack.runtime("rt", port);
            runtime.awaitReady(http, READY);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ids.add(Stack.submit(http, Http.obj("n", i)));
            }
            for (int i = 0; i < 10; i++) {
                JsonObject done = Stack.awaitStatus(http, ids.get(i), "completed", Duration.ofSeconds(30));
                assertEquals(i, done.getJsonObject("result").getInt("n"), "the echo is the payload");
            }
            assertTrue(bot.output().contains("No runtime ready"), bot.output());
            assertTrue(bot.output().contains("Registered as bot"), bot.output());
        }
    }

    @ParameterizedTest
    @EnumSource(value = BotLanguage.class, names = {"JAVA", "PYTHON"}) // the handler's style plays no part
    void killedBotRestartsAsTheSameBotAndItsJobComesBackAtOnce(BotLanguage language) throws Exception {
        try (Stack stack = new Stack()) {
            Http http = stack.readyRuntime("rt"); // default lease: 30 s
            ChildProcess first = stack.echoBot(language, "same", http.base(), Map.of());
            String id = Stack.submit(http, Http.obj("sleepMs", 3000));
            JsonObject claimed = Stack.awaitStatus(http, id, "claimed", Duration.ofSeconds(30));
            String botId = claimed.getString("claimedBy");

            first.kill(); // SIGKILL mid-job
            long killedAt = System.nanoTime();
            ChildProcess restarted = stack.echoBot(language, "same", http.base(), Map.of());
            JsonObject done = Stack.awaitStatus(http, id, "completed", Duration.ofSeconds(25));
            long tookMs = (System.nanoTime() - killedAt) / 1_000_000;

            assertEquals(botId, done.getString("claimedBy"), "the restarted process is the same bot");
            assertTrue(Stack.events(http, id).contains("released/bot-restarted"), Stack.events(http, id).toString());
            assertTrue(tookMs < 20_000, "finished " + tookMs + " ms after the kill, long before the 30 s lease ran out");
            assertTrue(restarted.output().contains("released 1 job(s)"), restarted.output());
            System.out.printf(language + ": SIGKILL -> restarted bot finished the job after %d ms (job takes 3000 ms)%n", tookMs);
        }
    }

    /** Both SDKs keep the identity in the same file: a bot rewritten in the other language stays the same bot. */
    @org.junit.jupiter.api.Test
    void aJavaBotKilledMidJobComesBackAsAPythonBotWithTheSameIdentity() throws Exception {
        try (Stack stack = new Stack()) {
            Http http = stack.readyRuntime("rt");
            ChildProcess java = stack.echoBot(BotLanguage.JAVA, "switch", http.base(), Map.of());
            String id = Stack.submit(http, Http.obj("sleepMs", 3000));
            String botId = Stack.awaitStatus(http, id, "claimed", Duration.ofSeconds(30)).getString("claimedBy");

            java.kill();
            ChildProcess python = stack.echoBot(BotLanguage.PYTHON, "switch", http.base(), Map.of());
            JsonObject done = Stack.awaitStatus(http, id, "completed", Duration.ofSeconds(25));
            assertEquals(botId, done.getString("claimedBy"), "the Python process resumed the Java bot's identity");
            assertTrue(Stack.events(http, id).contains("released/bot-restarted"), Stack.events(http, id).toString());
            assertTrue(python.output().contains("Resumed bot " + botId), python.output());
            assertTrue(python.output().contains("released 1 job(s)"), python.output());
        }
    }

    @ParameterizedTest
    @EnumSource(BotLanguage.class)
    void sigtermMidJobDrainsWithinTheGraceAndGivesTheJobBack(BotLanguage language) throws Exception {
        try (Stack stack = new Stack()) {
            Http http = stack.readyRuntime("rt");
            ChildProcess bot = stack.echoBot(language, "term", http.base(), Map.of("BOT_SHUTDOWN_GRACE_MS", "3000"));
            String id = Stack.submit(http, Http.obj("sleepMs", 60_000));
            JsonObject claimed = Stack.awaitStatus(http, id, "claimed", Duration.ofSeconds(30));
            String botId = claimed.getString("claimedBy");

            long signalled = System.nanoTime();
            bot.process().destroy(); // SIGTERM
            assertTrue(bot.process().waitFor(10, TimeUnit.SECONDS), "the bot exits");
            long tookMs = (System.nanoTime() - signalled) / 1_000_000;
            assertEquals(0, bot.process().exitValue(), bot.output());
            assertTrue(tookMs < 3000 + 1500, "exited " + tookMs + " ms after SIGTERM (grace 3000 ms)");

            assertEquals("pending", Stack.job(http, id).getString("status"), "the job is back at once");
            assertTrue(Stack.events(http, id).contains("released/deregistered"), Stack.events(http, id).toString());
            assertEquals("offline", http.get("/v1/bots/" + botId, TestRuntime.ADMIN).json().getString("status"));
            System.out.printf(language + ": SIGTERM -> bot exited 0 after %d ms (grace 3000 ms)%n", tookMs);
        }
    }

    @ParameterizedTest
    @EnumSource(BotLanguage.class)
    void sigtermLetsAShortJobFinish(BotLanguage language) throws Exception {
        try (Stack stack = new Stack()) {
            Http http = stack.readyRuntime("rt");
            ChildProcess bot = stack.echoBot(language, "finish", http.base(), Map.of("BOT_SHUTDOWN_GRACE_MS", "10000"));
            String id = Stack.submit(http, Http.obj("sleepMs", 1500));
            Stack.awaitStatus(http, id, "claimed", Duration.ofSeconds(30));
            // "claimed" is the runtime's word; the bot holds the job once its handler runs. A claim
            // still in flight when SIGTERM lands is given back at deregistration instead (another test).
            bot.awaitOutput("Echoing job " + id, Duration.ofSeconds(10));
            bot.process().destroy();
            assertTrue(bot.process().waitFor(15, TimeUnit.SECONDS));
            assertEquals(0, bot.process().exitValue(), bot.output());
            assertEquals("completed", Stack.job(http, id).getString("status"), "finished within the grace");
        }
    }

    @ParameterizedTest
    @EnumSource(value = BotLanguage.class, names = {"JAVA", "PYTHON"}) // the handler's style plays no part
    void botKeepsWorkingThroughSigkillOfTheRuntimeItUses(BotLanguage language) throws Exception {
        try (Stack stack = new Stack()) {
            int portA = ChildProcess.freePort();
            int portB = ChildProcess.freePort();
            Http a = Stack.http(portA);
            Http b = Stack.http(portB);
            ChildProcess runtimeA = stack.runtime("a", portA);
            ChildProcess runtimeB = stack.runtime("b", portB);
            runtimeA.awaitReady(a, READY);
            runtimeB.awaitReady(b, READY);
            ChildProcess bot = stack.echoBot(language, "failover", "http://127.0.0.1:" + portA + ",http://127.0.0.1:" + portB, Map.of());
            List<String> before = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                before.add(Stack.submit(a, Http.obj("sleepMs", 100)));
            }
            for (String id : before) {
                Stack.awaitStatus(a, id, "completed", Duration.ofSeconds(30));
            }

            runtimeA.kill(); // the runtime the bot was using
            List<String> after = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                after.add(Stack.submit(b, Http.obj("sleepMs", 100)));
            }
            for (String id : after) {
                Stack.awaitStatus(b, id, "completed", Duration.ofSeconds(60));
            }
            assertTrue(bot.process().isAlive(), bot.output());
        }
    }

    @ParameterizedTest
    @EnumSource(BotLanguage.class)
    void aSupersededProcessStopsWithoutClaimingOrReleasing(BotLanguage language) throws Exception {
        try (Stack stack = new Stack()) {
            Working w = oneBotWorking(language, stack, "twin", 60_000);
            Http http = w.http();
            ChildProcess bot = w.bot();
            String id = w.jobId();
            String botId = w.botId();

            // another process with the same identity opens a newer session
            String token = jakarta.json.Json.createReader(new java.io.StringReader(
                    Files.readString(stack.dir.resolve("bot-twin").resolve("state").resolve("bot.json"))))
                    .readObject().getString("token");
            assertEquals(201, http.post("/v1/bots/" + botId + "/sessions", token, null).status());
            assertTrue(bot.process().waitFor(15, TimeUnit.SECONDS), "the superseded process stops");
            assertTrue(bot.output().contains("superseded"), bot.output());
            assertEquals("pending", Stack.job(http, id).getString("status"), "released by the new session, once");
            assertEquals(1, Stack.events(http, id).stream().filter(e -> e.startsWith("released/")).count());
        }
    }

    @ParameterizedTest
    @EnumSource(BotLanguage.class)
    void aJobTakenBackFromALiveBotStopsItsHandlerWithoutALateReport(BotLanguage language) throws Exception {
        try (Stack stack = new Stack()) {
            Working w = oneBotWorking(language, stack, "taken", 8000);
            Http http = w.http();
            ChildProcess bot = w.bot();
            String id = w.jobId();
            String botId = w.botId();

            // an operator resets the bot while it works: the job is no longer its own
            assertEquals(200, http.post("/v1/bots/" + botId + "/reset", TestRuntime.ADMIN, null).status());
            long resetAt = System.nanoTime();
            Stack.awaitStatus(http, id, "completed", Duration.ofSeconds(30));
            long tookMs = (System.nanoTime() - resetAt) / 1_000_000;

            List<String> events = Stack.events(http, id);
            assertTrue(events.stream().noneMatch(e -> e.startsWith("refused/")),
                    "the stopped handler reported nothing late: " + events);
            assertTrue(events.contains("released/bot-reset"), events.toString());
            assertTrue(bot.output().contains("no longer held by this bot"), bot.output());
            // heard within a heartbeat, claimed again and run for 8 s; a handler left running would take 8 s more
            assertTrue(tookMs < 8000 + 4000, "completed " + tookMs + " ms after the reset");
            System.out.printf(language + ": job taken back from a live bot: its handler stopped, the job ran again and finished "
                    + "%d ms after the reset (it takes 8000 ms)%n", tookMs);
        }
    }

    @ParameterizedTest
    @EnumSource(BotLanguage.class)
    void aBotOfConcurrencyFourWorksJobsSideBySideAndFailsWhatAsksToFail(BotLanguage language) throws Exception {
        try (Stack stack = new Stack()) {
            Http http = stack.readyRuntime("rt");
            stack.echoBot(language, "four", http.base(), Map.of("BOT_CONCURRENCY", "4"));
            Stack.awaitStatus(http, Stack.submit(http, Http.obj("n", 0)), "completed", Duration.ofSeconds(30));

            long t0 = System.nanoTime();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                ids.add(Stack.submit(http, Http.obj("sleepMs", 500, "n", i)));
            }
            Http.Response failing = http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "echo",
                    "payload", Http.obj("fail", true), "maxAttempts", 2));
            String failed = failing.json().getString("id");
            for (String id : ids) {
                Stack.awaitStatus(http, id, "completed", Duration.ofSeconds(30));
            }
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            // one at a time the 24 jobs take 12 s; four at a time 3 s
            assertTrue(tookMs < 9000, "24 jobs of 500 ms took " + tookMs + " ms with concurrency 4");

            JsonObject dead = Stack.awaitStatus(http, failed, "dead", Duration.ofSeconds(60));
            assertEquals(2, dead.getInt("attempt"), dead.toString());
            assertTrue(dead.getString("lastError").contains("the payload asked to fail"), dead.toString());
            System.out.printf("%s bot, concurrency 4: 24 jobs of 500 ms in %d ms%n", language, tookMs);
        }
    }

    @ParameterizedTest
    @EnumSource(BotLanguage.class)
    void aCancelledJobStopsItsHandlerReportsNothingAndFreesTheSlot(BotLanguage language) throws Exception {
        try (Stack stack = new Stack()) {
            Working w = oneBotWorking(language, stack, "cancel", 60_000);
            Http http = w.http();
            w.bot().awaitOutput("Echoing job " + w.jobId(), Duration.ofSeconds(10));

            Http.Response cancelled = http.post("/v1/jobs/" + w.jobId() + "/cancel", TestRuntime.CLIENT, null);
            assertEquals(200, cancelled.status(), cancelled.toString());
            w.bot().awaitOutput("Job " + w.jobId() + " stopped: it was cancelled", Duration.ofSeconds(10));
            assertEquals("cancelled", Stack.job(http, w.jobId()).getString("status"));

            // its only slot is free again: the next job is worked at once
            String next = Stack.submit(http, Http.obj("n", 2));
            Stack.awaitStatus(http, next, "completed", Duration.ofSeconds(20));
            List<String> events = Stack.events(http, w.jobId());
            assertTrue(events.stream().noneMatch(e -> e.startsWith("refused/") || e.startsWith("completed/")),
                    "nothing was reported for the cancelled job: " + events);
            assertTrue(w.bot().alive(), w.bot().output());
        }
    }

    /** A runtime heartbeating every second, one echo bot, and a job of {@code sleepMs} it has claimed. */
    record Working(Http http, ChildProcess bot, String jobId, String botId) {
    }

    static Working oneBotWorking(BotLanguage language, Stack stack, String name, int sleepMs) throws Exception {
        Http http = stack.readyRuntime("rt", "heartbeat:", "  interval: PT1S");
        ChildProcess bot = stack.echoBot(language, name, http.base(), Map.of());
        String id = Stack.submit(http, Http.obj("sleepMs", sleepMs));
        String botId = Stack.awaitStatus(http, id, "claimed", Duration.ofSeconds(30)).getString("claimedBy");
        return new Working(http, bot, id, botId);
    }
}
