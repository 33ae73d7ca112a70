package io.shepherd.plugins.api.testing;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import io.shepherd.plugins.api.HealthContext;
import io.shepherd.plugins.api.PolicyContext;
import io.shepherd.plugins.api.RuntimeView;

/**
 * Contexts for testing a plugin without a runtime: a runtime view of fixed figures, a policy
 * context with seeded randomness, a health context whose probes succeed. Shipped as this
 * module's test jar ({@code shepherd-plugin-api}, type {@code test-jar}), for the built-in plugins'
 * tests and for anyone writing a plugin.
 *
 * <pre>
 * Decision d = policy.decide(job, PluginTesting.policyContext(0, 7));
 * HealthStatus s = check.check(PluginTesting.healthContext(20_000, new HealthContext.Recovery(true, true, 5000, 10_000, 1000)));
 * </pre>
 */
public final class PluginTesting {
    private PluginTesting() {
    }

    /** A runtime as a plugin sees it, with figures that do not change. */
    public record FixedView(long nowMillis, Map<String, Long> jobsByStatus, Map<String, Long> botsByStatus,
                            long oldestPendingAgeMs, long lastSweepAtMillis) implements RuntimeView {
        /** An empty runtime at {@code nowMillis}: no jobs, no bots, never swept. */
        public static FixedView empty(long nowMillis) {
            return new FixedView(nowMillis, Map.of(), Map.of(), 0, 0);
        }
    }

    /** An empty runtime at {@code nowMillis}, with randomness seeded by {@code seed}. */
    public static PolicyContext policyContext(long nowMillis, long seed) {
        return policyContext(FixedView.empty(nowMillis), new SplittableRandom(seed));
    }

    public static PolicyContext policyContext(RuntimeView view, RandomGenerator random) {
        return new Policy(view, random);
    }

    /**
     * An empty runtime at {@code nowMillis} whose recovery scheduler is as given; its probes
     * succeed, its pool is idle (10 connections), its data directory is the working directory.
     */
    public static HealthContext healthContext(long nowMillis, HealthContext.Recovery recovery) {
        return new Health(FixedView.empty(nowMillis), recovery);
    }

    /** A context that answers the runtime view's questions from a view. */
    private abstract static class Delegating implements RuntimeView {
        private final RuntimeView view;

        Delegating(RuntimeView view) {
            this.view = view;
        }

        @Override
        public long nowMillis() {
            return view.nowMillis();
        }

        @Override
        public Map<String, Long> jobsByStatus() {
            return view.jobsByStatus();
        }

        @Override
        public Map<String, Long> botsByStatus() {
            return view.botsByStatus();
        }

        @Override
        public long oldestPendingAgeMs() {
            return view.oldestPendingAgeMs();
        }

        @Override
        public long lastSweepAtMillis() {
            return view.lastSweepAtMillis();
        }
    }

    private static final class Policy extends Delegating implements PolicyContext {
        private final RandomGenerator random;

        Policy(RuntimeView view, RandomGenerator random) {
            super(view);
            this.random = random;
        }

        @Override
        public RandomGenerator random() {
            return random;
        }
    }

    private static final class Health extends Delegating implements HealthContext {
        private final Recovery recovery;

        Health(RuntimeView view, Recovery recovery) {
            super(view);
            this.recovery = recovery;
        }

        @Override
        public void pingDatabase() {
        }

        @Override
        public void claimRoundTrip() {
        }

        @Override
        public Recovery recovery() {
            return recovery;
        }

        @Override
        public Pool pool() {
            return new Pool(0, 0, 10, 0);
        }

        @Override
        public Path dataDir() {
            return Path.of(".");
        }
    }
}
