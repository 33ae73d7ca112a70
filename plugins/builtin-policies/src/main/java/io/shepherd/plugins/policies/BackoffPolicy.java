package io.shepherd.plugins.policies;

import io.shepherd.plugins.api.Decision;
import io.shepherd.plugins.api.JobFacts;
import io.shepherd.plugins.api.PolicyContext;
import io.shepherd.plugins.api.PolicySettings;
import io.shepherd.plugins.api.RecoveryPolicy;
import io.shepherd.plugins.api.RecoveryPolicyProvider;

/**
 * {@code backoff}, the default: run a failed job again after an exponential, jittered delay
 * while attempts remain; then dead (or, with {@code on-exhausted: retry}, again at the longest
 * delay). An orphaned job (its lease expired) has already waited out its lease, so it goes back
 * at once while attempts remain.
 */
public final class BackoffPolicy implements RecoveryPolicyProvider {
    public static final String NAME = "backoff";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RecoveryPolicy create(PolicySettings settings) {
        return (JobFacts job, PolicyContext context) -> {
            if (!job.exhausted()) {
                return JobFacts.LEASE_EXPIRED.equals(job.reason())
                        ? Decision.requeue(0)
                        : Decision.requeue(settings.backoff().delayMillis(job.attempt(), context.random()));
            }
            return PolicySettings.RETRY.equals(settings.onExhausted())
                    ? Decision.requeue(settings.backoff().maxDelayMillis(context.random()))
                    : Decision.dead();
        };
    }
}
