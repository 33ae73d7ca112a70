package io.shepherd.plugins.api;

/**
 * Makes a named recovery policy, found through {@link java.util.ServiceLoader}: list the
 * implementing class in {@code META-INF/services/io.shepherd.plugins.api.RecoveryPolicyProvider}.
 * Operators select it per job type in the policies YAML ({@code policy: NAME}).
 */
public interface RecoveryPolicyProvider {
    /** The name operators write in the policies YAML. */
    String name();

    /** The SPI version this provider was built against; see {@link PluginApi#VERSION}. */
    default int apiVersion() {
        return PluginApi.VERSION;
    }

    /** A policy for one job type's settings. Called again whenever the settings change. */
    RecoveryPolicy create(PolicySettings settings);
}
