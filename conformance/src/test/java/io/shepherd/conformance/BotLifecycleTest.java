package io.shepherd.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
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
 * The operator's levers and the timeout, checked once for each SDK on a real echo-bot process
 * (Java or Python) next to a real runtime process on PostgreSQL: a hung handler taken back while its process heartbeats, a drained bot
 * exiting cleanly or idling, a revoked bot refused and stopping, progress seen from outside.
 */
@Execution(ExecutionMode.CONCURRENT) // two scenarios at a time: see junit-platform.properties
class BotLifecycleTest {
    static final Duration READY = Duration.ofSeconds(60);
    /** Heartbeats and sweeps every second, so each lever shows within a few seconds. */
    static final String[] FAST = {"heartbeat:", "  interval: PT1S", "recovery:", "  interval: PT1S"};

    static JsonObject bot(Http http, String id) {
        return http.get("/v1/bots/" + id, TestRuntime.ADMIN).json();
    }

    static void awaitBotStatus(Http http, String id, String status, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!status.equals(bot(http, id).getString("status"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("bot " + id + " not " + status + ": " + bot(http, id));
            }
            Thread.sleep(50);
        }
    }

    @ParameterizedTest
    @EnumSource(BotLanguage.class)
    void aHungHandlerIsTakenBackByItsTimeoutWhileTheProcessHeartbeats(BotLanguage language) throws Exception {
        try (Stack stack = new Stack()) {
            // lost-after 6 s: the runtime holds an idle bot's long poll 5 s, so its polls are seen soon
            Http http = stack.readyRuntime("rt", java.util.stream.Stream.concat(java.util.Arrays.stream(FAST),
                    java.util.stream.Stream.of("bots:", "  lost-after: PT6S")).toArray(String[]::new));
            ChildProcess bot = stack.echoBot(language, "hung", http.base(), Map.of());
            // a handler that would sleep ten minutes: hung, as far as anyone can tell
            Http.Response submitted = http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "echo",
                    "payload", Http.obj("sleepMs", 600_000), "timeoutMs", 3000, "maxAttempts", 1));
            String id = submitted.json().getString("id");
            String botId = Stack.awaitStatus(http, id, "claimed", Duration.ofSeconds(30)).getString("claimedBy");
            long claimedAt = System.nanoTime();

            JsonObject dead = Stack.awaitStatus(http, id, "dead", Duration.ofSeconds(15));
            long tookMs = (System.nanoTime() - claimedAt) / 1_000_000;
            assertTrue(Stack.events(http, id).contains("dead-lettered/timed-out"), Stack.events(http, id).toString());
            assertTrue(dead.getString("lastError").contains("timed out"), dead.toString());
            assertTrue(tookMs < 8000, "taken back " + tookMs + " ms after the claim was seen (timeout 3000 ms)");
            // by the runtime's own clock: never before the timeout
            java.util.List<JsonObject> events = http.get("/v1/jobs/" + id + "/events", TestRuntime.CLIENT).json()
                    .getJsonArray("events").getValuesAs(JsonObject.class);
            Instant claimed = Instant.parse(events.stream().filter(e -> e.getString("kind").equals("claimed"))
                    .findFirst().orElseThrow().getString("at"));
            Instant timedOut = Instant.parse(events.getLast().getString("at"));
            assertTrue(java.time.Duration.between(claimed, timedOut).toMillis() >= 3000, events.toString());

            bot.awaitOutput("is no longer held by this bot", Duration.ofSeconds(10));
            bot.awaitOutput("Job " + id + " stopped: the runtime took it back", Duration.ofSeconds(10));
            assertTrue(bot.alive(), "the process lives on:\n" + bot.output());
            // idle now, it sends no heartbeats: its long polls, each counted as one, keep it seen alive
            Instant beat = Instant.parse(bot(http, botId).getString("lastHeartbeatAt"));
            Thread.sleep(7000);
            JsonObject seen = bot(http, botId);
            assertTrue(Instant.parse(seen.getString("lastHeartbeatAt")).isAfter(beat), "and is seen alive: " + seen);
            assertEquals("idle", seen.getString("status"), seen.toString());
            // its slot is free again: it works the next job
            String next = Stack.submit(http, Http.obj("n", 1));
            Stack.awaitStatus(http, next, "completed", Duration.ofSeconds(20));
            System.out.printf(language + ": hung handler taken back %d ms after its claim (timeout 3000 ms)%n", tookMs);
        }
    }

    @ParameterizedTest
    @EnumSource(BotLanguage.class)
    void aDrainedBotFinishesItsJobDeregistersAndExitsCleanly(BotLanguage language) throws Exception {
        try (Stack stack = new Stack()) {
            Http http = stack.readyRuntime("rt", FAST);
            ChildProcess bot = stack.echoBot(language, "drain-exit", http.base(), Map.of(
                    "BOT_ON_DRAIN", "exit", "BOT_SHUTDOWN_GRACE_MS", "15000"));
            String id = Stack.submit(http, Http.obj("sleepMs", 3000));
            String botId = Stack.awaitStatus(http, id, "claimed", Duration.ofSeconds(30)).getString("claimedBy");
            bot.awaitOutput("Echoing job " + id, Duration.ofSeconds(10));

            Http.Response drained = http.post("/v1/bots/" + botId + "/drain", TestRuntime.ADMIN, Map.of());
            assertEquals(200, drained.status(), drained.toString());
            assertEquals("draining", drained.json().getString("status"));
            String later = Stack.submit(http, Http.obj("n", 2)); // not for a draining bot

            assertTrue(bot.process().waitFor(20, TimeUnit.SECONDS), "the drained bot exits:\n" + bot.output());
            assertEquals(0, bot.process().exitValue(), bot.output());
            assertEquals("completed", Stack.job(http, id).getString("status"), "it finished what it held");
            assertEquals("pending", Stack.job(http, later).getString("status"), "and took nothing new");
            assertEquals("offline", bot(http, botId).getString("status"));
            assertTrue(bot.output().contains("An operator drained this bot"), bot.output());
        }
    }

    @ParameterizedTest
    @EnumSource(BotLanguage.class)
    void aDrainedBotIdlesHoldingNothingAndWorksAgainWhenUndrained(BotLanguage language) throws Exception {
        try (Stack stack = new Stack()) {
            Http http = stack.readyRuntime("rt", FAST);
            ChildProcess bot = stack.echoBot(language, "drain-idle", http.base(), Map.of("BOT_SHUTDOWN_GRACE_MS", "2000"));
            String id = Stack.submit(http, Http.obj("sleepMs", 60_000, "steps", 60));
            String botId = Stack.awaitStatus(http, id, "claimed", Duration.ofSeconds(30)).getString("claimedBy");
            bot.awaitOutput("Echoing job " + id, Duration.ofSeconds(10));
            // progress, reported by the handler each second, shows on the job
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Stack.job(http, id).isNull("progress") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            JsonObject progress = Stack.job(http, id).getJsonObject("progress");
            assertEquals(60, progress.getInt("of"), String.valueOf(progress));

            assertEquals(200, http.post("/v1/bots/" + botId + "/drain", TestRuntime.ADMIN, Map.of()).status());
            // the grace (2 s) runs out: the job is given back at once, its attempt not counted
            JsonObject back = Stack.awaitStatus(http, id, "pending", Duration.ofSeconds(15));
            assertEquals(0, back.getInt("attempt"), back.toString());
            assertTrue(Stack.events(http, id).contains("released/released"), Stack.events(http, id).toString());
            bot.awaitOutput("Drained: holding nothing", Duration.ofSeconds(10));
            Thread.sleep(1500);
            assertTrue(bot.alive(), bot.output());
            assertEquals("pending", Stack.job(http, id).getString("status"), "a drained bot claims nothing");
            assertEquals("draining", bot(http, botId).getString("status"));

            assertEquals(200, http.post("/v1/bots/" + botId + "/undrain", TestRuntime.ADMIN, Map.of()).status());
            // claiming again: the job it gave back is the first it takes
            JsonObject again = Stack.awaitStatus(http, id, "claimed", Duration.ofSeconds(20));
            assertEquals(botId, again.getString("claimedBy"));
            assertEquals(1, again.getInt("attempt"));
            assertTrue(bot.output().contains("undrained this bot: claiming again"), bot.output());
        }
    }

    @ParameterizedTest
    @EnumSource(BotLanguage.class)
    void aRevokedBotIsRefusedAndStopsItsJobBackAtOnce(BotLanguage language) throws Exception {
        try (Stack stack = new Stack()) {
            Http http = stack.readyRuntime("rt", FAST);
            ChildProcess bot = stack.echoBot(language, "revoked", http.base(), Map.of());
            String id = Stack.submit(http, Http.obj("sleepMs", 60_000));
            String botId = Stack.awaitStatus(http, id, "claimed", Duration.ofSeconds(30)).getString("claimedBy");

            long revokedAt = System.nanoTime();
            Http.Response revoked = http.post("/v1/bots/" + botId + "/revoke", TestRuntime.ADMIN, Map.of());
            assertEquals(200, revoked.status(), revoked.toString());
            assertEquals("pending", Stack.job(http, id).getString("status"), "its job is back at once");
            assertTrue(Stack.events(http, id).contains("released/revoked"), Stack.events(http, id).toString());

            assertTrue(bot.process().waitFor(15, TimeUnit.SECONDS), "the revoked bot stops:\n" + bot.output());
            long tookMs = (System.nanoTime() - revokedAt) / 1_000_000;
            assertEquals(3, bot.process().exitValue(), bot.output());
            assertTrue(bot.output().contains("an admin revoked bot " + botId), bot.output());
            assertEquals("revoked", bot(http, botId).getString("status"));
            assertTrue(http.get("/v1/admin/actions", TestRuntime.ADMIN).body().contains("bot.revoke"));
            System.out.printf(language + ": revoked bot stopped %d ms after the revocation%n", tookMs);
        }
    }
}
