package io.shepherd.health;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;

import io.shepherd.plugins.api.HealthCheck;
import io.shepherd.plugins.api.HealthContext;
import io.shepherd.plugins.api.HealthStatus;

/**
 * {@code resources}: heap below 90 % of its maximum, the data directory's disk with room left
 * (at least 50 MiB and 1 %), and the connection pool not saturated (every connection busy with
 * callers queueing).
 */
public final class ResourcesCheck implements HealthCheck {
    static final double HEAP_LIMIT = 0.90;
    static final long DISK_MIN_BYTES = 50L * 1024 * 1024;

    @Override
    public String name() {
        return "resources";
    }

    @Override
    public HealthStatus check(HealthContext context) {
        Map<String, Object> details = new LinkedHashMap<>();
        StringBuilder problems = new StringBuilder();

        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        long max = rt.maxMemory();
        double heap = (double) used / max;
        details.put("heapUsedBytes", used);
        details.put("heapMaxBytes", max);
        if (heap > HEAP_LIMIT) {
            problems.append("heap ").append(Math.round(heap * 100)).append(" % used; ");
        }

        File dir = context.dataDir().toFile();
        File existing = dir.exists() ? dir : dir.getAbsoluteFile().getParentFile();
        if (existing != null) {
            long usable = existing.getUsableSpace();
            long total = existing.getTotalSpace();
            details.put("diskUsableBytes", usable);
            if (total > 0 && (usable < DISK_MIN_BYTES || (double) usable / total < 0.01)) {
                problems.append("data directory disk nearly full; ");
            }
        }

        HealthContext.Pool pool = context.pool();
        details.put("poolActive", pool.active());
        details.put("poolMax", pool.max());
        details.put("poolWaiting", pool.waiting());
        if (pool.max() > 0 && pool.active() >= pool.max() && pool.waiting() > 0) {
            problems.append("connection pool saturated (" + pool.waiting() + " waiting); ");
        }

        if (!problems.isEmpty()) {
            details.put("reason", problems.substring(0, problems.length() - 2));
            return HealthStatus.unhealthy(details);
        }
        return HealthStatus.healthy(details);
    }
}
