package io.shepherd.runtime.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

/** A plugin's jobs by status: the finished half (a scan of most of the table) is counted only when looked at. */
class JobCountsTest {
    final AtomicInteger unfinishedReads = new AtomicInteger();
    final AtomicInteger finishedReads = new AtomicInteger();
    final Map<String, Long> counts = new LazyRuntimeView.JobCounts(
            counted(unfinishedReads, Map.of("pending", 7L)),
            counted(finishedReads, Map.of("completed", 1_000_000L, "dead", 3L)));

    static Supplier<Map<String, Long>> counted(AtomicInteger reads, Map<String, Long> counts) {
        return LazyRuntimeView.once(() -> {
            reads.incrementAndGet();
            return counts;
        });
    }

    @Test
    void lookingAtPendingOrClaimedNeverCountsTheFinishedJobs() {
        assertEquals(7L, counts.getOrDefault("pending", 0L));
        assertEquals(0L, counts.get("claimed"), "a status with no jobs is zero");
        assertTrue(counts.containsKey("cancelled"));
        assertEquals(List.of("pending", "claimed", "completed", "dead", "cancelled"), List.copyOf(counts.keySet()));
        assertEquals(5, counts.size());
        assertNull(counts.get("lost"), "not a job status");
        assertFalse(counts.containsKey("lost"));
        assertEquals(1, unfinishedReads.get());
        assertEquals(0, finishedReads.get(), "the finished jobs were not counted");
    }

    @Test
    void aFinishedStatusOrTheWholeMapCountsEachHalfOnce() {
        assertEquals(1_000_000L, counts.get("completed"));
        assertEquals(0, unfinishedReads.get(), "the unfinished jobs were not counted");
        assertEquals(Map.of("pending", 7L, "claimed", 0L, "completed", 1_000_000L, "dead", 3L, "cancelled", 0L),
                Map.copyOf(counts));
        assertEquals(0L, counts.get("cancelled"));
        assertEquals(1, unfinishedReads.get());
        assertEquals(1, finishedReads.get());
    }
}
