package io.shepherd.runtime.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import io.shepherd.plugins.api.HealthCheck;
import io.shepherd.plugins.api.HealthContext;
import io.shepherd.plugins.api.HealthStatus;
import io.shepherd.plugins.api.testing.PluginTesting;
import org.junit.jupiter.api.Test;

/** The health monitor with checks of the test's own: a hung check costs one thread, and never the answer. */
class HealthMonitorTest {
    static final HealthContext CONTEXT = PluginTesting.healthContext(0, new HealthContext.Recovery(true, true, 5000, 0, 0));

    static HealthCheck check(String name, HealthCheckBody body) {
        return new HealthCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public HealthStatus check(HealthContext context) throws Exception {
                return body.run();
            }
        };
    }

    interface HealthCheckBody {
        HealthStatus run() throws Exception;
    }

    @Test
    void aHungCheckIsDownEveryRoundButRunsOnceAndTheOthersAnswerOnTime() throws Exception {
        CountDownLatch forever = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        HealthRegistry registry = new HealthRegistry();
        registry.add(check("hangs", () -> {
            started.incrementAndGet();
            forever.await();
            return HealthStatus.healthy();
        }), "test");
        registry.add(check("fine", HealthStatus::healthy), "test");
        List<HealthMonitor.Report> rounds = new ArrayList<>();
        HealthMonitor monitor = new HealthMonitor(registry, () -> CONTEXT, Duration.ofSeconds(1),
                Duration.ofMillis(200), 16, Clock.systemUTC(), rounds::add);
        try {
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                HealthMonitor.Report report = monitor.round();
                assertTrue(System.nanoTime() - t0 < Duration.ofMillis(1000).toNanos(), "a round waits at most the timeout");
                assertFalse(report.checks().get("hangs").status().up());
                assertTrue(report.checks().get("fine").status().up());
            }
            assertEquals(1, started.get(), "the hung check was started once, not once a round");
            assertEquals(5, rounds.size(), "every round is published");
            assertEquals(List.of("fine", "hangs"), List.copyOf(monitor.latest().checks().keySet()));
        } finally {
            forever.countDown();
            monitor.close();
        }
    }

    @Test
    void aCheckThatReturnsAgainIsRunAgainAndAThrowingOneSaysWhy() {
        AtomicInteger runs = new AtomicInteger();
        HealthRegistry registry = new HealthRegistry();
        registry.add(check("counts", () -> HealthStatus.healthy(java.util.Map.of("run", runs.incrementAndGet()))), "test");
        registry.add(check("throws", () -> {
            throw new IllegalStateException("disk full\nsecond line");
        }), "test");
        HealthMonitor monitor = new HealthMonitor(registry, () -> CONTEXT, Duration.ofSeconds(1), Duration.ofSeconds(1),
                16, Clock.systemUTC(), r -> { });
        try {
            monitor.round();
            HealthMonitor.Report second = monitor.round();
            assertEquals(2, runs.get());
            assertEquals("disk full", second.checks().get("throws").status().details().get("reason"));
        } finally {
            monitor.close();
        }
    }

    @Test
    void hangingChecksReloadedOverAndOverTakeAtMostTheirShareOfThreads() throws Exception {
        CountDownLatch forever = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        HealthRegistry registry = new HealthRegistry();
        registry.add(check("fine", HealthStatus::healthy), HealthRegistry.BUILT_IN);
        HealthMonitor monitor = new HealthMonitor(registry, () -> CONTEXT, Duration.ofSeconds(1), Duration.ofMillis(100),
                3, Clock.systemUTC(), r -> { });
        try {
            HealthMonitor.Report last = null;
            for (int reload = 0; reload < 10; reload++) {
                // a plugin jar replaced: a new instance of a check that hangs, under the same name
                registry.add(check("plugin", () -> {
                    started.incrementAndGet();
                    forever.await();
                    return HealthStatus.healthy();
                }), "plugin.jar");
                last = monitor.round();
            }
            assertTrue(started.get() <= 3, "at most health.check-runners threads, was " + started.get());
            assertEquals("not run: 3 checks are still running (health.check-runners)",
                    last.checks().get("plugin").status().details().get("reason"));
            assertTrue(last.checks().get("fine").status().up(), "built-in checks run apart: " + last.checks());
        } finally {
            forever.countDown();
            monitor.close();
        }
    }
}
