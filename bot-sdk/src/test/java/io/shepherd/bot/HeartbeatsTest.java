package io.shepherd.bot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** Heartbeats against a real runtime: what a beat names, and what its answer stops. */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class HeartbeatsTest extends Parts {
    final CountDownLatch interrupted = new CountDownLatch(2);
    final Control control = new Control();

    /** A handler that works until it is interrupted, and says so. */
    final JobHandler untilInterrupted = (job, ctx) -> {
        ctx.progress(Json.createValue("working"));
        try {
            Thread.sleep(Long.MAX_VALUE);
        } finally {
            interrupted.countDown();
        }
        return null;
    };

    /** A registered bot with its handlers working on {@code jobs} claimed jobs. */
    Started working(int jobs) throws Exception {
        Started w = started(untilInterrupted, control);
        for (int i = 0; i < jobs; i++) {
            submit();
        }
        assertEquals(jobs, w.claimer().claimOnce());
        return w;
    }

    @Test
    void aJobTakenBackFromTheBotHasItsHandlerStoppedAndNothingReported() throws Exception {
        Started w = working(2);
        List<String> ids = w.runner().runningIds();
        assertEquals(200, http.post("/v1/bots/" + w.session().identity().botId() + "/reset", TestRuntime.ADMIN, null).status());

        RuntimeApi.Beat beat = w.heartbeats().beatOnce();

        assertEquals(Set.copyOf(ids), Set.copyOf(beat.lost()));
        assertTrue(interrupted.await(10, TimeUnit.SECONDS), "both handlers were stopped");
        awaitNoneRunning(w.runner());
        for (String id : ids) {
            assertEquals(List.of("submitted/submitted", "claimed/claimed", "released/bot-reset"), events(id),
                    "no late report, and so no refused one");
        }
    }

    @Test
    void aCancelledJobHasItsHandlerInterruptedAndItsOutcomeDropped() throws Exception {
        Started w = working(1);
        String id = w.runner().runningIds().getFirst();
        assertEquals(200, http.post("/v1/jobs/" + id + "/cancel", TestRuntime.CLIENT, null).status());

        RuntimeApi.Beat beat = w.heartbeats().beatOnce();

        assertEquals(List.of(id), beat.cancel());
        assertEquals(List.of(), beat.lost(), "a cancelled job is told as cancelled, not as lost");
        awaitNoneRunning(w.runner());
        assertEquals("cancelled", job(id).getString("status"));
        assertEquals(List.of("submitted/submitted", "claimed/claimed", "cancelled/cancelled"), events(id));
    }

    @Test
    void aBeatKeepsTheLeasesOfTheJobsItNames() throws Exception {
        Started w = working(1);
        String id = w.runner().runningIds().getFirst();
        Instant before = Instant.parse(job(id).getString("leaseExpiresAt"));
        Thread.sleep(5); // the lease is extended from the runtime's clock

        assertNull(w.heartbeats().beatOnce().superseded());

        assertTrue(Instant.parse(job(id).getString("leaseExpiresAt")).isAfter(before), "the named job's lease was extended");
        w.runner().abandonAll();
    }

    @Test
    void aNewerSessionOfTheSameIdentitySupersedesThisProcess() throws Exception {
        Started w = working(0);
        Http.Response other = http.post("/v1/bots/" + w.session().identity().botId() + "/sessions",
                w.session().identity().token(), null);
        assertEquals(201, other.status());

        RuntimeApi.Beat beat = w.heartbeats().beatOnce();

        assertNotNull(beat.superseded());
        assertNotNull(control.supersededBy, "the bot was told");
    }

    @Test
    void theHandlersProgressIsKeptOnTheJob() throws Exception {
        Started w = working(1);
        String id = w.runner().runningIds().getFirst();
        awaitProgress(w, id);

        assertNull(w.heartbeats().beatOnce().refused());

        assertEquals("working", ((jakarta.json.JsonString) job(id).get("progress")).getString());
        w.runner().abandonAll();
    }

    private static void awaitProgress(Started w, String id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (w.runner().get(id).currentProgress() == null && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void progressTooLargeIsRefusedInTheHandlerNotByLosingTheLease() {
        RunningJob r = new RunningJob(null, "c");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> r.progress(Json.createValue("x".repeat(5000))));
        assertTrue(e.getMessage().contains("at most 4096"), e.getMessage());
    }

    @Test
    void anOperatorsDrainAndUndrainReachTheBotThroughItsBeat() throws Exception {
        Started w = working(0);
        String botId = w.session().identity().botId();
        assertEquals(200, http.post("/v1/bots/" + botId + "/drain", TestRuntime.ADMIN, null).status());

        assertTrue(w.heartbeats().beatOnce().drain());
        assertTrue(control.drained, "the bot was told to drain");

        assertEquals(200, http.post("/v1/bots/" + botId + "/undrain", TestRuntime.ADMIN, null).status());
        w.heartbeats().beatOnce();
        assertTrue(!control.drained, "and to work again");
    }

    @Test
    void aRevokedBotIsToldByItsBeatAndByItsClaim() throws Exception {
        Started w = working(0);
        String botId = w.session().identity().botId();
        assertEquals(200, http.post("/v1/bots/" + botId + "/revoke", TestRuntime.ADMIN, null).status());

        RuntimeApi.Beat beat = w.heartbeats().beatOnce();

        assertNotNull(beat.revoked());
        assertNotNull(control.revokedBy, "the bot was told");
        control.revokedBy = null;
        assertEquals(0, w.claimer().claimOnce());
        assertNotNull(control.revokedBy, "a claim tells it too");
    }

    @Test
    void itBeatsAtTheIntervalTheRuntimeAskedForUnlessTheBuilderSaysOtherwise() throws Exception {
        Started w = working(0);
        control.beatsLeft = 6; // the loop asks before and after each sleep: three beats, then it stops
        w.heartbeats().run();
        assertEquals(List.of(5000L, 5000L, 5000L), clock.sleeps, "the runtime's heartbeat.interval");

        clock.sleeps.clear();
        BotSettings faster = builder(untilInterrupted).heartbeatInterval(Duration.ofMillis(1500)).settings();
        control.beatsLeft = 2;
        new Heartbeats(faster, w.api(), w.session(), w.runner(), control).run();
        assertEquals(List.of(1500L), clock.sleeps);
    }

    @Test
    void anIdleBotWaitingInALongPollSkipsItsBeatsForThePollCountsAsOne() throws Exception {
        Started w = working(0);
        assertEquals(Duration.ofSeconds(25), w.session().claimWait(),
                "the runtime's longest poll: lost-after 30 s less a heartbeat interval");
        String botId = w.session().identity().botId();
        String before = lastHeartbeat(botId);
        Thread.sleep(5);

        w.runner().polling(true);
        control.beatsLeft = 6;
        w.heartbeats().run();
        assertEquals(before, lastHeartbeat(botId), "no beat while the long poll is in flight");

        w.runner().polling(false);
        control.beatsLeft = 2;
        w.heartbeats().run();
        assertTrue(!before.equals(lastHeartbeat(botId)), "a beat once no poll is in flight");

        Started busy = working(1);
        busy.runner().polling(true);
        String busyBefore = lastHeartbeat(busy.session().identity().botId());
        Thread.sleep(5);
        control.beatsLeft = 2;
        busy.heartbeats().run();
        assertTrue(!busyBefore.equals(lastHeartbeat(busy.session().identity().botId())),
                "a bot holding jobs beats whatever its claimer does: their leases need it");
    }

    @Test
    void againstARuntimeThatDoesNotCountPollsAsBeatsAnIdleBotBeatsOn() throws Exception {
        Started w = working(0);
        assertTrue(idleInLongPollWhileWaiting(w, w.session()), "this runtime counts the poll: no beats meanwhile");
        StartUp.Session old = new StartUp.Session(w.session().identity(), w.session().id(), null);
        assertTrue(!idleInLongPollWhileWaiting(w, old), "one that says no claimWaitMs does not: the beats go on");
    }

    /** Whether the bot counts as idle in a long poll half a second into a claim of this session's. */
    private boolean idleInLongPollWhileWaiting(Started w, StartUp.Session session) throws InterruptedException {
        BotSettings waiting = builder(untilInterrupted).claimWait(null).settings();
        Thread poll = Thread.ofVirtual().start(() -> {
            try {
                new Claimer(waiting, w.api(), session, w.runner(), control, w.reports()).claimOnce();
            } catch (InterruptedException ignored) {
                // stopped
            }
        });
        Thread.sleep(500); // the claim waits: nothing to claim
        boolean idle = w.runner().idleInLongPoll();
        poll.interrupt();
        poll.join(5000);
        return idle;
    }

    @Test
    void aDrainedBotHearsOfItFromItsClaimWithoutABeat() throws Exception {
        Started w = working(0);
        String botId = w.session().identity().botId();
        assertEquals(200, http.post("/v1/bots/" + botId + "/drain", TestRuntime.ADMIN, null).status());
        submit();
        assertEquals(0, w.claimer().claimOnce(), "a drained bot claims nothing");
        assertTrue(control.drained, "the claim's answer told it to drain");
    }

    private String lastHeartbeat(String botId) {
        return http.get("/v1/bots/" + botId, TestRuntime.ADMIN).json().getString("lastHeartbeatAt");
    }

    static void awaitNoneRunning(Runner runner) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!runner.runningIds().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still running: " + runner.runningIds());
            }
            Thread.sleep(10);
        }
    }
}
