package io.shepherd.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;

import io.shepherd.plugins.api.HealthContext;
import org.junit.jupiter.api.Test;

class RecoverySchedulerCheckTest {
    static HealthContext at(long now, HealthContext.Recovery recovery) {
        return new HealthContext() {
            public void pingDatabase() {
            }

            public void claimRoundTrip() {
            }

            public Recovery recovery() {
                return recovery;
            }

            public Pool pool() {
                return new Pool(0, 0, 10, 0);
            }

            public Path dataDir() {
                return Path.of(".");
            }

            public long nowMillis() {
                return now;
            }

            public Map<String, Long> jobsByStatus() {
                return Map.of();
            }

            public Map<String, Long> botsByStatus() {
                return Map.of();
            }

            public long oldestPendingAgeMs() {
                return 0;
            }

            public long lastSweepAtMillis() {
                return 0;
            }
        };
    }

    final RecoverySchedulerCheck check = new RecoverySchedulerCheck();

    @Test
    void aLeaderThatSweptRecentlyIsUpAndOneThatStalledIsDown() {
        assertEquals(true, check.check(at(20_000, new HealthContext.Recovery(true, true, 5000, 10_000, 1000))).up());
        assertEquals(false, check.check(at(26_000, new HealthContext.Recovery(true, true, 5000, 10_000, 1000))).up());
    }

    @Test
    void aNewLeaderGetsThreeIntervalsForItsFirstSweep() {
        assertEquals(true, check.check(at(1_100, new HealthContext.Recovery(true, true, 5000, 0, 1000))).up());
        assertEquals(false, check.check(at(16_100, new HealthContext.Recovery(true, true, 5000, 0, 1000))).up());
    }

    @Test
    void aFollowerHasNothingToProve() {
        assertEquals(true, check.check(at(999_999, new HealthContext.Recovery(false, true, 5000, 0, 0))).up());
        assertEquals(true, check.check(at(999_999, new HealthContext.Recovery(false, false, 5000, 0, 0))).up());
    }
}
