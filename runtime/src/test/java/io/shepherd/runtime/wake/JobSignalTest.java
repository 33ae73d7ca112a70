package io.shepherd.runtime.wake;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What {@link JobSignal#quietSince} tells a poll that would not look: signals by type since a mark. */
class JobSignalTest {
    private final JobSignal signal = new JobSignal();

    @AfterEach
    void close() {
        signal.close();
    }

    @Test
    void aSignalForATypeEndsTheQuietOfThatTypeOnly() {
        long mark = signal.mark();
        assertTrue(signal.quietSince(mark, List.of("a", "b")));
        signal.jobsAvailable(Map.of("a", 0L), 0);
        assertFalse(signal.quietSince(mark, List.of("a")), "a was signalled");
        assertFalse(signal.quietSince(mark, List.of("b", "a")));
        assertTrue(signal.quietSince(mark, List.of("b")), "b was not");
        assertTrue(signal.quietSince(signal.mark(), List.of("a")), "nothing since the newer mark");
    }

    @Test
    void aDelayedJobEndsTheQuietWhenItComesDueNotBefore() throws Exception {
        long mark = signal.mark();
        signal.jobsAvailable(Map.of("a", 300L), 0); // due in 300 ms
        assertTrue(signal.quietSince(mark, List.of("a")), "not due yet");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (signal.quietSince(mark, List.of("a")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertFalse(signal.quietSince(mark, List.of("a")), "due now");
    }

    @Test
    void aSignalToEveryTypeEndsEveryQuiet() {
        long mark = signal.mark();
        signal.wakeAll();
        assertFalse(signal.quietSince(mark, List.of("never-signalled")));
    }

    @Test
    void soManyTypesThatTheyAreForgottenCountAsASignalToEveryType() {
        signal.jobsAvailable(Map.of("first", 0L), 0);
        long mark = signal.mark();
        for (int i = 0; i < 10_000; i++) {
            signal.jobsAvailable(Map.of("type-" + i, 0L), 0);
        }
        assertFalse(signal.quietSince(mark, List.of("first")), "forgotten types are not taken for quiet ones");
    }
}
