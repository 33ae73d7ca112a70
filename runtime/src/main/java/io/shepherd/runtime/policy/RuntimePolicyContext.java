package io.shepherd.runtime.policy;

import java.util.random.RandomGenerator;

import io.shepherd.plugins.api.PolicyContext;
import io.shepherd.runtime.store.LazyRuntimeView;
import io.shepherd.runtime.store.Stores;

/** The view a recovery policy gets: the lazy runtime view, and randomness for jitter. */
final class RuntimePolicyContext extends LazyRuntimeView implements PolicyContext {
    private final RandomGenerator random;

    RuntimePolicyContext(Stores stores, long now, RandomGenerator random, long lastSweepAt) {
        super(stores, now, lastSweepAt > 0 ? lastSweepAt : null);
        this.random = random;
    }

    @Override
    public RandomGenerator random() {
        return random;
    }
}
