package io.shepherd.runtime.core;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How long finished jobs and departed bots are kept. A job is deleted, with its events, once it
 * has been {@code completed}, {@code cancelled} or {@code dead} for longer than its status'
 * period (a job type may say otherwise in the policies); a bot that is offline, lost or revoked
 * and holds nothing is deleted, with its token, once silent for longer than {@code bots}. A
 * period of zero keeps for ever.
 *
 * @param jobs     the period of each finished status
 * @param bots     how long a departed bot's row is kept
 * @param actions  how long the record of an operator action is kept
 * @param interval how often the leading replica prunes
 * @param batch    rows deleted per statement: each is its own short transaction
 */
public record Retention(Map<JobStatus, Duration> jobs, Duration bots, Duration actions, Duration interval, int batch) {
    /** The statuses retention applies to: a job in any other is live and never pruned. */
    public static final List<JobStatus> FINISHED = List.of(JobStatus.COMPLETED, JobStatus.CANCELLED, JobStatus.DEAD);

    public Retention {
        jobs = Map.copyOf(jobs);
        for (JobStatus status : jobs.keySet()) {
            if (!FINISHED.contains(status)) {
                throw new IllegalArgumentException("retention applies to finished jobs only, not " + status.wire());
            }
        }
        jobs.forEach((status, period) -> notNegative("retention." + status.wire(), period));
        notNegative("retention.bots", bots);
        notNegative("retention.actions", actions);
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("retention.interval must be positive, was " + interval);
        }
        if (batch < 1 || batch > 50_000) {
            throw new IllegalArgumentException("retention.batch must be between 1 and 50000, was " + batch);
        }
    }

    public static Retention defaults() {
        return new Retention(Map.of(JobStatus.COMPLETED, Duration.ofDays(1), JobStatus.CANCELLED, Duration.ofDays(1),
                JobStatus.DEAD, Duration.ofDays(14)), Duration.ofDays(7), Duration.ofDays(90), Duration.ofSeconds(30), 2000);
    }

    /** How long a finished job of this status is kept; empty keeps it for ever. */
    public Optional<Duration> period(JobStatus status) {
        return Optional.ofNullable(jobs.get(status)).filter(d -> !d.isZero());
    }

    /** How long a departed bot is kept; empty keeps it for ever. */
    public Optional<Duration> botPeriod() {
        return Optional.of(bots).filter(d -> !d.isZero());
    }

    /** How long an operator action is kept; empty keeps it for ever. */
    public Optional<Duration> actionPeriod() {
        return Optional.of(actions).filter(d -> !d.isZero());
    }

    /** This retention with other periods for some statuses. */
    public Retention with(Map<JobStatus, Duration> overrides) {
        Map<JobStatus, Duration> merged = new EnumMap<>(JobStatus.class);
        merged.putAll(jobs);
        merged.putAll(overrides);
        return new Retention(merged, bots, actions, interval, batch);
    }

    /** Reads an ISO-8601 period ({@code P1D}, {@code PT12H}) or {@code 0} (keep for ever). */
    public static Duration parsePeriod(String key, String text) {
        String t = text.trim();
        if (t.equals("0") || t.isEmpty()) {
            return Duration.ZERO;
        }
        try {
            return Duration.parse(t);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + " must be an ISO-8601 duration such as P1D or PT12H, or 0 to keep "
                    + "for ever; was " + text);
        }
    }

    private static void notNegative(String key, Duration period) {
        if (period.isNegative()) {
            throw new IllegalArgumentException(key + " must not be negative, was " + period);
        }
    }
}
