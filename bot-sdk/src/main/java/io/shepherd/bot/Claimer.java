package io.shepherd.bot;

import java.time.Duration;
import java.util.List;

/**
 * Long-polls for work: waits for a free slot, then claims as many jobs as there are free slots in
 * one call (waiting up to {@code claimWait} for them) and hands each to the {@link Runner}. The
 * call carries the {@link Reports} waiting to go, so a busy bot makes one request per batch of
 * jobs: their outcomes in, the next jobs out.
 */
final class Claimer implements Runnable {
    private static final System.Logger LOG = System.getLogger(Claimer.class.getName());

    private final BotSettings settings;
    private final RuntimeApi api;
    private final StartUp.Session session;
    private final Runner runner;
    private final BotControl bot;
    private final Reports reports;
    /** The long poll asked of a runtime that does not say how long it holds one (nor counts it as a heartbeat). */
    static final Duration OLD_RUNTIME_WAIT = Duration.ofSeconds(10);

    Claimer(BotSettings settings, RuntimeApi api, StartUp.Session session, Runner runner, BotControl bot,
            Reports reports) {
        this.reports = reports;
        this.settings = settings;
        this.api = api;
        this.session = session;
        this.runner = runner;
        this.bot = bot;
    }

    /** Claims while the bot takes new work; returns when it stops taking work or is interrupted. */
    @Override
    public void run() {
        while (bot.claiming()) {
            try {
                claimOnce();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Waits for a free slot, claims for every free slot — carrying the reports waiting to go (a
     * handler that just finished freed the slot) — and starts what came; returns how many started.
     * With reports aboard the claim does not wait for work, so their answers are not held up.
     */
    int claimOnce() throws InterruptedException {
        int want = runner.takeFreeSlots();
        List<Reports.Outgoing> reports = this.reports.take();
        Duration wait = !reports.isEmpty() ? Duration.ZERO
                : settings.claimWait() != null ? settings.claimWait()
                : session.claimWait() != null ? session.claimWait() : OLD_RUNTIME_WAIT;
        RuntimeApi.Exchanged exchanged;
        runner.polling(!wait.isZero() && session.pollIsHeartbeat());
        try {
            exchanged = api.exchange(session.identity(), session.id(), reports.stream().map(Reports.Outgoing::report)
                    .toList(), want, wait);
        } catch (ServerFailure e) {
            this.reports.putBack(reports);
            LOG.log(System.Logger.Level.WARNING, "Could not claim after retries; trying again");
            runner.giveBack(want);
            return 0;
        } catch (RuntimeException e) {
            this.reports.putBack(reports);
            runner.giveBack(want);
            if (!bot.claiming() || Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("stopped while claiming");
            }
            LOG.log(System.Logger.Level.WARNING, "Claim failed: " + e);
            settings.clock().sleep(1000);
            return 0;
        } finally {
            runner.polling(false);
        }
        Reports.handOut(reports, exchanged, bot);
        RuntimeApi.Claimed claimed = exchanged.claimed();
        if (claimed.revoked() != null || claimed.superseded() != null) {
            runner.giveBack(want);
            return 0;
        }
        if (claimed.refused() != null) {
            LOG.log(System.Logger.Level.WARNING, "Claim refused: " + claimed.refused());
            runner.giveBack(want);
            settings.clock().sleep(1000);
            return 0;
        }
        if (claimed.drain() && !bot.drained()) {
            // told by the claim (a drained idle bot need not heartbeat to hear of it)
            runner.giveBack(want);
            bot.drain();
            return 0;
        }
        runner.giveBack(want - claimed.jobs().size());
        claimed.jobs().forEach(runner::start);
        return claimed.jobs().size();
    }
}
