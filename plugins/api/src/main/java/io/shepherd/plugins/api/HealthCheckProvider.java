package io.shepherd.plugins.api;

import java.util.List;

/**
 * Provides health checks, found through {@link java.util.ServiceLoader}: list the implementing
 * class in {@code META-INF/services/io.shepherd.plugins.api.HealthCheckProvider}.
 */
public interface HealthCheckProvider {
    /** The SPI version this provider was built against; see {@link PluginApi#VERSION}. */
    default int apiVersion() {
        return PluginApi.VERSION;
    }

    List<HealthCheck> checks();
}
