package io.shepherd.bot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Shepherd bot: a handler per job type, and everything else done for it. Build one with
 * {@link #builder()} and call {@link #run()}, which blocks until the bot stops.
 *
 * <p>At start it waits for a runtime to be ready, resumes its identity and opens a new session
 * ({@link StartUp}); while it runs, {@link Heartbeats} beat on a thread of their own, the
 * {@link Claimer} long-polls for as many jobs as there are free slots, the {@link Runner} runs
 * each on a worker thread, and the {@link Reports} carry their outcomes in batches, with the next
 * claim when there is one; every call goes through circuit breakers, failover and
 * retries ({@link RuntimeClient}). This class is their life cycle: on SIGTERM (or {@link #stop()})
 * it stops claiming, lets running jobs finish within the grace period while heartbeats go on,
 * gives back what did not finish, deregisters and returns; if another process with the same
 * identity opens a newer session, it stops at once without releasing or claiming anything.
 *
 * <p>An operator may drain the bot (its heartbeat says so): it stops claiming, lets running jobs
 * finish within the grace period, gives back the rest, and then either idles — heartbeating,
 * holding nothing, claiming again once undrained — or deregisters and returns from {@link #run()},
 * as {@link Builder#onDrain} says. An admin may revoke it: the runtime refuses its token, and it
 * stops at once (the runtime already took its jobs back); enrolling again makes a new bot.
 */
public final class Bot {
    private static final System.Logger LOG = System.getLogger(Bot.class.getName());

    private final BotSettings settings;
    private final RuntimeApi api;
    private final Control control = new Control();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile BotState.Phase phase = BotState.Phase.WAITING;
    private volatile boolean claiming;
    private volatile StartUp.Session session;
    private volatile Runner runner;
    private volatile Thread claimThread;
    private volatile Thread heartbeatThread;
    private volatile Thread reportThread;
    private volatile Reports reports;
    /** An operator's drain is in force (the latest heartbeat said so). */
    private volatile boolean operatorDrained;

    /** What a drained bot does once it finished or gave back what it held. */
    public enum OnDrain {
        /**
         * Stays up, heartbeating and holding nothing, and claims again when undrained (the default:
         * under an orchestrator that restarts what exits, exiting would only come back drained).
         */
        IDLE,
        /** Deregisters and returns from {@link #run()}, so the process can exit. */
        EXIT
    }

    private Bot(BotSettings settings) {
        this.settings = settings;
        this.api = new RuntimeApi(new RuntimeClient(settings.servers(), settings.client()), settings.name());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Runs the bot until it is stopped (SIGTERM, {@link #stop()}) or superseded. */
    public void run() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("run() was already called");
        }
        if (settings.handleSignals()) {
            SignalHandlers.install(this::stopInBackground);
        }
        try {
            session = new StartUp(settings, api, stopping::get).run();
        } catch (StartUp.Stopped e) {
            finishStop();
            return;
        }
        reports = new Reports(api, session, control, settings.clock(), () -> phase == BotState.Phase.SUPERSEDED);
        runner = new Runner(settings, api, session.identity(), control::superseded, reports);
        synchronized (this) {
            if (stopping.get()) {
                // stopped between start-up and here: nothing was claimed yet
                finishStop();
                return;
            }
            phase = BotState.Phase.RUNNING;
            claiming = true;
        }
        heartbeatThread = Thread.ofPlatform().daemon().name("shepherd-heartbeat")
                .start(new Heartbeats(settings, api, session, runner, control));
        reportThread = Thread.ofPlatform().daemon().name("shepherd-report").start(reports);
        claimThread = Thread.ofVirtual().name("shepherd-claim")
                .start(new Claimer(settings, api, session, runner, control, reports));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
        }
    }

    /** How the parts reach the bot as a whole. */
    private final class Control implements BotControl {
        @Override
        public boolean beating() {
            return phase == BotState.Phase.RUNNING || phase == BotState.Phase.DRAINING
                    || phase == BotState.Phase.DRAINED;
        }

        @Override
        public boolean claiming() {
            return claiming && !stopping.get();
        }

        @Override
        public boolean superseded() {
            return phase == BotState.Phase.SUPERSEDED;
        }

        @Override
        public void supersede(String detail) {
            Bot.this.superseded(detail);
        }

        @Override
        public void drain() {
            operatorDrain();
        }

        @Override
        public void undrain() {
            operatorUndrain();
        }

        @Override
        public boolean drained() {
            return operatorDrained;
        }

        @Override
        public void revoke(String detail) {
            revoked(detail);
        }
    }

    /**
     * An operator drained this bot: no new claims (a claim in flight finds nothing: the runtime
     * refuses a drained bot work); running jobs get the grace to finish; then idle or exit.
     */
    private void operatorDrain() {
        Runner r;
        synchronized (this) {
            if (operatorDrained || phase != BotState.Phase.RUNNING || stopping.get()) {
                return;
            }
            operatorDrained = true;
            claiming = false;
            r = runner;
        }
        LOG.log(System.Logger.Level.INFO, "An operator drained this bot: no new claims; " + r.jobs().size()
                + " running job(s) get up to " + settings.shutdownGrace().toMillis() + " ms to finish, then it "
                + (settings.onDrain() == OnDrain.EXIT ? "deregisters and exits" : "idles until undrained"));
        if (settings.onDrain() == OnDrain.EXIT) {
            stopInBackground();
            return;
        }
        synchronized (this) {
            phase = BotState.Phase.DRAINING;
        }
        Thread.ofPlatform().daemon().name("shepherd-drain").start(() -> {
            boolean idle = r.awaitIdle(settings.clock().nanoTime() + settings.shutdownGrace().toNanos());
            if (!operatorDrained || stopping.get()) {
                return; // undrained or stopping meanwhile: nothing to give back here
            }
            if (!idle) {
                LOG.log(System.Logger.Level.WARNING, "Drain grace over; giving back unfinished job(s) " + r.runningIds());
                r.giveBackAll();
            }
            synchronized (this) {
                if (operatorDrained && phase == BotState.Phase.DRAINING) {
                    phase = BotState.Phase.DRAINED;
                }
            }
            LOG.log(System.Logger.Level.INFO, "Drained: holding nothing; heartbeating until undrained");
        });
    }

    /** An operator undrained this bot: it claims again. */
    private void operatorUndrain() {
        synchronized (this) {
            if (!operatorDrained || stopping.get()) {
                return;
            }
            operatorDrained = false;
            phase = BotState.Phase.RUNNING;
            claiming = true;
            Thread claimer = claimThread;
            if (claimer == null || !claimer.isAlive()) {
                claimThread = Thread.ofVirtual().name("shepherd-claim")
                        .start(new Claimer(settings, api, session, runner, control, reports));
            }
        }
        LOG.log(System.Logger.Level.INFO, "An operator undrained this bot: claiming again");
    }

    /** The runtime refuses this bot's token: stop at once; its jobs are already back with the runtime. */
    private void revoked(String detail) {
        synchronized (this) {
            if (phase == BotState.Phase.SUPERSEDED || phase == BotState.Phase.STOPPED
                    || phase == BotState.Phase.REVOKED) {
                return;
            }
            phase = BotState.Phase.REVOKED;
        }
        LOG.log(System.Logger.Level.ERROR, "The runtime refuses this bot's token (" + detail + "): an admin revoked bot "
                + session.identity().botId() + ". Stopping without reporting anything; the runtime already took "
                + "its jobs back. Enrolling again (a restart with an enroll token) makes a new bot.");
        haltNow();
    }

    private void superseded(String detail) {
        synchronized (this) {
            if (phase == BotState.Phase.SUPERSEDED || phase == BotState.Phase.STOPPED) {
                return;
            }
            phase = BotState.Phase.SUPERSEDED;
        }
        LOG.log(System.Logger.Level.ERROR, "This process was superseded: another process of bot "
                + session.identity().botId() + " opened a newer session (" + detail
                + "). Stopping without claiming or releasing anything.");
        haltNow();
    }

    /** Stops at once, claiming, reporting and releasing nothing: the jobs are no longer this process's to give. */
    private void haltNow() {
        claiming = false;
        stopping.set(true);
        interrupt(claimThread);
        interrupt(reportThread);
        runner.abandonAll();
        runner.shutdownNow();
        stopped.countDown();
    }

    private void stopInBackground() {
        Thread.ofPlatform().name("shepherd-stop").start(this::stop);
    }

    /**
     * Stops gracefully: no new claims; running jobs get the grace period to finish while
     * heartbeats go on; what has not finished is given back when the bot deregisters.
     * Returns when the bot has stopped.
     */
    public void stop() {
        if (!stopping.compareAndSet(false, true)) {
            awaitStopped();
            return;
        }
        long deadline = settings.clock().nanoTime() + settings.shutdownGrace().toNanos();
        boolean running;
        synchronized (this) {
            running = phase == BotState.Phase.RUNNING || (operatorDrained
                    && (phase == BotState.Phase.DRAINING || phase == BotState.Phase.DRAINED));
            if (running) {
                phase = BotState.Phase.DRAINING;
            }
        }
        if (!running) {
            // still starting (nothing is held yet: run() sees the flag and stops), or already stopped
            if (!started.get()) {
                finishStop();
            }
            awaitStopped();
            return;
        }
        claiming = false;
        interrupt(claimThread);
        LOG.log(System.Logger.Level.INFO, "Stopping: no new claims; " + runner.jobs().size() + " running job(s) get up to "
                + settings.shutdownGrace().toMillis() + " ms to finish");
        // leave time within the grace to deregister
        long reserve = Math.min(TimeUnit.SECONDS.toNanos(3), settings.shutdownGrace().toNanos() / 4);
        if (!runner.awaitIdle(deadline - reserve)) {
            LOG.log(System.Logger.Level.WARNING, "Grace period over; giving back unfinished job(s) " + runner.runningIds());
            runner.abandonAll();
        }
        try {
            RuntimeApi.Reported answer = api.deregister(session.identity());
            if (answer.status() == 204) {
                LOG.log(System.Logger.Level.INFO, "Deregistered bot " + session.identity().botId()
                        + "; the runtime took back anything it still held");
            } else {
                LOG.log(System.Logger.Level.WARNING, "Deregistration refused: HTTP " + answer.status() + " "
                        + answer.detail());
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Could not deregister (" + e.getMessage()
                    + "); the runtime recovers this bot's jobs when their leases expire");
        }
        finishStop();
    }

    private void finishStop() {
        synchronized (this) {
            if (phase != BotState.Phase.SUPERSEDED) {
                phase = BotState.Phase.STOPPED;
            }
        }
        interrupt(heartbeatThread);
        interrupt(reportThread);
        Runner r = runner;
        if (r != null) {
            r.shutdownNow();
        }
        stopped.countDown();
    }

    private static void interrupt(Thread thread) {
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What the bot is doing now. */
    public BotState state() {
        StartUp.Session s = session;
        Runner r = runner;
        return new BotState(phase, s == null ? null : s.identity().botId(), s == null ? null : s.id(),
                api.client().lastGood(), api.client().circuits(), api.client().retries(),
                r == null ? List.of() : r.runningIds());
    }

    /** The bot's configuration; every setting but the runtime URLs, the name and a handler has a default. */
    public static final class Builder {
        private final List<String> servers = new ArrayList<>();
        private final Map<String, JobHandler> handlers = new LinkedHashMap<>();
        private final Map<String, String> labels = new LinkedHashMap<>();
        private String enrollToken;
        private String name;
        private Path stateDir;
        private int concurrency = 1;
        private Duration shutdownGrace = Duration.ofSeconds(30);
        private Duration claimWait;
        private Duration heartbeatInterval;
        private Duration connectTimeout = Duration.ofSeconds(2);
        private int breakerFailures = 5;
        private Duration breakerDelay = Duration.ofSeconds(30);
        private Duration retryInitial = Duration.ofSeconds(1);
        private Duration retryMax = Duration.ofSeconds(60);
        private int retryCalls = 10;
        private Duration startBackoffMax = Duration.ofSeconds(5);
        private boolean handleSignals = true;
        private OnDrain onDrain = OnDrain.IDLE;
        private BotClock clock = BotClock.SYSTEM;

        private Builder() {
        }

        /** Runtime URLs; more than one for failover. A comma-separated list is split. */
        public Builder servers(String... urls) {
            for (String url : urls) {
                for (String one : url.split(",")) {
                    String trimmed = one.trim();
                    if (!trimmed.isEmpty()) {
                        servers.add(trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed);
                    }
                }
            }
            return this;
        }

        /** The enroll token, needed the first time (when the state directory holds no identity). */
        public Builder enrollToken(String token) {
            this.enrollToken = token;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Where the bot keeps its identity, so a restart resumes the same bot (default {@code ./bot-state}). */
        public Builder stateDir(Path dir) {
            this.stateDir = dir;
            return this;
        }

        /** How many jobs run at once (default 1). */
        public Builder concurrency(int jobs) {
            this.concurrency = jobs;
            return this;
        }

        /** The handler for one job type; the bot registers for every type it has a handler for. */
        public Builder handler(String type, JobHandler handler) {
            handlers.put(Objects.requireNonNull(type), Objects.requireNonNull(handler));
            return this;
        }

        public Builder label(String key, String value) {
            labels.put(key, value);
            return this;
        }

        /** How long running jobs may take to finish at shutdown (default 30 s). */
        public Builder shutdownGrace(Duration grace) {
            this.shutdownGrace = grace;
            return this;
        }

        /**
         * How long one claim waits for work (default: as long as the runtime holds a long poll, which
         * it says at start-up — 25 s on its defaults; at most 30 s).
         */
        public Builder claimWait(Duration wait) {
            this.claimWait = wait;
            return this;
        }

        /** Overrides the heartbeat interval the runtime asks for. */
        public Builder heartbeatInterval(Duration interval) {
            this.heartbeatInterval = interval;
            return this;
        }

        /** The circuit to a runtime opens after this many failures in a row (default 5) ... */
        public Builder breakerFailures(int failures) {
            this.breakerFailures = failures;
            return this;
        }

        /** ... and half-opens after this delay (default 30 s). */
        public Builder breakerDelay(Duration delay) {
            this.breakerDelay = delay;
            return this;
        }

        /** Retries of one call: the first delay, the longest, and the attempts in all (1 s, 60 s, 10). */
        public Builder retries(Duration initial, Duration max, int calls) {
            this.retryInitial = initial;
            this.retryMax = max;
            this.retryCalls = calls;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /** Whether {@link #build()}'s bot stops gracefully on SIGTERM and SIGINT (default true). */
        public Builder handleSignals(boolean handle) {
            this.handleSignals = handle;
            return this;
        }

        /** What the bot does once an operator drained it and it holds nothing (default {@link OnDrain#IDLE}). */
        public Builder onDrain(OnDrain then) {
            this.onDrain = Objects.requireNonNull(then);
            return this;
        }

        /** The longest wait between looks for a ready runtime at start (default 5 s). */
        Builder startBackoffMax(Duration max) {
            this.startBackoffMax = max;
            return this;
        }

        /** A clock of the test's own (package-private: tests move time instead of sleeping). */
        Builder clock(BotClock clock) {
            this.clock = clock;
            return this;
        }

        /** Checks the settings; throws {@link IllegalArgumentException} naming what is wrong. */
        public Bot build() {
            return new Bot(settings());
        }

        /** The validated settings the bot's parts share. */
        BotSettings settings() {
            return new BotSettings(servers, handlers, labels, enrollToken, name, stateDir, concurrency,
                    shutdownGrace, claimWait, heartbeatInterval, connectTimeout, breakerFailures, breakerDelay,
                    retryInitial, retryMax, retryCalls, startBackoffMax, handleSignals, onDrain, clock);
        }
    }
}
