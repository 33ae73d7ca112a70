package io.shepherd.bot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** How many jobs one claim asks for: every free slot, gathered briefly while the bot is busy. */
class SlotsTest {
    static Runner runner(int concurrency) {
        BotSettings settings = Bot.builder().servers("http://127.0.0.1:9").name("slots").concurrency(concurrency)
                .handler("t", (job, ctx) -> null).handleSignals(false).settings();
        return new Runner(settings, null, null, () -> false, null);
    }

    @Test
    void anIdleBotClaimsForEverySlotAtOnce() throws Exception {
        Runner runner = runner(4);
        long t0 = System.nanoTime();
        assertEquals(4, runner.takeFreeSlots());
        assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(100), "no gathering when all are free");
    }

    @Test
    void aBusyBotGathersSlotsFreedMeanwhileAndNeverTakesMoreThanAreFree() throws Exception {
        Runner runner = runner(4);
        assertEquals(4, runner.takeFreeSlots());
        runner.giveBack(1); // one job done, three still running
        long t0 = System.nanoTime();
        assertEquals(1, runner.takeFreeSlots(), "nothing else came free: it claims for one");
        long waited = System.nanoTime() - t0;
        assertTrue(waited >= Runner.GATHER_NANOS && waited < TimeUnit.MILLISECONDS.toNanos(500),
                "it gathered for the window and no longer: " + waited + " ns");

        // a slot freed just after the first joins the same claim
        runner.giveBack(1);
        CompletableFuture<Integer> taken = CompletableFuture.supplyAsync(() -> {
            try {
                return runner.takeFreeSlots();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        runner.giveBack(1);
        assertEquals(2, taken.get(5, TimeUnit.SECONDS));
        runner.giveBack(2);
        assertEquals(2, runner.takeFreeSlots(), "never more than are free");
    }
}
