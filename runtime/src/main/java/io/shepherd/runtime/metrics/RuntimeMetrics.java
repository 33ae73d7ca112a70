package io.shepherd.runtime.metrics;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import io.shepherd.runtime.core.StatusCounts;
import io.shepherd.runtime.health.HealthMonitor;
import io.shepherd.runtime.lifecycle.Background;
import io.shepherd.runtime.lifecycle.Threads;

/**
 * The metrics of API.md, in Helidon's registry (Prometheus names: {@code shepherd_...}). Labels
 * are statuses, reasons, figures and check names only — never job or bot ids.
 *
 * <p>A scrape never waits for the database. The figures read from it (jobs and bots by status,
 * orphans, the failure rate, the last sweep) are refreshed in the background every
 * {@code metrics.interval} — the finished jobs' counts, a scan of most of the table, every
 * {@code metrics.finished-interval} — each exporting its age ({@code shepherd_figure_age_seconds{figure}}),
 * and the health checks' latest results come from the {@link HealthMonitor} with theirs
 * ({@code shepherd_health_check_age_seconds{check}}): when the database is stopped or frozen a
 * scrape still answers at once, and a value that stopped moving shows as old instead of passing
 * for current.
 */
public final class RuntimeMetrics implements Background {

    private final MeterRegistry registry;
    private final Counter submitted;
    private final Counter completed;
    private final Counter failed;
    private final Counter dead;
    private final Counter sweeps;
    private final Timer claimLatency;
    private final Timer jobWait;
    private final Map<String, Counter> orphaned = new ConcurrentHashMap<>();
    private final Map<String, Counter> pruned = new ConcurrentHashMap<>();
    private final Counter prunedBots;
    private final Figure<Long> orphans;
    private final Figure<Map<String, Long>> unfinishedCounts;
    private final Figure<Map<String, Long>> finishedCounts;
    private final Figure<Map<String, Long>> botCounts;
    private final List<Figure<?>> figures = new ArrayList<>();
    private final Map<String, HealthMonitor.Result> health = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration interval;
    private final Duration finishedInterval;
    private final ScheduledExecutorService timer = Threads.timer("metrics");

    /** What the runtime's database and scheduler say, read on demand. */
    public interface Figures {
        /** Pending and claimed jobs: cheap, read every interval. */
        Map<String, Long> unfinishedJobsByStatus();

        /** Completed, dead and cancelled jobs: a scan of most of the table, read seldom. */
        Map<String, Long> finishedJobsByStatus();

        Map<String, Long> botsByStatus();

        long orphanedNow();

        double botFailureRate();

        long lastSweepAtMillis();
    }

    private volatile boolean leading;

    /**
     * {@code interval}: how often the database's figures are read ({@code metrics.interval});
     * {@code finishedInterval}: how often the finished jobs are counted ({@code metrics.finished-interval}).
     */
    public RuntimeMetrics(Figures source, Clock clock, Duration interval, Duration finishedInterval) {
        this.registry = Metrics.globalRegistry();
        this.clock = clock;
        this.interval = interval;
        this.finishedInterval = finishedInterval;
        this.submitted = counter("shepherd_jobs_submitted", "Jobs submitted");
        this.completed = counter("shepherd_jobs_completed", "Jobs completed");
        this.failed = counter("shepherd_jobs_failed", "Attempts reported failed by their bots");
        this.dead = counter("shepherd_jobs_dead", "Jobs dead-lettered");
        this.sweeps = counter("shepherd_recovery_sweeps", "Recovery sweeps run by this replica");
        this.prunedBots = counter("shepherd_pruned_bots", "Departed bots deleted by retention, with their tokens");
        this.claimLatency = registry.getOrCreate(Timer.builder("shepherd_claim_latency")
                .description("Time of one claim in the database, with the completions it carries (not the long-poll wait)")
                .baseUnit("seconds")
                .publishPercentileHistogram(true));
        this.jobWait = registry.getOrCreate(Timer.builder("shepherd_job_wait")
                .description("From a job's runAt to its claim")
                .baseUnit("seconds")
                .publishPercentileHistogram(true));
        Figure<Map<String, Long>> unfinished = figure("jobs", source::unfinishedJobsByStatus);
        Figure<Map<String, Long>> finished = figure("finished_jobs", source::finishedJobsByStatus, finishedInterval);
        Figure<Map<String, Long>> bots = figure("bots", source::botsByStatus);
        this.unfinishedCounts = unfinished;
        this.finishedCounts = finished;
        this.botCounts = bots;
        this.orphans = figure("orphans", source::orphanedNow);
        Figure<Double> failureRate = figure("failure_rate", source::botFailureRate);
        Figure<Long> lastSweep = figure("last_sweep", source::lastSweepAtMillis);
        for (String status : StatusCounts.JOB_STATUSES) {
            Figure<Map<String, Long>> counts = StatusCounts.FINISHED_JOB_STATUSES.contains(status) ? finished : unfinished;
            gauge("shepherd_jobs", "Jobs by status", List.of(Tag.create("status", status)),
                    () -> counts.read(m -> m.getOrDefault(status, 0L)));
        }
        for (String status : StatusCounts.BOT_STATUSES) {
            gauge("shepherd_bots", "Bots by status", List.of(Tag.create("status", status)),
                    () -> bots.read(m -> m.getOrDefault(status, 0L)));
        }
        gauge("shepherd_bot_failure_rate", "Failed / finished attempts over the last 5 minutes", List.of(),
                () -> failureRate.read(rate -> rate));
        gauge("shepherd_recovery_leader", "1 when this replica leads recovery", List.of(),
                () -> leading ? 1 : 0);
        gauge("shepherd_recovery_last_sweep_timestamp_seconds", "When recovery last swept (any replica)", List.of(),
                () -> lastSweep.read(at -> at / 1000.0));
        for (Figure<?> figure : figures) {
            gauge("shepherd_figure_age_seconds", "Seconds since the figure was last read from the database "
                    + "(it is read every metrics.interval, finished_jobs every metrics.finished-interval; "
                    + "an age that grows past that means the database does not answer)",
                    List.of(Tag.create("figure", figure.name)), () -> figure.ageSeconds(clock.millis()));
        }
        for (String reason : List.of("lease-expired", "bot-restarted", "bot-reset", "timed-out")) {
            orphaned(reason);
        }
        for (String status : List.of("completed", "cancelled", "dead")) {
            pruned(status, 0);
        }
    }

    /**
     * Jobs and bots counted by status (as the database gave them); {@code countedAt}: when the older
     * of the unfinished jobs' and the bots' counts was made; {@code finishedCountedAt}: when the
     * finished jobs' were.
     */
    public record Counts(Map<String, Long> jobs, Map<String, Long> bots, long countedAt, long finishedCountedAt) {
    }

    /**
     * The counts by status the background last read, when the unfinished jobs' and the bots' are at
     * most {@code maxAge} old and the finished jobs' at most one {@code metrics.finished-interval}
     * older (they are read no more often): an answer that costs the database nothing more. Empty
     * before the first reads, or when the database has not answered for longer.
     */
    public Optional<Counts> counts(Duration maxAge) {
        Map<String, Long> unfinished = unfinishedCounts.value;
        Map<String, Long> finished = finishedCounts.value;
        Map<String, Long> bots = botCounts.value;
        long now = clock.millis();
        long at = Math.min(unfinishedCounts.readAt, botCounts.readAt);
        long finishedAt = finishedCounts.readAt;
        if (unfinished == null || finished == null || bots == null || now - at > maxAge.toMillis()
                || now - finishedAt > maxAge.plus(finishedInterval).toMillis()) {
            return Optional.empty();
        }
        Map<String, Long> jobs = new LinkedHashMap<>(unfinished);
        jobs.putAll(finished);
        return Optional.of(new Counts(jobs, bots, at, finishedAt));
    }

    /**
     * {@code shepherd_orphaned_jobs}, the gauge. Prometheus' client refuses a gauge family of the
     * same name as the {@code shepherd_orphaned_jobs_total} counter family, so this one series is
     * kept out of Helidon's registry and written by {@code /metrics} itself.
     */
    public String orphanedGaugeText() {
        double value = orphans.read(n -> n).doubleValue();
        return "# HELP shepherd_orphaned_jobs Claimed jobs whose lease expired, not yet recovered\n"
                + "# TYPE shepherd_orphaned_jobs gauge\n"
                + "shepherd_orphaned_jobs " + value + "\n";
    }

    private Counter counter(String name, String description) {
        return registry.getOrCreate(Counter.builder(name).description(description));
    }

    private void gauge(String name, String description, List<Tag> tags, Supplier<? extends Number> value) {
        registry.getOrCreate(Gauge.builder(name, () -> value.get().doubleValue()).description(description).tags(tags));
    }

    /** A figure read at every refresh of the figures. */
    private <T> Figure<T> figure(String name, Supplier<T> source) {
        return figure(name, source, Duration.ZERO);
    }

    /** A figure read at the first refresh of the figures, then at the first one {@code period} after its last read. */
    private <T> Figure<T> figure(String name, Supplier<T> source, Duration period) {
        Figure<T> figure = new Figure<>(name, source, period.toMillis());
        figures.add(figure);
        return figure;
    }

    @Override
    public String name() {
        return "metrics";
    }

    /** Reads the database's figures now, on the part's own thread, and every interval after. */
    @Override
    public void start() {
        timer.scheduleWithFixedDelay(this::refreshFigures, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Reads every figure that is due (all of them at the first call); one that cannot be read keeps
     * its last value, and its age grows. A database that hangs holds this thread, never a scrape.
     */
    public void refreshFigures() {
        for (Figure<?> figure : figures) {
            long now = clock.millis();
            if (figure.due(now)) {
                figure.refresh(now);
            }
        }
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

    /** Finished jobs retention deleted, by the status they had. */
    public void pruned(String status, long n) {
        Counter counter = pruned.computeIfAbsent(status, st -> registry.getOrCreate(Counter.builder("shepherd_pruned_jobs")
                .description("Finished jobs deleted by retention, with their events")
                .tags(List.of(Tag.create("status", st)))));
        counter.increment(n);
    }

    /** Departed bots retention deleted. */
    public void prunedBots(long n) {
        prunedBots.increment(n);
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

    /**
     * Publishes a round of health checks: {@code shepherd_health_check_up{check}} (1 when UP at
     * its latest run) and {@code shepherd_health_check_age_seconds{check}} (since that run).
     */
    public void healthChecked(HealthMonitor.Report report) {
        report.checks().forEach((check, result) -> {
            if (health.put(check, result) == null) {
                List<Tag> tags = List.of(Tag.create("check", check));
                registry.getOrCreate(Gauge.builder("shepherd_health_check_up",
                                () -> health.get(check).status().up() ? 1.0 : 0.0)
                        .description("1 when the health check was UP at its latest run").tags(tags));
                registry.getOrCreate(Gauge.builder("shepherd_health_check_age_seconds",
                                () -> (clock.millis() - health.get(check).checkedAt()) / 1000.0)
                        .description("Seconds since the health check's latest run (checks run every health.interval)")
                        .tags(tags));
            }
        });
    }

    /**
     * Takes this runtime's meters out of the global registry, so that another runtime in the same
     * JVM (tests) registers its own instead of reading this one's closed database.
     */
    @Override
    public void close() {
        timer.shutdownNow();
        for (var meter : registry.meters(m -> m.id().name().startsWith("shepherd_"))) {
            registry.remove(meter);
        }
    }

    /** A figure read from the database in the background: its latest value, and when it was read. */
    private static final class Figure<T> {
        private static final System.Logger LOG = System.getLogger(RuntimeMetrics.class.getName());
        private final String name;
        private final Supplier<T> source;
        private final long period;
        private volatile T value;
        private volatile long readAt;
        private volatile boolean failing;

        Figure(String name, Supplier<T> source, long period) {
            this.name = name;
            this.source = source;
            this.period = period;
        }

        /** Whether a read is due: until one succeeded, once {@code period} passed since it, and while failing. */
        boolean due(long now) {
            return period == 0 || failing || readAt == 0 || now - readAt >= period;
        }

        void refresh(long now) {
            try {
                value = source.get();
                readAt = now;
                failing = false;
            } catch (RuntimeException e) {
                if (!failing) {
                    failing = true;
                    LOG.log(System.Logger.Level.DEBUG, "Figure " + name + " could not be read: " + e.getMessage());
                }
            }
        }

        /** The figure through {@code view}; NaN until it was first read. */
        Number read(java.util.function.Function<T, ? extends Number> view) {
            T v = value;
            return v == null ? Double.NaN : view.apply(v);
        }

        double ageSeconds(long now) {
            return readAt == 0 ? Double.NaN : (now - readAt) / 1000.0;
        }
    }
}
