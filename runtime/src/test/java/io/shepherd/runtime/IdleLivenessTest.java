package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An idle bot's long polls are its liveness: a claim that finds nothing counts as a heartbeat, and
 * the runtime holds a poll at most {@code lost-after} less a heartbeat interval (here 3 s - 1 s), so
 * a bot that only polls stays live, and one that stopped — even in the middle of a poll the runtime
 * still holds — is lost on time. An operator's drain reaches a waiting bot at once. A poll right
 * after one that ran out does not look again until something is signalled for its types; its
 * heartbeat, session check and drain come from one statement for all such polls, within a beat.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class IdleLivenessTest extends ApiTestBase {
    static final long LOST_AFTER_MS = 3000;
    static final long LONGEST_POLL_MS = 2000;

    @Override
    Map<String, String> overrides() {
        return Map.of("bots.lost-after", "PT3S", "heartbeat.interval", "PT1S", "recovery.interval", "PT0.25S");
    }

    @Test
    void theRuntimeTellsBotsHowLongToPoll() {
        JsonObject registered = http.post("/v1/bots", TestRuntime.ENROLL, Http.obj("name", "b", "types", java.util.List.of("t")))
                .json();
        assertEquals(LONGEST_POLL_MS, registered.getJsonNumber("claimWaitMs").longValue());
        TestBot bot = TestBot.of(http, registered);
        assertEquals(LONGEST_POLL_MS, bot.openSession().json().getJsonNumber("claimWaitMs").longValue());
    }

    @Test
    void aBotThatOnlyLongPollsStaysLiveAndIsLostOnTimeWhenItStops() throws Exception {
        TestBot bot = runtime.registerBot("b", "t");
        long until = System.nanoTime() + 2 * LOST_AFTER_MS * 1_000_000;
        int polls = 0;
        long start = 0;
        while (System.nanoTime() < until) {
            start = System.nanoTime();
            Http.Response r = bot.poll(10_000);
            long held = (System.nanoTime() - start) / 1_000_000;
            assertEquals(200, r.status(), r.toString());
            assertTrue(held >= LONGEST_POLL_MS - 100 && held < LONGEST_POLL_MS + 1000,
                    "a poll asking for 10 s is held " + LONGEST_POLL_MS + " ms, was " + held);
            assertEquals("idle", status(bot), "live on its polls alone, no heartbeat");
            polls++;
        }
        assertTrue(polls >= 3, "polled for twice lost-after: " + polls);
        // a poll counts when it begins: the bot is lost lost-after from the start of its last poll
        long ms = waitForLost(bot) - start / 1_000_000;
        assertTrue(ms >= LOST_AFTER_MS - 200 && ms < LOST_AFTER_MS + 1500, "lost " + ms + " ms after its last poll began");
        assertEquals(200, bot.poll(0).status(), "a poll brings a lost bot back");
        assertEquals("idle", status(bot));
    }

    @Test
    void aBotThatVanishesMidPollIsLostOnTimeThoughItsPollIsStillHeld() throws Exception {
        TestBot bot = runtime.registerBot("b", "t");
        long sent;
        String body = Http.obj("session", bot.session, "max", 1, "waitMs", 30_000).toString();
        try (Socket socket = new Socket("127.0.0.1", runtime.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/bots/" + bot.id + "/exchange HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + bot.token
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
                    + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            sent = System.nanoTime();
            Thread.sleep(300); // the runtime took the poll and holds it
        } // the client is gone; the runtime notices only when it answers
        long ms = waitForLost(bot) - sent / 1_000_000;
        assertTrue(ms >= LOST_AFTER_MS - 200 && ms < LOST_AFTER_MS + 1500,
                "lost " + ms + " ms after its last poll began, though the runtime held that poll");
    }

    @Test
    void aDrainReachesAWaitingBotAtOnceAndItsNextPollIsAnsweredAtOnce() throws Exception {
        TestBot bot = runtime.registerBot("b", "t");
        CompletableFuture<Http.Response> waiting = CompletableFuture.supplyAsync(() -> bot.poll(10_000));
        Thread.sleep(400);
        long drainedAt = System.nanoTime();
        assertEquals(200, http.post("/v1/bots/" + bot.id + "/drain", TestRuntime.ADMIN, Map.of()).status());
        Http.Response told = waiting.join();
        long ms = (System.nanoTime() - drainedAt) / 1_000_000;
        assertEquals(200, told.status(), told.toString());
        assertTrue(told.json().getBoolean("drain", false), told.toString());
        assertTrue(ms < 1000, "told " + ms + " ms after the drain");

        submit("type", "t");
        long start = System.nanoTime();
        Http.Response again = bot.poll(10_000);
        assertTrue((System.nanoTime() - start) / 1_000_000 < 1000, "a draining bot's poll is not held");
        assertTrue(again.json().getBoolean("drain", false), again.toString());
        assertEquals(0, again.json().getJsonArray("jobs").size(), "a draining bot claims nothing");

        assertEquals(200, http.post("/v1/bots/" + bot.id + "/undrain", TestRuntime.ADMIN, Map.of()).status());
        Http.Response claimed = bot.poll(10_000);
        assertFalse(claimed.json().containsKey("drain"), claimed.toString());
        assertEquals(1, claimed.json().getJsonArray("jobs").size(), claimed.toString());
    }

    @Test
    void aSupersededSessionsPollIsRefusedAndCountsForNothing() {
        TestBot bot = runtime.registerBot("b", "t");
        String old = bot.session;
        assertEquals(201, bot.openSession().status());
        Http.Response r = http.post("/v1/bots/" + bot.id + "/exchange", bot.token,
                Http.obj("session", old, "max", 1, "waitMs", 500));
        assertEquals(409, r.status(), r.toString());
    }

    @Test
    void aPollRightAfterOneThatRanOutWaitsWithoutLookingYetAJobSubmittedBetweenThemIsClaimedAtOnce() {
        TestBot bot = runtime.registerBot("b", "t");
        assertEquals(0, bot.poll(300).json().getJsonArray("jobs").size(), "ran out finding nothing");
        double looks = claimLooks();
        assertEquals(0, bot.poll(300).json().getJsonArray("jobs").size());
        assertEquals(looks, claimLooks(), "nothing was signalled for its types: the next poll did not look");
        assertEquals("idle", status(bot));

        String id = submit("type", "t").getString("id"); // between two polls: no poll waits to hear of it
        long start = System.nanoTime();
        Http.Response r = bot.poll(10_000);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(1, r.json().getJsonArray("jobs").size(), r.toString());
        assertEquals(id, r.json().getJsonArray("jobs").getJsonObject(0).getString("id"));
        assertTrue(ms < 1000, "the submit's signal made the poll look at once, not at the fallback look: " + ms + " ms");
        assertEquals(looks + 1, claimLooks());
    }

    @Test
    void aSessionSupersededBetweenPollsIsRefusedWithinABeatThoughThePollDidNotLook() {
        TestBot bot = runtime.registerBot("b", "t");
        String old = bot.session;
        assertEquals(200, bot.poll(300).status());
        assertEquals(201, bot.openSession().status());
        long start = System.nanoTime();
        Http.Response r = http.post("/v1/bots/" + bot.id + "/exchange", bot.token,
                Http.obj("session", old, "max", 1, "waitMs", 10_000));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(409, r.status(), r.toString());
        assertTrue(ms < LONGEST_POLL_MS - 500, "refused when its heartbeat was written, not at the poll's end: " + ms + " ms");
        assertEquals(200, bot.poll(0).status(), "the new session polls on");
    }

    @Test
    void aDrainOnlyTheDatabaseKnowsReachesAPollThatDidNotLookWithinABeat() throws Exception {
        TestBot bot = runtime.registerBot("b", "t");
        assertEquals(200, bot.poll(300).status());
        // as another replica's drain: in the database only, no signal on this one
        try (var c = db.connect(); var ps = c.prepareStatement("UPDATE bots SET drain = TRUE WHERE id = ?")) {
            ps.setString(1, bot.id);
            assertEquals(1, ps.executeUpdate());
        }
        long start = System.nanoTime();
        Http.Response r = bot.poll(10_000);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(r.json().getBoolean("drain", false), r.toString());
        assertTrue(ms < LONGEST_POLL_MS - 500, "told when its heartbeat was written: " + ms + " ms");
    }

    /** How many times the runtime's claims looked in the database. */
    private double claimLooks() {
        return MetricsTest.scrape(http).getOrDefault("shepherd_claim_latency_seconds_count", 0.0);
    }

    private String status(TestBot bot) {
        return http.get("/v1/bots/" + bot.id, TestRuntime.ADMIN).json().getString("status");
    }

    /** Waits until the bot shows lost; answers when that was seen, in milliseconds of {@code nanoTime}. */
    private long waitForLost(TestBot bot) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if ("lost".equals(status(bot))) {
                return System.nanoTime() / 1_000_000;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the bot was never lost: " + status(bot));
    }
}
