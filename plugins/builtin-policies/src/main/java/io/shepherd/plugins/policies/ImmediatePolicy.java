package io.shepherd.plugins.policies;

import io.shepherd.plugins.api.Decision;
import io.shepherd.plugins.api.PolicySettings;
import io.shepherd.plugins.api.RecoveryPolicy;
import io.shepherd.plugins.api.RecoveryPolicyProvider;

/** {@code immediate}: run the job again at once while attempts remain, then dead. */
public final class ImmediatePolicy implements RecoveryPolicyProvider {
    public static final String NAME = "immediate";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RecoveryPolicy create(PolicySettings settings) {
        return (job, context) -> job.exhausted() && !PolicySettings.RETRY.equals(settings.onExhausted())
                ? Decision.dead()
                : Decision.requeue(0);
    }
}
