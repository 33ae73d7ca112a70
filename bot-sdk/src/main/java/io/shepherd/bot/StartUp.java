package io.shepherd.bot;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The bot's start: waits, without limit, until a runtime says it is ready (exponential backoff
 * and jitter), then heals — resumes the identity kept in the state directory and opens a new
 * session, which makes the runtime release at once whatever an earlier process of this bot held;
 * or registers with the enroll token when there is no identity (or the runtime does not know it)
 * and keeps the new one there.
 */
final class StartUp {
    private static final System.Logger LOG = System.getLogger(StartUp.class.getName());
    /** The first wait between looks for a ready runtime; it doubles up to {@code startBackoffMax}. */
    static final Duration FIRST_WAIT = Duration.ofSeconds(1);

    /**
     * Who this process is to the runtime: the bot's identity and its current session, and how long
     * the runtime holds a long poll ({@code claimWait}; null from a runtime that does not say, and
     * does not count a poll as a heartbeat either).
     */
    record Session(Identity identity, String id, java.time.Duration claimWait) {
        /** Whether this runtime counts a claim that finds nothing as the bot's heartbeat. */
        boolean pollIsHeartbeat() {
            return claimWait != null;
        }
    }

    /** The bot was asked to stop before it was running. */
    static final class Stopped extends RuntimeException {
        Stopped() {
            super(null, null, false, false);
        }
    }

    private final BotSettings settings;
    private final RuntimeApi api;
    private final BooleanSupplier stopping;

    StartUp(BotSettings settings, RuntimeApi api, BooleanSupplier stopping) {
        this.settings = settings;
        this.api = api;
        this.stopping = stopping;
    }

    /** Waits for a runtime and heals; throws {@link Stopped} when the bot is stopped meanwhile. */
    Session run() {
        waitForRuntime();
        return heal();
    }

    /** Waits, without limit, until one of the runtimes says it is ready. */
    void waitForRuntime() {
        ExponentialBackoff backoff = new ExponentialBackoff(FIRST_WAIT, settings.startBackoffMax(), Integer.MAX_VALUE);
        for (int attempt = 1; ; attempt++) {
            for (String server : api.servers()) {
                checkStopping();
                if (api.ready(server)) {
                    LOG.log(System.Logger.Level.INFO, "Runtime " + server + " is ready");
                    return;
                }
            }
            long delay = backoff.delayMillis(attempt);
            LOG.log(System.Logger.Level.INFO, "No runtime ready at " + api.servers() + " yet; waiting "
                    + delay + " ms (attempt " + attempt + ")");
            sleepUnlessStopping(delay);
        }
    }

    /** Resumes the identity in the state directory, or registers, and opens a new session. */
    Session heal() {
        Identity known = Identity.load(settings.stateDir()).orElse(null);
        if (known != null) {
            checkStopping();
            var opened = api.openSession(known);
            if (opened.isPresent()) {
                var released = opened.get().released();
                LOG.log(System.Logger.Level.INFO, "Resumed bot " + known.botId() + " (" + settings.name() + ") with a new "
                        + "session; the runtime released " + released.size() + " job(s) an earlier process held"
                        + (released.isEmpty() ? "" : ": " + released));
                return new Session(known, opened.get().session(), opened.get().claimWait());
            }
            LOG.log(System.Logger.Level.WARNING, "The runtime does not know bot " + known.botId() + "; registering anew");
            Identity.forget(settings.stateDir());
        }
        if (settings.enrollToken() == null) {
            throw new IllegalStateException("No identity in " + settings.stateDir() + " and no enroll token to register with");
        }
        checkStopping();
        RuntimeApi.Registered registered = api.register(settings.enrollToken(), settings.handlers().keySet(),
                settings.labels());
        registered.identity().save(settings.stateDir());
        LOG.log(System.Logger.Level.INFO, "Registered as bot " + registered.identity().botId() + " (" + settings.name()
                + ") for " + settings.handlers().keySet() + "; identity kept in " + settings.stateDir());
        return new Session(registered.identity(), registered.session(), registered.claimWait());
    }

    private void checkStopping() {
        if (stopping.getAsBoolean()) {
            throw new Stopped();
        }
    }

    private void sleepUnlessStopping(long millis) {
        long end = settings.clock().nanoTime() + millis * 1_000_000;
        while (settings.clock().nanoTime() < end) {
            checkStopping();
            try {
                settings.clock().sleep(Math.min(100, Math.max(1, (end - settings.clock().nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Stopped();
            }
        }
    }
}
