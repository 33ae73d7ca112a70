package io.shepherd.plugins.api;

/**
 * Decides what happens to a job whose attempt ended without success: its bot's lease expired,
 * or its bot reported a retryable failure. Must be quick and must not block; the runtime falls
 * back to its default policy when a policy throws.
 */
@FunctionalInterface
public interface RecoveryPolicy {
    Decision decide(JobFacts job, PolicyContext context);
}
