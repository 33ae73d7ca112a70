package io.shepherd.plugins.api;

/**
 * One named health check. It runs in parallel with the others, on every probe of
 * {@code /healthz} (and {@code /ready} for readiness checks), under {@code health.check-timeout}:
 * a check that throws or overruns is DOWN with the reason, and never delays the endpoint.
 */
public interface HealthCheck {
    /** The name in the health answer, e.g. {@code database}. */
    String name();

    /** Whether the replica may not take traffic while this check is DOWN (it is then in {@code /ready}). */
    default boolean readiness() {
        return false;
    }

    HealthStatus check(HealthContext context) throws Exception;
}
