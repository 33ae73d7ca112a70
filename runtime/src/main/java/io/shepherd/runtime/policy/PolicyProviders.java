package io.shepherd.runtime.policy;

import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import io.shepherd.plugins.api.RecoveryPolicyProvider;

/**
 * The recovery policies the runtime knows by name: the built-ins found on its class path, and
 * whatever plugin jars or scripts add or remove while it runs.
 */
public final class PolicyProviders {
    private static final System.Logger LOG = System.getLogger(PolicyProviders.class.getName());

    private final Map<String, RecoveryPolicyProvider> byName = new ConcurrentHashMap<>();
    private Set<String> builtIn = Set.of();

    /** The providers visible to this class loader (the built-in policies). */
    public static PolicyProviders builtIn() {
        PolicyProviders providers = new PolicyProviders();
        ServiceLoader.load(RecoveryPolicyProvider.class, PolicyProviders.class.getClassLoader())
                .forEach(providers::add);
        providers.builtIn = providers.names();
        return providers;
    }

    /** The names of the policies that come with the runtime. */
    public Set<String> builtInNames() {
        return builtIn;
    }

    /** Adds a provider; refuses one built against another SPI version. */
    public void add(RecoveryPolicyProvider provider) {
        PluginVersion.require(provider.apiVersion(), "Recovery policy " + provider.name());
        RecoveryPolicyProvider previous = byName.put(provider.name(), provider);
        if (previous != null && previous != provider) {
            LOG.log(System.Logger.Level.INFO, "Recovery policy " + provider.name() + " replaced");
        }
    }

    public void remove(String name) {
        byName.remove(name);
    }

    public Optional<RecoveryPolicyProvider> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Set<String> names() {
        return new TreeSet<>(byName.keySet());
    }
}
