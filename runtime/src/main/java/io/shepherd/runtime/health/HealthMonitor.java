package io.shepherd.runtime.health;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.shepherd.plugins.api.HealthCheck;
import io.shepherd.plugins.api.HealthContext;
import io.shepherd.plugins.api.HealthStatus;
import io.shepherd.runtime.lifecycle.Background;
import io.shepherd.runtime.lifecycle.Threads;

/**
 * Runs every health check — built-in, jar, script — on a schedule of its own
 * ({@code health.interval}), so that what the probes, the gauges and the alerts see is current
 * even when nobody asks {@code /healthz}, and asking never waits for a database. Each round runs
 * the checks in parallel, each under {@code health.check-timeout}; a check that throws or
 * overruns is DOWN with the reason. A check runs at most once at a time: one still running from
 * an earlier round (hung on a frozen database, say) is not started again — the round reports it
 * DOWN, and a hanging check costs one thread, never one per round.
 */
public final class HealthMonitor implements Background {
    private static final System.Logger LOG = System.getLogger(HealthMonitor.class.getName());

    /** A check's latest verdict, when it was taken ({@code checkedAt}, epoch ms) and how long it took. */
    public record Result(HealthStatus status, long checkedAt, long tookMs) {
    }

    /** The latest result of each check, by name. */
    public record Report(Map<String, Result> checks) {
        public boolean up() {
            return checks.values().stream().allMatch(r -> r.status().up());
        }

        /** The verdicts alone. */
        public Map<String, HealthStatus> statuses() {
            Map<String, HealthStatus> statuses = new LinkedHashMap<>();
            checks.forEach((name, result) -> statuses.put(name, result.status()));
            return statuses;
        }
    }

    private final HealthRegistry registry;
    private final Supplier<HealthContext> contexts;
    private final Duration interval;
    private final Duration timeout;
    private final Clock clock;
    private final Consumer<Report> onRound;
    /**
     * At most one thread a check (the run of a check still going blocks only that check's next
     * round). Plugins' checks share at most {@code health.check-runners} threads: checks hanging
     * in plugins cannot take more than that, whatever the probes and reloads do, and never the
     * threads of the built-in checks, which run apart.
     */
    private final ThreadPoolExecutor runners;
    private final ExecutorService builtIns = Executors.newCachedThreadPool(Threads.daemons("health-builtin"));
    private final ScheduledExecutorService timer = Threads.timer(name());
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final Map<String, Result> latest = new ConcurrentHashMap<>();

    /** A run of one check in flight, and when it began. */
    private record Running(HealthCheck check, Future<HealthStatus> future, long startedAt) {
    }

    /** {@code onRound}: told each round's results (the gauges). */
    public HealthMonitor(HealthRegistry registry, Supplier<HealthContext> contexts, Duration interval, Duration timeout,
                         int maxRunning, Clock clock, Consumer<Report> onRound) {
        this.runners = new ThreadPoolExecutor(0, maxRunning, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                Threads.daemons("health-check"));
        this.registry = registry;
        this.contexts = contexts;
        this.interval = interval;
        this.timeout = timeout;
        this.clock = clock;
        this.onRound = onRound;
    }

    @Override
    public String name() {
        return "health";
    }

    /** One round now — the probes have answers from the first request on — then one every interval. */
    @Override
    public void start() {
        round();
        timer.scheduleWithFixedDelay(this::roundQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void roundQuietly() {
        try {
            round();
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "A round of health checks failed: " + e);
        }
    }

    /**
     * Runs every check now (one already running is waited for, not started twice) and returns the
     * results; they also become the latest. What a human's {@code /healthz?fresh=true} does.
     */
    public Report round() {
        List<HealthRegistry.Entry> entries = registry.all();
        HealthContext context = contexts.get();
        Map<String, Running> runs = new LinkedHashMap<>();
        for (HealthRegistry.Entry entry : entries) {
            runs.put(entry.check().name(), running.compute(entry.check().name(), (name, earlier) ->
                    earlier != null && !earlier.future().isDone() && earlier.check() == entry.check() ? earlier
                            : new Running(entry.check(), start(entry, context), clock.millis())));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Result> results = new LinkedHashMap<>();
        runs.forEach((name, run) -> {
            HealthStatus status = await(run, deadline);
            long now = clock.millis();
            results.put(name, new Result(status, now, now - run.startedAt()));
        });
        running.keySet().retainAll(results.keySet()); // checks that were removed
        latest.keySet().retainAll(results.keySet());
        latest.putAll(results);
        Report report = new Report(results);
        onRound.accept(report);
        return report;
    }

    private Future<HealthStatus> start(HealthRegistry.Entry entry, HealthContext context) {
        HealthCheck check = entry.check();
        if (HealthRegistry.BUILT_IN.equals(entry.source())) {
            return builtIns.submit(() -> check.check(context));
        }
        try {
            return runners.submit(() -> check.check(context));
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(HealthStatus.unhealthy("not run: " + runners.getMaximumPoolSize()
                    + " checks are still running (health.check-runners)"));
        }
    }

    private HealthStatus await(Running run, long deadline) {
        try {
            HealthStatus status = run.future().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return status == null ? HealthStatus.unhealthy("the check returned nothing") : status;
        } catch (TimeoutException e) {
            long runningMs = clock.millis() - run.startedAt();
            // left running: the next round waits for it instead of starting a second one
            return HealthStatus.unhealthy(runningMs > timeout.toMillis() + interval.toMillis()
                    ? "still running after " + runningMs + " ms (hung); not started again until it returns"
                    : "timed out after " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return HealthStatus.unhealthy("interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return HealthStatus.unhealthy(cause.getMessage() == null ? cause.getClass().getSimpleName()
                    : firstLine(cause.getMessage()));
        }
    }

    /** The latest result of each check, as of the last round; never waits. */
    public Report latest() {
        Map<String, Result> ordered = new LinkedHashMap<>();
        registry.all().forEach(e -> {
            Result r = latest.get(e.check().name());
            if (r != null) {
                ordered.put(e.check().name(), r);
            }
        });
        return new Report(ordered);
    }

    /** The latest results of the checks that decide readiness. */
    public Report latestReadiness() {
        Map<String, Result> ready = new LinkedHashMap<>();
        registry.all().forEach(e -> {
            Result r = latest.get(e.check().name());
            if (r != null && e.check().readiness()) {
                ready.put(e.check().name(), r);
            }
        });
        return new Report(ready);
    }

    /**
     * How old a result may be before it no longer counts: two rounds and a timeout. Only a
     * monitor that stopped running makes results that old.
     */
    public Duration staleAfter() {
        return interval.multipliedBy(2).plus(timeout);
    }

    private static String firstLine(String message) {
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        runners.shutdownNow();
        builtIns.shutdownNow();
    }
}
