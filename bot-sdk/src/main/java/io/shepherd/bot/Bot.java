package io.shepherd.bot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.helidon.http.Method;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;

/**
 * A Shepherd bot: a handler per job type, and everything else done for it. Build one with
 * {@link #builder()} and call {@link #run()}, which blocks until the bot stops.
 *
 * <p>At start it waits for a runtime to be ready (exponential backoff and jitter, no limit),
 * resumes the identity kept in its state directory (or registers), and opens a new session —
 * which makes the runtime release at once whatever an earlier process of this bot held. While it
 * runs it heartbeats on a thread of its own, long-polls for as many jobs as it has free slots,
 * runs each job on a worker thread, interrupts a handler whose job was cancelled, and sends
 * every call through a circuit breaker per runtime, failover across runtimes and retries with
 * backoff. On SIGTERM (or {@link #stop()}) it stops claiming, lets running jobs finish within the
 * grace period while still heartbeating, gives back what did not finish, deregisters and returns.
 * If another process with the same identity opens a newer session, it stops at once without
 * releasing or claiming anything.
 */
public final class Bot {
    private static final System.Logger LOG = System.getLogger(Bot.class.getName());
    /** Looked up once: {@code Json.createXxx()} looks the provider up on every call, a jar scan each time. */
    static final JsonProvider JSON = JsonProvider.provider();

    private final Builder config;
    private final RuntimeClient client;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final Semaphore slots;
    private final ExecutorService workers;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile BotState.Phase phase = BotState.Phase.WAITING;
    private volatile Identity identity;
    private volatile String session;
    private volatile boolean claiming;
    private volatile Thread claimThread;
    private volatile Thread heartbeatThread;

    private Bot(Builder config) {
        this.config = config;
        this.client = new RuntimeClient(config.servers, new RuntimeClient.Settings(config.connectTimeout,
                config.breakerFailures, config.breakerDelay, config.retryInitial, config.retryMax, config.retryCalls));
        this.slots = new Semaphore(config.concurrency);
        // a thread per slot for handlers, and as many again so a finished job's report overlaps
        // with the next job's claim and handler instead of holding its slot
        this.workers = Executors.newFixedThreadPool(2 * config.concurrency, r -> {
            Thread t = new Thread(r, "shepherd-job-" + UUID.randomUUID().toString().substring(0, 8));
            t.setDaemon(true);
            return t;
        });
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A job being worked on, with what the SDK needs to manage it. */
    private final class Running implements JobContext {
        final Job job;
        final String leaseToken;
        final String correlationId;
        volatile Thread thread;
        volatile boolean cancelled;
        /** Stop without reporting anything (superseded, given back at shutdown, or no longer this bot's). */
        volatile boolean abandoned;
        /** The runtime says this bot no longer holds the job. */
        volatile boolean lost;
        /** The handler is done and its outcome is on its way: a late "lost" must not abort it. */
        volatile boolean reporting;
        /** Whether this job's slot was given back (once its handler is done, before its report). */
        boolean slotFreed;
        volatile JsonValue progress;

        Running(Job job, String leaseToken) {
            this.job = job;
            this.leaseToken = leaseToken;
            this.correlationId = config.name + "-" + job.id().substring(0, Math.min(8, job.id().length())) + "-"
                    + UUID.randomUUID().toString().substring(0, 8);
        }

        /** Interrupts the handler, if one is running; the flags set before say why. */
        void interruptHandler() {
            Thread t = thread;
            if (t != null) {
                t.interrupt();
            }
        }

        @Override
        public boolean cancelled() {
            return cancelled;
        }

        @Override
        public String correlationId() {
            return correlationId;
        }

        @Override
        public void progress(JsonValue value) {
            this.progress = value;
        }
    }

    /** Runs the bot until it is stopped (SIGTERM, {@link #stop()}) or superseded. */
    public void run() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("run() was already called");
        }
        if (config.handleSignals) {
            SignalHandlers.install(this::stopInBackground);
        }
        try {
            waitForRuntime();
            heal();
        } catch (StopRequested e) {
            finishStop();
            return;
        }
        phase = BotState.Phase.RUNNING;
        claiming = true;
        heartbeatThread = Thread.ofPlatform().daemon().name("shepherd-heartbeat").start(this::heartbeatLoop);
        claimThread = Thread.ofVirtual().name("shepherd-claim").start(this::claimLoop);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
        }
    }

    private static final class StopRequested extends RuntimeException {
        StopRequested() {
            super(null, null, false, false);
        }
    }

    private void checkStopping() {
        if (stopping.get()) {
            throw new StopRequested();
        }
    }

    /** Waits, without limit, until one of the runtimes says it is ready. */
    private void waitForRuntime() {
        ExponentialBackoff backoff = new ExponentialBackoff(Duration.ofSeconds(1), config.startBackoffMax, Integer.MAX_VALUE);
        for (int attempt = 1; ; attempt++) {
            for (String server : client.servers()) {
                checkStopping();
                if (client.ready(server, correlationId("ready"))) {
                    LOG.log(System.Logger.Level.INFO, "Runtime " + server + " is ready");
                    return;
                }
            }
            long delay = backoff.delayMillis(attempt);
            LOG.log(System.Logger.Level.INFO, "No runtime ready at " + client.servers() + " yet; waiting "
                    + delay + " ms (attempt " + attempt + ")");
            sleepUnlessStopping(delay);
        }
    }

    /** Resumes the identity in the state directory, or registers, and opens a new session. */
    private void heal() {
        Identity known = Identity.load(config.stateDir).orElse(null);
        if (known != null) {
            checkStopping();
            ApiResponse opened = client.callRetrying(Method.POST, "/v1/bots/" + known.botId() + "/sessions",
                    known.token(), JSON.createObjectBuilder().build(), Duration.ofSeconds(30), correlationId("session"));
            if (opened.status() == 201) {
                identity = known;
                session = opened.json().getString("session");
                List<String> released = strings(opened.json(), "released");
                LOG.log(System.Logger.Level.INFO, "Resumed bot " + known.botId() + " (" + config.name + ") with a new "
                        + "session; the runtime released " + released.size() + " job(s) an earlier process held"
                        + (released.isEmpty() ? "" : ": " + released));
                return;
            }
            if (opened.status() == 401 || opened.status() == 404) {
                LOG.log(System.Logger.Level.WARNING, "The runtime does not know bot " + known.botId()
                        + " (HTTP " + opened.status() + "); registering anew");
                Identity.forget(config.stateDir);
            } else {
                throw new IllegalStateException("Could not open a session for bot " + known.botId() + ": HTTP "
                        + opened.status() + " " + opened.detail());
            }
        }
        if (config.enrollToken == null) {
            throw new IllegalStateException("No identity in " + config.stateDir + " and no enroll token to register with");
        }
        JsonArrayBuilder types = JSON.createArrayBuilder();
        config.handlers.keySet().forEach(types::add);
        JsonObjectBuilder labels = JSON.createObjectBuilder();
        config.labels.forEach(labels::add);
        checkStopping();
        ApiResponse registered = client.callRetrying(Method.POST, "/v1/bots", config.enrollToken,
                JSON.createObjectBuilder().add("name", config.name).add("types", types).add("labels", labels).build(),
                Duration.ofSeconds(30), correlationId("register"));
        if (registered.status() != 201) {
            throw new IllegalStateException("Registration refused: HTTP " + registered.status() + " "
                    + registered.detail());
        }
        JsonObject body = registered.json();
        identity = new Identity(body.getJsonObject("bot").getString("id"), body.getString("token"),
                body.getJsonNumber("heartbeatIntervalMs").longValue());
        identity.save(config.stateDir);
        session = body.getString("session");
        LOG.log(System.Logger.Level.INFO, "Registered as bot " + identity.botId() + " (" + config.name + ") for "
                + config.handlers.keySet() + "; identity kept in " + config.stateDir);
    }

    private Duration heartbeatInterval() {
        return config.heartbeatInterval != null ? config.heartbeatInterval
                : Duration.ofMillis(identity.heartbeatIntervalMs());
    }

    private void heartbeatLoop() {
        while (phase == BotState.Phase.RUNNING || phase == BotState.Phase.DRAINING) {
            try {
                Thread.sleep(heartbeatInterval().toMillis());
            } catch (InterruptedException e) {
                return;
            }
            if (phase != BotState.Phase.RUNNING && phase != BotState.Phase.DRAINING) {
                return;
            }
            // naming the jobs it works on keeps exactly those leases: a job the runtime thinks this
            // bot holds but it never heard of (a claim answer lost on the way) runs out and is recovered
            JsonObjectBuilder progress = JSON.createObjectBuilder();
            JsonArrayBuilder jobs = JSON.createArrayBuilder();
            running.values().forEach(r -> {
                jobs.add(r.job.id());
                if (r.progress != null) {
                    progress.add(r.job.id(), r.progress);
                }
            });
            try {
                ApiResponse answer = client.callOnce(Method.POST, "/v1/bots/" + identity.botId() + "/heartbeat",
                        identity.token(), JSON.createObjectBuilder().add("session", session).add("jobs", jobs)
                                .add("progress", progress).build(), Duration.ofSeconds(10), correlationId("heartbeat"));
                if (answer.status() == 409) {
                    superseded(answer.detail());
                    return;
                }
                if (!answer.ok()) {
                    LOG.log(System.Logger.Level.WARNING, "Heartbeat refused: HTTP " + answer.status() + " " + answer.detail());
                    continue;
                }
                JsonObject body = answer.json();
                for (String id : strings(body, "cancel")) {
                    Running r = running.get(id);
                    if (r != null) {
                        LOG.log(System.Logger.Level.INFO, "Job " + id + " was cancelled; interrupting its handler");
                        r.cancelled = true;
                        r.interruptHandler();
                    }
                }
                for (String id : strings(body, "lost")) {
                    Running r = running.get(id);
                    if (r != null && !r.reporting && !r.cancelled) {
                        LOG.log(System.Logger.Level.WARNING, "Job " + id + " is no longer held by this bot (the runtime "
                                + "took it back); stopping its handler without reporting");
                        r.lost = true;
                        r.abandoned = true;
                        r.interruptHandler();
                    }
                }
                boolean drain = body.getBoolean("drain", false);
                if (drain && claiming && phase == BotState.Phase.RUNNING) {
                    LOG.log(System.Logger.Level.INFO, "The runtime asks this bot to drain: no new claims");
                    claiming = false;
                }
            } catch (ServerFailure e) {
                // logged by the client; the next beat tries again
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Heartbeat failed: " + e);
            }
        }
    }

    private void claimLoop() {
        while (claiming && !stopping.get()) {
            int want;
            try {
                slots.acquire();
                want = 1 + slots.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
            List<JsonObject> jobs = List.of();
            try {
                JsonObjectBuilder request = JSON.createObjectBuilder().add("session", session).add("max", want)
                        .add("waitMs", config.claimWait.toMillis());
                ApiResponse answer = client.callRetrying(Method.POST, "/v1/bots/" + identity.botId() + "/claim",
                        identity.token(), request.build(), config.claimWait.plusSeconds(15), correlationId("claim"));
                if (answer.status() == 409) {
                    slots.release(want);
                    superseded(answer.detail());
                    return;
                }
                if (answer.status() == 200) {
                    jobs = answer.json().getJsonArray("jobs").getValuesAs(JsonObject.class);
                } else if (answer.status() != 204) {
                    LOG.log(System.Logger.Level.WARNING, "Claim refused: HTTP " + answer.status() + " " + answer.detail());
                    sleepQuietly(1000);
                }
            } catch (ServerFailure e) {
                LOG.log(System.Logger.Level.WARNING, "Could not claim after retries; trying again");
            } catch (RuntimeException e) {
                if (stopping.get() || Thread.currentThread().isInterrupted()) {
                    slots.release(want);
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "Claim failed: " + e);
                sleepQuietly(1000);
            }
            slots.release(want - jobs.size());
            for (JsonObject claimed : jobs) {
                start(claimed);
            }
        }
    }

    private void start(JsonObject claimed) {
        Job job = new Job(claimed.getString("id"), claimed.getString("type"), claimed.getString("queue"),
                claimed.get("payload"), claimed.getInt("attempt"));
        Running r = new Running(job, claimed.getString("leaseToken"));
        running.put(job.id(), r);
        workers.execute(() -> work(r));
    }

    private void work(Running r) {
        r.thread = Thread.currentThread();
        String id = r.job.id();
        try {
            if (r.cancelled || r.abandoned) {
                // taken back (cancelled, lost, superseded) before a worker thread got to it
                interrupted(r);
                return;
            }
            JobHandler handler = config.handlers.get(r.job.type());
            if (handler == null) {
                report(r, "fail", JSON.createObjectBuilder().add("leaseToken", r.leaseToken)
                        .add("error", "no handler for job type " + r.job.type()).add("retryable", true).build());
                return;
            }
            JsonValue result;
            try {
                result = handler.handle(r.job, r);
            } catch (NonRetryableException e) {
                report(r, "fail", JSON.createObjectBuilder().add("leaseToken", r.leaseToken)
                        .add("error", String.valueOf(e.getMessage())).add("retryable", false).build());
                return;
            } catch (InterruptedException e) {
                interrupted(r);
                return;
            } catch (Exception e) {
                if (r.cancelled || r.abandoned) {
                    interrupted(r);
                    return;
                }
                report(r, "fail", JSON.createObjectBuilder().add("leaseToken", r.leaseToken)
                        .add("error", e.toString()).add("retryable", true).build());
                return;
            }
            if (r.cancelled || r.abandoned) {
                interrupted(r);
                return;
            }
            Thread.interrupted(); // a stray interrupt must not abort the report
            JsonObjectBuilder body = JSON.createObjectBuilder().add("leaseToken", r.leaseToken);
            body.add("result", result == null ? JsonValue.NULL : result);
            report(r, "complete", body.build());
        } finally {
            running.remove(id);
            freeSlot(r);
        }
    }

    /** The handler is done: its slot may take the next job while the outcome is reported. */
    private void freeSlot(Running r) {
        if (!r.slotFreed) {
            r.slotFreed = true;
            slots.release();
        }
    }

    private void interrupted(Running r) {
        if (r.cancelled) {
            LOG.log(System.Logger.Level.INFO, "Job " + r.job.id() + " stopped: it was cancelled");
        } else if (r.abandoned) {
            LOG.log(System.Logger.Level.INFO, "Job " + r.job.id() + " stopped: " + (r.lost
                    ? "the runtime took it back; nothing is reported"
                    : phase == BotState.Phase.SUPERSEDED ? "this process was superseded; nothing is reported"
                    : "shutdown; the runtime gets it back"));
        } else {
            LOG.log(System.Logger.Level.WARNING, "Job " + r.job.id() + "'s handler was interrupted; failing the attempt");
            Thread.interrupted();
            report(r, "fail", JSON.createObjectBuilder().add("leaseToken", r.leaseToken)
                    .add("error", "handler interrupted").add("retryable", true).build());
        }
    }

    private void report(Running r, String action, JsonObject body) {
        r.reporting = true;
        freeSlot(r);
        if (phase == BotState.Phase.SUPERSEDED) {
            return;
        }
        try {
            ApiResponse answer = client.callRetrying(Method.POST, "/v1/jobs/" + r.job.id() + "/" + action,
                    identity.token(), body, Duration.ofSeconds(30), r.correlationId);
            if (answer.status() == 409 || answer.status() == 403 || answer.status() == 404) {
                LOG.log(System.Logger.Level.WARNING, "Job " + r.job.id() + ": " + action + " refused (HTTP "
                        + answer.status() + "): " + answer.detail() + " — this bot no longer holds it");
            } else if (!answer.ok()) {
                LOG.log(System.Logger.Level.WARNING, "Job " + r.job.id() + ": " + action + " refused (HTTP "
                        + answer.status() + "): " + answer.detail());
            }
        } catch (ServerFailure e) {
            LOG.log(System.Logger.Level.ERROR, "Job " + r.job.id() + ": could not " + action + " after every retry; "
                    + "its lease will expire and the runtime will recover it");
        }
    }

    private void superseded(String detail) {
        synchronized (this) {
            if (phase == BotState.Phase.SUPERSEDED || phase == BotState.Phase.STOPPED) {
                return;
            }
            phase = BotState.Phase.SUPERSEDED;
        }
        LOG.log(System.Logger.Level.ERROR, "This process was superseded: another process of bot " + identity.botId()
                + " opened a newer session (" + detail + "). Stopping without claiming or releasing anything.");
        claiming = false;
        stopping.set(true);
        Thread claimer = claimThread;
        if (claimer != null) {
            claimer.interrupt();
        }
        for (Running r : running.values()) {
            r.abandoned = true;
            r.interruptHandler();
        }
        workers.shutdownNow();
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
        long deadline = System.nanoTime() + config.shutdownGrace.toNanos();
        if (phase != BotState.Phase.RUNNING) {
            // still starting: nothing is held yet
            if (!started.get()) {
                finishStop();
            }
            awaitStopped();
            return;
        }
        phase = BotState.Phase.DRAINING;
        claiming = false;
        Thread claimer = claimThread;
        if (claimer != null) {
            claimer.interrupt();
        }
        LOG.log(System.Logger.Level.INFO, "Stopping: no new claims; " + running.size() + " running job(s) get up to "
                + config.shutdownGrace.toMillis() + " ms to finish");
        // leave time within the grace to deregister
        long reserve = Math.min(TimeUnit.SECONDS.toNanos(3), config.shutdownGrace.toNanos() / 4);
        while (!running.isEmpty() && System.nanoTime() < deadline - reserve) {
            sleepQuietly(25);
        }
        if (!running.isEmpty()) {
            List<String> unfinished = new ArrayList<>(running.keySet());
            LOG.log(System.Logger.Level.WARNING, "Grace period over; giving back unfinished job(s) " + unfinished);
            for (Running r : running.values()) {
                r.abandoned = true;
                r.interruptHandler();
            }
        }
        try {
            ApiResponse answer = client.callOnce(Method.DELETE, "/v1/bots/" + identity.botId(), identity.token(), null,
                    Duration.ofSeconds(5), correlationId("deregister"));
            if (answer.status() == 204) {
                LOG.log(System.Logger.Level.INFO, "Deregistered bot " + identity.botId()
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
        Thread beat = heartbeatThread;
        if (beat != null) {
            beat.interrupt();
        }
        workers.shutdownNow();
        stopped.countDown();
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
        Identity id = identity;
        return new BotState(phase, id == null ? null : id.botId(), session, client.lastGood(), client.circuits(),
                client.retries(), List.copyOf(running.keySet()));
    }

    private String correlationId(String what) {
        return config.name + "-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private void sleepUnlessStopping(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            checkStopping();
            sleepQuietly(Math.min(100, Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static List<String> strings(JsonObject json, String field) {
        if (!json.containsKey(field) || json.isNull(field)) {
            return List.of();
        }
        return json.getJsonArray(field).getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
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
        private Duration claimWait = Duration.ofSeconds(10);
        private Duration heartbeatInterval;
        private Duration connectTimeout = Duration.ofSeconds(2);
        private int breakerFailures = 5;
        private Duration breakerDelay = Duration.ofSeconds(30);
        private Duration retryInitial = Duration.ofSeconds(1);
        private Duration retryMax = Duration.ofSeconds(60);
        private int retryCalls = 10;
        private Duration startBackoffMax = Duration.ofSeconds(5);
        private boolean handleSignals = true;

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

        /** How long one claim waits for work (default 10 s). */
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

        public Bot build() {
            if (servers.isEmpty()) {
                throw new IllegalArgumentException("at least one runtime URL is required (servers)");
            }
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name is required");
            }
            if (handlers.isEmpty()) {
                throw new IllegalArgumentException("at least one handler is required");
            }
            if (concurrency < 1 || concurrency > 100) {
                throw new IllegalArgumentException("concurrency must be between 1 and 100, was " + concurrency);
            }
            if (shutdownGrace.isNegative() || claimWait.isNegative() || claimWait.toMillis() > 30_000) {
                throw new IllegalArgumentException("shutdownGrace must not be negative and claimWait must be 0..30 s");
            }
            if (breakerFailures < 1 || retryCalls < 1) {
                throw new IllegalArgumentException("breakerFailures and retry calls must be at least 1");
            }
            if (stateDir == null) {
                stateDir = Path.of("bot-state");
            }
            return new Bot(this);
        }
    }
}
