package io.shepherd.runtime.policy;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;

import io.shepherd.plugins.api.Decision;
import io.shepherd.plugins.api.JobFacts;
import io.shepherd.plugins.api.PolicyContext;
import io.shepherd.plugins.api.RecoveryPolicy;
import io.shepherd.plugins.api.RecoveryPolicyProvider;
import io.shepherd.plugins.policies.BackoffPolicy;
import io.shepherd.runtime.store.Stores;

/**
 * Decides, for a job whose attempt ended without success, what happens next: the policy named
 * for its type, with that type's settings. When that policy is missing or throws, the built-in
 * backoff policy decides instead, and the failure is logged and counted. A policy sees the
 * runtime through a {@link #context}: one per round of decisions, so a sweep of many orphans
 * reads each figure at most once.
 */
public final class Policies {
    private static final System.Logger LOG = System.getLogger(Policies.class.getName());

    private final PolicyProviders providers;
    private final Stores stores;
    private final RandomGenerator random;
    private final AtomicReference<PolicyBook> book;
    private final RecoveryPolicyProvider fallback = new BackoffPolicy();
    private final Map<Key, RecoveryPolicy> made = new ConcurrentHashMap<>();
    private final AtomicLong failures = new AtomicLong();

    private record Key(PolicyBook.TypePolicy policy, RecoveryPolicyProvider provider) {
    }

    public Policies(PolicyProviders providers, PolicyBook initial, Stores stores, RandomGenerator random) {
        this.providers = providers;
        this.stores = stores;
        this.random = random;
        this.book = new AtomicReference<>(Objects.requireNonNull(initial));
    }

    /**
     * What policies may consult for decisions taken at {@code now}: the runtime view, read lazily,
     * and randomness for jitter. {@code knownLastSweepAt} saves a read when the caller has it
     * (the sweep itself); 0 when it does not.
     */
    public PolicyContext context(long now, long knownLastSweepAt) {
        return new RuntimePolicyContext(stores, now, random, knownLastSweepAt);
    }

    public PolicyBook book() {
        return book.get();
    }

    /** Puts new policies in force at once (a reload). */
    public void replace(PolicyBook next) {
        book.set(Objects.requireNonNull(next));
        made.clear();
    }

    public PolicyProviders providers() {
        return providers;
    }

    /** Attempts a new job of this type gets when it does not say. */
    public int maxAttemptsFor(String type) {
        return book.get().forType(type).settings().maxAttempts();
    }

    public int quarantineAfter() {
        return book.get().quarantineAfter();
    }

    /** How many decisions fell back to the default because the chosen policy failed. */
    public long failures() {
        return failures.get();
    }

    public Decision decide(JobFacts job, PolicyContext context) {
        PolicyBook.TypePolicy typePolicy = book.get().forType(job.type());
        RecoveryPolicyProvider provider = providers.find(typePolicy.policy()).orElse(null);
        if (provider == null) {
            failures.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "Recovery policy " + typePolicy.policy() + " for job type "
                    + job.type() + " is not loaded (known: " + providers.names() + "); the default policy decides");
            return fallback(typePolicy, job, context);
        }
        try {
            RecoveryPolicy policy = made.computeIfAbsent(new Key(typePolicy, provider),
                    k -> k.provider().create(k.policy().settings()));
            Decision decision = policy.decide(job, context);
            if (decision == null) {
                throw new IllegalStateException("the policy returned no decision");
            }
            return decision;
        } catch (RuntimeException | StackOverflowError e) {
            failures.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "Recovery policy " + typePolicy.policy() + " failed for job "
                    + job.id() + " (" + e + "); the default policy decides");
            return fallback(typePolicy, job, context);
        }
    }

    private Decision fallback(PolicyBook.TypePolicy typePolicy, JobFacts job, PolicyContext context) {
        return fallback.create(typePolicy.settings()).decide(job, context);
    }
}
