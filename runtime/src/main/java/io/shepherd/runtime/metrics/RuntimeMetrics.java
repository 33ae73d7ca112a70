package io.shepherd.runtime.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import io.shepherd.runtime.core.StatusCounts;

/**
 * The metrics of API.md, in Helidon's registry (Prometheus names: {@code shepherd_...}). Labels
 * are statuses, reasons and check names only — never job or bot ids. Figures read from the
 * database are cached for a few seconds, so scrapes from several Prometheus servers stay cheap.
 */
public final class RuntimeMetrics implements AutoCloseable {
    private static final Duration DB_FIGURES_MAX_AGE = Duration.ofSeconds(5);

    private final MeterRegistry registry;
    private final Counter submitted;
    private final Counter completed;
    private final Counter failed;
    private final Counter dead;
    private final Counter sweeps;
    private final Timer claimLatency;
    private final Timer jobWait;
    private final Map<String, Counter> orphaned = new ConcurrentHashMap<>();
    private final Cached<Long> orphans;
    private final Map<String, Boolean> healthGauges = new ConcurrentHashMap<>();
    private final Map<String, Boolean> healthUp = new ConcurrentHashMap<>();

    /** What the runtime's database and scheduler say, read on demand. */
    public interface Figures {
        Map<String, Long> jobsByStatus();

        Map<String, Long> botsByStatus();

        long orphanedNow();

        double botFailureRate();

        long lastSweepAtMillis();
    }

    private volatile boolean leading;

    public RuntimeMetrics(Figures figures) {
        this.registry = Metrics.globalRegistry();
        this.submitted = counter("shepherd_jobs_submitted", "Jobs submitted");
        this.completed = counter("shepherd_jobs_completed", "Jobs completed");
        this.failed = counter("shepherd_jobs_failed", "Attempts reported failed by their bots");
        this.dead = counter("shepherd_jobs_dead", "Jobs dead-lettered");
        this.sweeps = counter("shepherd_recovery_sweeps", "Recovery sweeps run by this replica");
        this.claimLatency = registry.getOrCreate(Timer.builder("shepherd_claim_latency")
                .description("Time of one claim statement (not the long-poll wait)")
                .baseUnit("seconds")
                .publishPercentileHistogram(true));
        this.jobWait = registry.getOrCreate(Timer.builder("shepherd_job_wait")
                .description("From a job's runAt to its claim")
                .baseUnit("seconds")
                .publishPercentileHistogram(true));
        Cached<Map<String, Long>> jobs = new Cached<>(figures::jobsByStatus);
        Cached<Map<String, Long>> bots = new Cached<>(figures::botsByStatus);
        this.orphans = new Cached<>(figures::orphanedNow);
        Cached<Double> failureRate = new Cached<>(figures::botFailureRate);
        for (String status : StatusCounts.JOB_STATUSES) {
            gauge("shepherd_jobs", "Jobs by status", List.of(Tag.create("status", status)),
                    () -> jobs.get().getOrDefault(status, 0L));
        }
        for (String status : StatusCounts.BOT_STATUSES) {
            gauge("shepherd_bots", "Bots by status", List.of(Tag.create("status", status)),
                    () -> bots.get().getOrDefault(status, 0L));
        }
        gauge("shepherd_bot_failure_rate", "Failed / finished attempts over the last 5 minutes", List.of(),
                failureRate::get);
        gauge("shepherd_recovery_leader", "1 when this replica leads recovery", List.of(),
                () -> leading ? 1 : 0);
        gauge("shepherd_recovery_last_sweep_timestamp_seconds", "When recovery last swept (any replica)", List.of(),
                () -> figures.lastSweepAtMillis() / 1000.0);
        for (String reason : List.of("lease-expired", "bot-restarted", "bot-reset")) {
            orphaned(reason);
        }
    }

    /**
     * {@code shepherd_orphaned_jobs}, the gauge. Prometheus' client refuses a gauge family of the
     * same name as the {@code shepherd_orphaned_jobs_total} counter family, so this one series is
     * kept out of Helidon's registry and written by {@code /metrics} itself.
     */
    public String orphanedGaugeText() {
        double value;
        try {
            value = orphans.get();
        } catch (RuntimeException e) {
            value = Double.NaN;
        }
        return "# HELP shepherd_orphaned_jobs Claimed jobs whose lease expired, not yet recovered\n"
                + "# TYPE shepherd_orphaned_jobs gauge\n"
                + "shepherd_orphaned_jobs " + value + "\n";
    }

    private Counter counter(String name, String description) {
        return registry.getOrCreate(Counter.builder(name).description(description));
    }

    private void gauge(String name, String description, List<Tag> tags, Supplier<? extends Number> value) {
        registry.getOrCreate(Gauge.builder(name, () -> {
            try {
                return value.get().doubleValue();
            } catch (RuntimeException e) {
                return Double.NaN; // the database is away: no figure rather than a wrong one
            }
        }).description(description).tags(tags));
    }

    private Counter orphaned(String reason) {
        return orphaned.computeIfAbsent(reason, r -> registry.getOrCreate(Counter.builder("shepherd_orphaned_jobs")
                .description("Jobs taken back from bots that stopped working on them")
                .tags(List.of(Tag.create("reason", r)))));
    }

    public void submitted(long n) {
        submitted.increment(n);
    }

    public void completed() {
        completed.increment();
    }

    public void failed() {
        failed.increment();
    }

    public void dead(long n) {
        dead.increment(n);
    }

    public void orphaned(String reason, long n) {
        if (n > 0) {
            orphaned(reason).increment(n);
        }
    }

    public void swept() {
        sweeps.increment();
    }

    /** Whether this replica leads recovery, as its scheduler found at its latest tick. */
    public void leading(boolean leads) {
        this.leading = leads;
    }

    public void claimTook(Duration took) {
        claimLatency.record(took);
    }

    public void jobWaited(Duration waited) {
        jobWait.record(waited.isNegative() ? Duration.ZERO : waited);
    }

    /** Publishes the latest verdict of each health check as {@code shepherd_health_check_up{check}}. */
    public void healthChecked(Map<String, Boolean> upByCheck) {
        healthUp.putAll(upByCheck);
        upByCheck.keySet().forEach(check -> healthGauges.computeIfAbsent(check, c -> {
            registry.getOrCreate(Gauge.builder("shepherd_health_check_up", () -> healthUp.getOrDefault(c, false) ? 1.0 : 0.0)
                    .description("1 when the health check was UP at its latest run")
                    .tags(List.of(Tag.create("check", c))));
            return true;
        }));
    }

    /**
     * Takes this runtime's meters out of the global registry, so that another runtime in the same
     * JVM (tests) registers its own instead of reading this one's closed database.
     */
    @Override
    public void close() {
        for (var meter : registry.meters(m -> m.id().name().startsWith("shepherd_"))) {
            registry.remove(meter);
        }
    }

    /** A value read at most every few seconds. */
    private static final class Cached<T> {
        private final Supplier<T> source;
        private volatile T value;
        private volatile long readAt;

        Cached(Supplier<T> source) {
            this.source = source;
        }

        T get() {
            long now = System.nanoTime();
            if (value == null || now - readAt > DB_FIGURES_MAX_AGE.toNanos()) {
                value = source.get();
                readAt = now;
            }
            return value;
        }
    }
}
