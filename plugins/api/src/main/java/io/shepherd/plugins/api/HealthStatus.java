package io.shepherd.plugins.api;

import java.util.Map;

/**
 * The answer of a health check: UP or DOWN, with details worth showing an operator (numbers,
 * strings, booleans).
 */
public record HealthStatus(boolean up, Map<String, Object> details) {
    public HealthStatus {
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    public static HealthStatus healthy() {
        return new HealthStatus(true, Map.of());
    }

    public static HealthStatus healthy(Map<String, Object> details) {
        return new HealthStatus(true, details);
    }

    public static HealthStatus unhealthy(String reason) {
        return new HealthStatus(false, Map.of("reason", reason));
    }

    public static HealthStatus unhealthy(Map<String, Object> details) {
        return new HealthStatus(false, details);
    }
}
