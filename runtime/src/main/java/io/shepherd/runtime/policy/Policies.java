package io.shepherd.runtime.policy;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;

import io.helidon.faulttolerance.CircuitBreaker;
import io.helidon.faulttolerance.CircuitBreakerOpenException;
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
 *
 * <p>A policy that keeps failing (a script that times out, say, during a burst of failures) is
 * not called again for a while: a circuit breaker per policy opens after
 * {@value #CIRCUIT_FAILURES} failures in a row, the default policy decides meanwhile, and one
 * call is tried again after {@link #CIRCUIT_OPEN_FOR}.
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
    private final Map<String, Circuit> circuits = new ConcurrentHashMap<>();

    /** A policy that failed this many times in a row is not called for {@link #CIRCUIT_OPEN_FOR}. */
    public static final int CIRCUIT_FAILURES = 5;
    public static final Duration CIRCUIT_OPEN_FOR = Duration.ofSeconds(30);

    /** The breaker of one policy as loaded (a reload starts a fresh one), and its latest failure. */
    private record Circuit(RecoveryPolicyProvider provider, CircuitBreaker breaker, AtomicReference<String> lastFailure) {
    }

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
        Circuit circuit = circuits.compute(typePolicy.policy(), (name, c) -> c != null && c.provider() == provider ? c
                : new Circuit(provider, CircuitBreaker.builder().name("policy " + name).volume(CIRCUIT_FAILURES)
                .errorRatio(100).delay(CIRCUIT_OPEN_FOR).successThreshold(1).build(), new AtomicReference<>()));
        try {
            return circuit.breaker().invoke(() -> {
                RecoveryPolicy policy = made.computeIfAbsent(new Key(typePolicy, provider),
                        k -> k.provider().create(k.policy().settings()));
                Decision decision = policy.decide(job, context);
                if (decision == null) {
                    throw new IllegalStateException("the policy returned no decision");
                }
                return decision;
            });
        } catch (CircuitBreakerOpenException e) {
            failures.incrementAndGet();
            return fallback(typePolicy, job, context);
        } catch (RuntimeException | StackOverflowError e) {
            failures.incrementAndGet();
            circuit.lastFailure().set(String.valueOf(e.getMessage()));
            boolean opened = circuit.breaker().state() == CircuitBreaker.State.OPEN;
            LOG.log(System.Logger.Level.WARNING, "Recovery policy " + typePolicy.policy() + " failed for job "
                    + job.id() + " (" + e.getMessage() + "); the default policy decides"
                    + (opened ? ". It failed " + CIRCUIT_FAILURES + " times in a row: it is not called for the next "
                    + CIRCUIT_OPEN_FOR.toSeconds() + " s" : ""));
            return fallback(typePolicy, job, context);
        }
    }

    /**
     * Why a policy is not being called (its circuit is open: its latest failure), or null while
     * it is called.
     */
    public String openCircuit(String policy) {
        Circuit c = circuits.get(policy);
        if (c == null || c.breaker().state() != CircuitBreaker.State.OPEN) {
            return null;
        }
        return "not called after " + CIRCUIT_FAILURES + " failures in a row (latest: " + c.lastFailure().get()
                + "); the default policy decides until it is tried again within " + CIRCUIT_OPEN_FOR.toSeconds() + " s";
    }

    private Decision fallback(PolicyBook.TypePolicy typePolicy, JobFacts job, PolicyContext context) {
        return fallback.create(typePolicy.settings()).decide(job, context);
    }
}
