package io.shepherd.plugins.policies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

import io.shepherd.plugins.api.Decision;
import io.shepherd.plugins.api.JobFacts;
import io.shepherd.plugins.api.PolicyContext;
import io.shepherd.plugins.api.PolicySettings;
import io.shepherd.plugins.api.RecoveryPolicy;
import io.shepherd.plugins.api.RecoveryPolicyProvider;
import io.shepherd.plugins.api.testing.PluginTesting;
import org.junit.jupiter.api.Test;

class BuiltinPoliciesTest {
    static final PolicyContext CONTEXT = PluginTesting.policyContext(0, 7);

    static JobFacts job(int attempt, int max) {
        return new JobFacts("j", "t", "default", attempt, max, JobFacts.FAILED);
    }

    static JobFacts orphan(int attempt, int max) {
        return new JobFacts("j", "t", "default", attempt, max, JobFacts.LEASE_EXPIRED);
    }

    @Test
    void allThreeAreFoundThroughServiceLoader() {
        var names = ServiceLoader.load(RecoveryPolicyProvider.class).stream()
                .map(p -> p.get().name()).collect(Collectors.toSet());
        assertEquals(java.util.Set.of("backoff", "immediate", "dead-letter"), names);
    }

    @Test
    void backoffDelaysGrowWithinJitterBoundsUntilAttemptsAreSpent() {
        RecoveryPolicy policy = new BackoffPolicy().create(PolicySettings.defaults());
        for (int attempt = 1; attempt < 5; attempt++) {
            long base = 1000L << (attempt - 1);
            for (int i = 0; i < 500; i++) {
                Decision d = policy.decide(job(attempt, 5), CONTEXT);
                assertEquals(Decision.Action.REQUEUE, d.action());
                assertTrue(d.delayMs() >= base * 0.8 && d.delayMs() <= base * 1.2,
                        "attempt " + attempt + ": " + d.delayMs());
            }
        }
        assertEquals(Decision.dead(), policy.decide(job(5, 5), CONTEXT));
    }

    @Test
    void orphanedJobGoesBackAtOnceUntilAttemptsAreSpent() {
        RecoveryPolicy policy = new BackoffPolicy().create(PolicySettings.defaults());
        assertEquals(Decision.requeue(0), policy.decide(orphan(1, 5), CONTEXT));
        assertEquals(Decision.requeue(0), policy.decide(orphan(4, 5), CONTEXT));
        assertEquals(Decision.dead(), policy.decide(orphan(5, 5), CONTEXT));
    }

    @Test
    void backoffIsCappedAtItsMaximum() {
        var settings = new PolicySettings(100, new PolicySettings.Backoff(Duration.ofSeconds(1), 2, Duration.ofMinutes(5), 0.2),
                PolicySettings.DEAD, Map.of());
        RecoveryPolicy policy = new BackoffPolicy().create(settings);
        for (int i = 0; i < 500; i++) {
            long delay = policy.decide(job(40, 100), CONTEXT).delayMs();
            assertTrue(delay >= 240_000 && delay <= 360_000, "capped at 5 min ± 20 %: " + delay);
        }
    }

    @Test
    void onExhaustedRetryKeepsRequeueingAtTheLongestDelay() {
        var settings = new PolicySettings(2, new PolicySettings.Backoff(Duration.ofMillis(100), 2, Duration.ofSeconds(3), 0),
                PolicySettings.RETRY, Map.of());
        assertEquals(Decision.requeue(3000), new BackoffPolicy().create(settings).decide(job(2, 2), CONTEXT));
        assertEquals(Decision.requeue(3000), new BackoffPolicy().create(settings).decide(job(9, 2), CONTEXT));
    }

    @Test
    void immediateAndDeadLetter() {
        assertEquals(Decision.requeue(0), new ImmediatePolicy().create(PolicySettings.defaults()).decide(job(1, 3), CONTEXT));
        assertEquals(Decision.dead(), new ImmediatePolicy().create(PolicySettings.defaults()).decide(job(3, 3), CONTEXT));
        assertEquals(Decision.dead(), new DeadLetterPolicy().create(PolicySettings.defaults()).decide(job(1, 3), CONTEXT));
    }
}
