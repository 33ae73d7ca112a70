package io.shepherd.runtime;

import java.time.Clock;
import java.time.Instant;

import io.shepherd.runtime.testing.MutableClock;

/** A runtime on a clock the test moves (from 2026-01-01T00:00:00Z): no sleeping for leases, periods or slots. */
abstract class MovedClockTestBase extends ApiTestBase {
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    @Override
    Clock clock() {
        return clock;
    }
}
