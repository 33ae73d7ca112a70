package io.shepherd.bot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** Claiming and running against a real runtime: slots, outcomes, the fence, the shutdown grace. */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class RunnerTest extends Parts {
    final Control control = new Control();
    final CountDownLatch release = new CountDownLatch(1);

    Started start(JobHandler handler) {
        return started(handler, control);
    }

    @Test
    void oneClaimTakesAsManyJobsAsThereAreFreeSlotsAndEachOutcomeIsReported() throws Exception {
        Started r = start((job, ctx) -> {
            release.await();
            return job.payload();
        });
        List<String> ids = List.of(submit("payload", Json.createValue(1)), submit("payload", Json.createValue(2)),
                submit("payload", Json.createValue(3)), submit("payload", Json.createValue(4)));

        assertEquals(3, r.claimer().claimOnce(), "concurrency 3: three slots, one claim");
        assertEquals(3, r.runner().runningIds().size());
        release.countDown();

        for (String id : ids.subList(0, 3)) {
            awaitStatus(id, "completed");
        }
        assertEquals(1, r.claimer().claimOnce(), "the freed slots take the rest");
        awaitStatus(ids.get(3), "completed");
        JsonObject done = job(ids.get(3));
        assertEquals(4, done.getInt("result"));
    }

    @Test
    void aThrowingHandlerFailsTheAttemptAndANonRetryableOneKillsTheJob() throws Exception {
        Started r = start((job, ctx) -> {
            if (job.payload().toString().contains("fatal")) {
                throw new NonRetryableException("bad input");
            }
            throw new IllegalStateException("flaky");
        });
        String flaky = submit();
        String fatal = submit("payload", Json.createValue("fatal"));

        assertEquals(2, r.claimer().claimOnce());

        awaitStatus(fatal, "dead");
        assertEquals("bad input", job(fatal).getString("lastError"));
        awaitStatus(flaky, "pending");
        assertTrue(job(flaky).getString("lastError").contains("flaky"));
        assertEquals(List.of("submitted/submitted", "claimed/claimed", "failed/error"), events(flaky));
    }

    @Test
    void aHandlerThatOutlivesTheShutdownGraceIsGivenBackAndReportsNothing() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        Started r = start((job, ctx) -> {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } finally {
                interrupted.countDown();
            }
            return null;
        });
        String id = submit();
        assertEquals(1, r.claimer().claimOnce());

        long realStart = System.nanoTime();
        boolean idle = r.runner().awaitIdle(clock.nanoTime() + Duration.ofSeconds(30).toNanos());
        assertFalse(idle, "the handler did not finish within the grace");
        assertTrue(System.nanoTime() - realStart < Duration.ofSeconds(10).toNanos(), "the grace passed on the test's clock");
        assertTrue(clock.slept() >= 30_000);

        r.runner().abandonAll();
        assertTrue(interrupted.await(10, TimeUnit.SECONDS));
        HeartbeatsTest.awaitNoneRunning(r.runner());
        assertEquals("claimed", job(id).getString("status"), "given back by the deregistration, not by a report");
        assertEquals(List.of("submitted/submitted", "claimed/claimed"), events(id));
        assertEquals(204, r.api().deregister(r.session().identity()).status());
        assertEquals(List.of("submitted/submitted", "claimed/claimed", "released/deregistered"), events(id));
    }

    @Test
    void aReportOfAJobTheBotNoLongerHoldsIsRefusedByTheFence() throws Exception {
        Started r = start((job, ctx) -> {
            release.await();
            return null;
        });
        String id = submit();
        assertEquals(1, r.claimer().claimOnce());
        // an admin resets the bot: the job goes back, the bot's session stays
        assertEquals(200, http.post("/v1/bots/" + r.session().identity().botId() + "/reset", TestRuntime.ADMIN, null)
                .status());
        release.countDown();

        HeartbeatsTest.awaitNoneRunning(r.runner());
        assertEquals("pending", job(id).getString("status"));
        assertEquals(List.of("submitted/submitted", "claimed/claimed", "released/bot-reset",
                "refused/stale-lease:complete"), events(id));
        assertEquals(null, control.supersededBy);
    }

    @Test
    void aReportFromAProcessThatWasSupersededMeanwhileStopsTheBotAndChangesNothing() throws Exception {
        Started r = start((job, ctx) -> {
            release.await();
            return null;
        });
        String id = submit();
        assertEquals(1, r.claimer().claimOnce());
        // another process of this bot opens a session: the job goes back, this process is superseded
        new StartUp(builder((job, ctx) -> null).settings(), r.api(), () -> false).heal();
        release.countDown();

        HeartbeatsTest.awaitNoneRunning(r.runner());
        assertTrue(control.supersededBy != null && control.supersededBy.contains("superseded"), control.supersededBy);
        assertEquals("pending", job(id).getString("status"));
        assertEquals(List.of("submitted/submitted", "claimed/claimed", "released/bot-restarted"), events(id),
                "refused as a whole: not even a refusal is recorded");
    }

    @Test
    void reportsOfJobsFinishingTogetherTravelWithTheNextClaim() throws Exception {
        // no reporter thread: a claim is the only way the reports can go
        Started r = started((job, ctx) -> {
            release.await();
            return job.payload();
        }, control, false);
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(submit("payload", Json.createValue(i)));
        }
        assertEquals(3, r.claimer().claimOnce());
        release.countDown();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (r.reports().waiting() < 3) {
            assertTrue(System.nanoTime() < deadline, "the three handlers never finished");
            Thread.sleep(5);
        }
        assertEquals(3, r.runner().runningIds().size(), "still this bot's until their reports are answered");
        assertEquals(3, r.claimer().claimOnce(), "the next three claimed, in the call that carried the reports");
        for (String id : ids.subList(0, 3)) {
            assertEquals("completed", job(id).getString("status"), "answered before the claim returned");
            assertEquals(Json.createValue(ids.indexOf(id)), job(id).get("result"));
        }
        while (r.reports().waiting() < 3) { // the next three's handlers (released already) finished too
            assertTrue(System.nanoTime() < deadline, "the next three handlers never finished");
            Thread.sleep(5);
        }
        assertEquals(0, r.claimer().claimOnce(), "nothing left to claim; the last reports went with the claim");
        for (String id : ids.subList(3, 6)) {
            assertEquals("completed", job(id).getString("status"));
        }
        HeartbeatsTest.awaitNoneRunning(r.runner());
    }
}
