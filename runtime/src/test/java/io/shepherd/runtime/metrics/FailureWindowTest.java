package io.shepherd.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.shepherd.runtime.store.RecoveryStore.Outcomes;
import org.junit.jupiter.api.Test;

/**
 * The failure rate's window, over events kept in a list: each outcome counted once, an event that
 * is committed late (but within the settling time) still counted, outcomes forgotten as they leave
 * the window, a failed read losing nothing — and no read spanning more than the time since the last.
 */
class FailureWindowTest {
    static final long SECOND = 1000;
    static final long MINUTE = 60 * SECOND;

    /** The events table as the window sees it: (time, failed?), and every span it was asked for. */
    static final class Events implements FailureWindow.Source {
        record Event(long at, boolean failed) {
        }

        record Span(long from, long to) {
        }

        final List<Event> events = new ArrayList<>();
        final List<Span> asked = new ArrayList<>();
        boolean down;

        void add(long at, boolean failed) {
            events.add(new Event(at, failed));
        }

        @Override
        public Outcomes between(long from, long to) {
            if (down) {
                throw new IllegalStateException("the database is down");
            }
            asked.add(new Span(from, to));
            long finished = events.stream().filter(e -> e.at >= from && e.at < to).count();
            long failed = events.stream().filter(e -> e.at >= from && e.at < to && e.failed).count();
            return new Outcomes(finished, failed);
        }
    }

    final Events events = new Events();
    final FailureWindow window = new FailureWindow(Duration.ofMinutes(5), Duration.ofSeconds(10), events);

    @Test
    void eachOutcomeCountsOnceFromWhenItIsWrittenUntilItLeavesTheWindow() {
        long t = 1_000 * MINUTE;
        assertEquals(0.0, window.rate(t), "nothing yet");
        events.add(t + SECOND, false);
        events.add(t + SECOND, false);
        events.add(t + SECOND, false);
        events.add(t + SECOND, true);
        assertEquals(0.25, window.rate(t + 2 * SECOND), "counted at once, though not settled");
        assertEquals(0.25, window.rate(t + 20 * SECOND), "settled: counted once, not again");
        events.add(t + 25 * SECOND, true);
        assertEquals(0.4, window.rate(t + 30 * SECOND));
        for (long now = t + 35 * SECOND; now <= t + 5 * MINUTE; now += 5 * SECOND) {
            assertEquals(0.4, window.rate(now), "still in the window at " + (now - t) / SECOND + " s");
        }
        // the first four are out once the slice that holds them ends before the window starts
        assertEquals(1.0, window.rate(t + 5 * MINUTE + 20 * SECOND));
        assertEquals(0.0, window.rate(t + 5 * MINUTE + 40 * SECOND), "all gone");
    }

    @Test
    void anEventCommittedAfterTheTimeItBearsIsCountedWhileUnsettled() {
        long t = 1_000 * MINUTE;
        assertEquals(0.0, window.rate(t));
        assertEquals(0.0, window.rate(t + 5 * SECOND));
        events.add(t + 2 * SECOND, true); // bears t + 2 s, visible only now (a slow commit)
        events.add(t + 6 * SECOND, false);
        assertEquals(0.5, window.rate(t + 8 * SECOND));
        assertEquals(0.5, window.rate(t + 30 * SECOND), "and kept once settled");
    }

    @Test
    void aFailedReadLosesNothingAndTheNextCountsWhatItMissed() {
        long t = 1_000 * MINUTE;
        assertEquals(0.0, window.rate(t));
        events.add(t + SECOND, true);
        events.down = true;
        assertThrows(IllegalStateException.class, () -> window.rate(t + 20 * SECOND));
        assertThrows(IllegalStateException.class, () -> window.rate(t + 40 * SECOND));
        events.add(t + 45 * SECOND, false);
        events.down = false;
        assertEquals(0.5, window.rate(t + 60 * SECOND));
        assertEquals(0.5, window.rate(t + 80 * SECOND));
    }

    @Test
    void afterTheFirstReadNoReadSpansMoreThanTheTimeSinceTheLastAndTheSettlingTime() {
        long t = 1_000 * MINUTE;
        window.rate(t);
        events.asked.clear();
        for (long now = t + 5 * SECOND; now < t + 30 * MINUTE; now += 5 * SECOND) {
            window.rate(now);
            events.add(now, now % 3 == 0);
        }
        long settledSpan = events.asked.stream().filter(s -> s.to() != Long.MAX_VALUE)
                .mapToLong(s -> s.to() - s.from()).max().orElseThrow();
        assertEquals(5 * SECOND, settledSpan, "a settled slice is the time since the last read");
        long freshFrom = events.asked.stream().filter(s -> s.to() == Long.MAX_VALUE).mapToLong(Events.Span::from)
                .min().orElseThrow();
        assertTrue(freshFrom >= t - 10 * SECOND, "the unsettled time counted afresh starts at the last settled slice");
    }

    @Test
    void theSettlingTimeMustBeShorterThanTheWindow() {
        assertThrows(IllegalArgumentException.class,
                () -> new FailureWindow(Duration.ofMinutes(5), Duration.ofMinutes(5), events));
    }
}
