package io.shepherd.plugins.policies;

import io.shepherd.plugins.api.Decision;
import io.shepherd.plugins.api.PolicySettings;
import io.shepherd.plugins.api.RecoveryPolicy;
import io.shepherd.plugins.api.RecoveryPolicyProvider;

/** {@code dead-letter}: never run a failed or orphaned job again on its own; an admin may retry it. */
public final class DeadLetterPolicy implements RecoveryPolicyProvider {
    public static final String NAME = "dead-letter";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RecoveryPolicy create(PolicySettings settings) {
        return (job, context) -> Decision.dead();
    }
}
