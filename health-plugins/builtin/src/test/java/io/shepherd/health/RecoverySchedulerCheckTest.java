package io.shepherd.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.shepherd.plugins.api.HealthContext;
import io.shepherd.plugins.api.testing.PluginTesting;
import org.junit.jupiter.api.Test;

class RecoverySchedulerCheckTest {
    static HealthContext at(long now, HealthContext.Recovery recovery) {
        return PluginTesting.healthContext(now, recovery);
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
