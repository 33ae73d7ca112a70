package io.shepherd.examples.echo;

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
import org.junit.jupiter.api.Test;

/**
 * The echo bot as a real process next to real runtime processes on PostgreSQL: it waits for a
 * runtime, heals itself after SIGKILL, drains on SIGTERM, fails over between runtimes, and stops
 * when superseded.
 */
class EchoBotTest {
    static final Duration READY = Duration.ofSeconds(60);

    @Test
    void botStartedBeforeTheRuntimeWaitsForItThenWorksTenJobs() throws Exception {
        try (Stack stack = new Stack()) {
            int port = ChildProcess.freePort();
            ChildProcess bot = stack.echoBot("early", "http://127.0.0.1:" + port, Map.of());
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

    @Test
    void killedBotRestartsAsTheSameBotAndItsJobComesBackAtOnce() throws Exception {
        try (Stack stack = new Stack()) {
            int port = ChildProcess.freePort();
            Http http = Stack.http(port);
            stack.runtime("rt", port).awaitReady(http, READY); // default lease: 30 s
            ChildProcess first = stack.echoBot("same", "http://127.0.0.1:" + port, Map.of());
            String id = Stack.submit(http, Http.obj("sleepMs", 3000));
            JsonObject claimed = Stack.awaitStatus(http, id, "claimed", Duration.ofSeconds(30));
            String botId = claimed.getString("claimedBy");

            first.kill(); // SIGKILL mid-job
            long killedAt = System.nanoTime();
            ChildProcess restarted = stack.echoBot("same", "http://127.0.0.1:" + port, Map.of());
            JsonObject done = Stack.awaitStatus(http, id, "completed", Duration.ofSeconds(25));
            long tookMs = (System.nanoTime() - killedAt) / 1_000_000;

            assertEquals(botId, done.getString("claimedBy"), "the restarted process is the same bot");
            assertTrue(Stack.events(http, id).contains("released/bot-restarted"), Stack.events(http, id).toString());
            assertTrue(tookMs < 20_000, "finished " + tookMs + " ms after the kill, long before the 30 s lease ran out");
            assertTrue(restarted.output().contains("released 1 job(s)"), restarted.output());
            System.out.printf("SIGKILL -> restarted bot finished the job after %d ms (job takes 3000 ms)%n", tookMs);
        }
    }

    @Test
    void sigtermMidJobDrainsWithinTheGraceAndGivesTheJobBack() throws Exception {
        try (Stack stack = new Stack()) {
            int port = ChildProcess.freePort();
            Http http = Stack.http(port);
            stack.runtime("rt", port).awaitReady(http, READY);
            ChildProcess bot = stack.echoBot("term", "http://127.0.0.1:" + port, Map.of("BOT_SHUTDOWN_GRACE_MS", "3000"));
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
            System.out.printf("SIGTERM -> bot exited 0 after %d ms (grace 3000 ms)%n", tookMs);
        }
    }

    @Test
    void sigtermLetsAShortJobFinish() throws Exception {
        try (Stack stack = new Stack()) {
            int port = ChildProcess.freePort();
            Http http = Stack.http(port);
            stack.runtime("rt", port).awaitReady(http, READY);
            ChildProcess bot = stack.echoBot("finish", "http://127.0.0.1:" + port, Map.of("BOT_SHUTDOWN_GRACE_MS", "10000",
                    "SHEPHERD_LOG_LEVELS", "io.shepherd.examples.echo=DEBUG"));
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

    @Test
    void botKeepsWorkingThroughSigkillOfTheRuntimeItUses() throws Exception {
        try (Stack stack = new Stack()) {
            int portA = ChildProcess.freePort();
            int portB = ChildProcess.freePort();
            Http a = Stack.http(portA);
            Http b = Stack.http(portB);
            ChildProcess runtimeA = stack.runtime("a", portA);
            ChildProcess runtimeB = stack.runtime("b", portB);
            runtimeA.awaitReady(a, READY);
            runtimeB.awaitReady(b, READY);
            ChildProcess bot = stack.echoBot("failover", "http://127.0.0.1:" + portA + ",http://127.0.0.1:" + portB, Map.of());
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

    @Test
    void aSupersededProcessStopsWithoutClaimingOrReleasing() throws Exception {
        try (Stack stack = new Stack()) {
            Working w = oneBotWorking(stack, "twin", 60_000);
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

    @Test
    void aJobTakenBackFromALiveBotStopsItsHandlerWithoutALateReport() throws Exception {
        try (Stack stack = new Stack()) {
            Working w = oneBotWorking(stack, "taken", 8000);
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
            System.out.printf("job taken back from a live bot: its handler stopped, the job ran again and finished "
                    + "%d ms after the reset (it takes 8000 ms)%n", tookMs);
        }
    }

    /** A runtime heartbeating every second, one echo bot, and a job of {@code sleepMs} it has claimed. */
    record Working(Http http, ChildProcess bot, String jobId, String botId) {
    }

    static Working oneBotWorking(Stack stack, String name, int sleepMs) throws Exception {
        int port = ChildProcess.freePort();
        Http http = Stack.http(port);
        stack.runtime("rt", port, "heartbeat:", "  interval: PT1S").awaitReady(http, READY);
        ChildProcess bot = stack.echoBot(name, "http://127.0.0.1:" + port, Map.of());
        String id = Stack.submit(http, Http.obj("sleepMs", sleepMs));
        String botId = Stack.awaitStatus(http, id, "claimed", Duration.ofSeconds(30)).getString("claimedBy");
        return new Working(http, bot, id, botId);
    }
}
