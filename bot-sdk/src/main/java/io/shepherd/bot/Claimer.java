package io.shepherd.bot;

/**
 * Long-polls for work: waits for a free slot, then claims as many jobs as there are free slots in
 * one call (waiting up to {@code claimWait} for them) and hands each to the {@link Runner}.
 */
final class Claimer implements Runnable {
    private static final System.Logger LOG = System.getLogger(Claimer.class.getName());

    private final BotSettings settings;
    private final RuntimeApi api;
    private final StartUp.Session session;
    private final Runner runner;
    private final BotControl bot;

    Claimer(BotSettings settings, RuntimeApi api, StartUp.Session session, Runner runner, BotControl bot) {
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

    /** Waits for a free slot, claims for every free slot, and starts what came; returns how many started. */
    int claimOnce() throws InterruptedException {
        int want = runner.takeFreeSlots();
        RuntimeApi.Claimed claimed;
        try {
            claimed = api.claim(session.identity(), session.id(), want, settings.claimWait());
        } catch (ServerFailure e) {
            LOG.log(System.Logger.Level.WARNING, "Could not claim after retries; trying again");
            runner.giveBack(want);
            return 0;
        } catch (RuntimeException e) {
            runner.giveBack(want);
            if (!bot.claiming() || Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("stopped while claiming");
            }
            LOG.log(System.Logger.Level.WARNING, "Claim failed: " + e);
            settings.clock().sleep(1000);
            return 0;
        }
        if (claimed.revoked() != null) {
            runner.giveBack(want);
            bot.revoke(claimed.revoked());
            return 0;
        }
        if (claimed.superseded() != null) {
            runner.giveBack(want);
            bot.supersede(claimed.superseded());
            return 0;
        }
        if (claimed.refused() != null) {
            LOG.log(System.Logger.Level.WARNING, "Claim refused: " + claimed.refused());
            runner.giveBack(want);
            settings.clock().sleep(1000);
            return 0;
        }
        runner.giveBack(want - claimed.jobs().size());
        claimed.jobs().forEach(runner::start);
        return claimed.jobs().size();
    }
}
