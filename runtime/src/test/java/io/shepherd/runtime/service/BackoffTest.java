package io.shepherd.runtime.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void delaysDoubleFromOneSecondWithinTwentyPercentJitterAndCapAtFiveMinutes() {
        Backoff backoff = Backoff.defaults();
        SplittableRandom random = new SplittableRandom(42);
        for (int attempt = 1; attempt <= 20; attempt++) {
            long base = Math.min(1000L << Math.min(attempt - 1, 20), 300_000L);
            for (int i = 0; i < 200; i++) {
                long delay = backoff.delayMillis(attempt, random);
                assertTrue(delay >= base * 0.8 - 1 && delay <= base * 1.2 + 1,
                        "attempt " + attempt + ": " + delay + " not within 20 % of " + base);
            }
        }
    }

    @Test
    void withoutJitterTheDelayIsExact() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), 3, Duration.ofSeconds(2), 0);
        SplittableRandom random = new SplittableRandom(1);
        assertEquals(100, backoff.delayMillis(1, random));
        assertEquals(300, backoff.delayMillis(2, random));
        assertEquals(900, backoff.delayMillis(3, random));
        assertEquals(2000, backoff.delayMillis(4, random));
    }

    @Test
    void invalidBackoffIsRefusedWhenBuilt() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(1), 0.5, Duration.ofSeconds(5), 0.2));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(10), 2, Duration.ofSeconds(5), 0.2));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(1), 2, Duration.ofSeconds(5), 1.5));
    }
}
