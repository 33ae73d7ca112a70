package io.shepherd.runtime.plugins;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import io.shepherd.plugins.api.HealthCheck;

/** The health checks in force, by name: built-ins, plugin jars' and scripts'. */
public final class HealthRegistry {
    /** A check and where it came from. */
    public record Entry(HealthCheck check, String source) {
    }

    private final Map<String, Entry> checks = new ConcurrentSkipListMap<>();

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
