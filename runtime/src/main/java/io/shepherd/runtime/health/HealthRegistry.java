package io.shepherd.runtime.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentSkipListMap;

import io.shepherd.plugins.api.HealthCheck;
import io.shepherd.plugins.api.HealthCheckProvider;

/** The health checks in force, by name: built-ins, plugin jars' and scripts'. */
public final class HealthRegistry {
    /** The source of the checks that come with the runtime. */
    public static final String BUILT_IN = "builtin";

    /** A check and where it came from. */
    public record Entry(HealthCheck check, String source) {
    }

    private final Map<String, Entry> checks = new ConcurrentSkipListMap<>();

    /** A registry holding the checks on the runtime's class path (the built-in health plugins). */
    public static HealthRegistry withBuiltIns() {
        HealthRegistry registry = new HealthRegistry();
        for (HealthCheckProvider provider : ServiceLoader.load(HealthCheckProvider.class,
                HealthRegistry.class.getClassLoader())) {
            provider.checks().forEach(check -> registry.add(check, BUILT_IN));
        }
        return registry;
    }

    /** Adds a check; refuses a name already taken by another source. */
    public void add(HealthCheck check, String source) {
        Entry existing = checks.get(check.name());
        if (existing != null && !existing.source().equals(source)) {
            throw new IllegalArgumentException("a health check named " + check.name() + " already comes from "
                    + existing.source());
        }
        checks.put(check.name(), new Entry(check, source));
    }

    public void remove(String name, String source) {
        checks.computeIfPresent(name, (k, e) -> e.source().equals(source) ? null : e);
    }

    public List<Entry> all() {
        return new ArrayList<>(checks.values());
    }
}
