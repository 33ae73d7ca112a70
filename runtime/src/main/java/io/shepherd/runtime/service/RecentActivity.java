package io.shepherd.runtime.service;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.store.JobStore.MinuteCount;
import io.shepherd.runtime.store.Stores;

/**
 * The last hour at a glance, as the console's overview and bots pages show it: jobs submitted,
 * completed, failed, dead-lettered and requeued minute by minute, each bot's completions and
 * failures over the hour, how long the latest claims waited (p95), and the orphans now.
 *
 * <p>Read from the events, which every replica writes, so every replica answers alike. A minute
 * that ended more than {@link #SETTLED} ago is counted once and kept (its events are all written
 * by then); only the last minute or two are counted again, and a whole answer is reused for
 * {@link #REUSE}, so any number of open consoles cost one small read every few seconds per replica.
 */
public final class RecentActivity {
    static final int MINUTES = 60;
    static final long MINUTE = 60_000;
    /**
     * A minute that ended longer ago than this is final: an event is committed within moments of
     * the time it bears. Only the minutes since are counted again (one or two).
     */
    static final long SETTLED = 30_000;
    static final Duration REUSE = Duration.ofSeconds(2);
    static final Duration WAIT_WINDOW = Duration.ofMinutes(5);
    static final int WAIT_SAMPLE = 10_000;

    private final Stores stores;
    private final Clock clock;
    /** Settled minutes' counts, by epoch minute. */
    private final TreeMap<Long, List<MinuteCount>> settled = new TreeMap<>();
    private Recent last;
    private long lastAt = Long.MIN_VALUE;

    public RecentActivity(Stores stores, Clock clock) {
        this.stores = stores;
        this.clock = clock;
    }

    /**
     * One minute's figures; {@code at} is its start (epoch milliseconds). {@code failed} counts every
     * attempt that ended in failure, the last ones (dead-lettered) included.
     */
    public record Minute(long at, long submitted, long completed, long failed, long deadLettered, long requeued) {
    }

    /** A bot's outcomes over the hour: attempts completed, and attempts failed (dead-lettered included). */
    public record BotTally(long completed, long failed) {
    }

    /**
     * The answer: the last {@value #MINUTES} minutes oldest first (the last one still running),
     * the wait p95 over the latest claims of the last five minutes (null when none) and how many
     * claims it saw, the claimed jobs whose lease has expired, and each bot's tally.
     */
    public record Recent(long at, List<Minute> minutes, Long waitP95Ms, int waitsSeen, long orphans,
                         Map<String, BotTally> bots) {
    }

    private record Read(List<MinuteCount> counted, List<Long> waits, long orphans) {
    }

    public synchronized Recent recent(Caller caller) {
        caller.requireClientOrViewer();
        long now = clock.millis();
        if (last != null && now - lastAt >= 0 && now - lastAt < REUSE.toMillis()) {
            return last;
        }
        long thisMinute = Math.floorDiv(now, MINUTE);
        long first = thisMinute - MINUTES + 1;
        long settledBefore = Math.floorDiv(now - SETTLED, MINUTE); // minutes below this are final
        settled.headMap(first).clear();
        Map<Long, List<MinuteCount>> byMinute = new HashMap<>(settled);
        long missingFrom = first;
        while (missingFrom < settledBefore && settled.containsKey(missingFrom)) {
            missingFrom++;
        }
        long from = missingFrom;
        Read read = stores.database().read(db -> new Read(
                stores.jobs().countEventsByMinute(db, from * MINUTE, now + 1),
                stores.jobs().recentWaits(db, now - WAIT_WINDOW.toMillis(), WAIT_SAMPLE),
                stores.recovery().countExpiredLeases(db, now)));
        List<Long> waits = read.waits();
        Map<Long, List<MinuteCount>> fresh = new HashMap<>();
        for (MinuteCount c : read.counted()) {
            fresh.computeIfAbsent(c.minute(), m -> new ArrayList<>()).add(c);
        }
        for (long m = from; m <= thisMinute; m++) {
            List<MinuteCount> counts = fresh.getOrDefault(m, List.of());
            byMinute.put(m, counts);
            if (m < settledBefore) {
                settled.put(m, counts);
            }
        }
        List<Minute> minutes = new ArrayList<>(MINUTES);
        Map<String, long[]> bots = new HashMap<>();
        for (long m = first; m <= thisMinute; m++) {
            long[] kinds = new long[5];
            for (MinuteCount c : byMinute.getOrDefault(m, List.of())) {
                int i = switch (c.kind()) {
                    case "submitted" -> 0;
                    case "completed" -> 1;
                    case "failed" -> 2;
                    case "dead-lettered" -> 3;
                    case "requeued" -> 4;
                    default -> -1;
                };
                if (i >= 0) {
                    kinds[i] += c.n();
                }
                if (i == 3) {
                    kinds[2] += c.n(); // an attempt that failed for good failed too
                }
                if (c.botId() != null && i >= 1 && i <= 3) {
                    bots.computeIfAbsent(c.botId(), b -> new long[2])[i == 1 ? 0 : 1] += c.n();
                }
            }
            minutes.add(new Minute(m * MINUTE, kinds[0], kinds[1], kinds[2], kinds[3], kinds[4]));
        }
        Map<String, BotTally> tallies = new TreeMap<>();
        bots.forEach((id, n) -> tallies.put(id, new BotTally(n[0], n[1])));
        last = new Recent(now, List.copyOf(minutes), p95(waits), waits.size(), read.orphans(),
                Collections.unmodifiableMap(tallies));
        lastAt = now;
        return last;
    }

    /** The nearest-rank 95th percentile; null for no values. */
    static Long p95(List<Long> values) {
        if (values.isEmpty()) {
            return null;
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(0.95 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
