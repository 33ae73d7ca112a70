package io.shepherd.runtime.core;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Counts by status as the API, the metrics and the plugins see them: every status, zeros included. */
public final class StatusCounts {
    /** Every job status as spelled on the wire, in life order. */
    public static final List<String> JOB_STATUSES = Arrays.stream(JobStatus.values()).map(JobStatus::wire).toList();
    /** The statuses of finished jobs, as spelled on the wire (most of a table's rows, and what retention prunes). */
    public static final List<String> FINISHED_JOB_STATUSES = Retention.FINISHED.stream().map(JobStatus::wire).toList();
    /** Every bot status as spelled on the wire ({@code busy} derived, never stored). */
    public static final List<String> BOT_STATUSES = Arrays.stream(BotStatus.values()).map(BotStatus::wire).toList();

    private StatusCounts() {
    }

    public static Map<String, Long> jobs(Map<String, Long> counts) {
        return withZeros(JOB_STATUSES, counts);
    }

    public static Map<String, Long> bots(Map<String, Long> counts) {
        return withZeros(BOT_STATUSES, counts);
    }

    /** Every status of the list, zeros included, then any other status seen. */
    private static Map<String, Long> withZeros(List<String> statuses, Map<String, Long> counts) {
        Map<String, Long> all = new LinkedHashMap<>();
        statuses.forEach(s -> all.put(s, counts.getOrDefault(s, 0L)));
        counts.forEach(all::putIfAbsent);
        return all;
    }
}
