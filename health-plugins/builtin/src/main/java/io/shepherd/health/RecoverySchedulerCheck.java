package io.shepherd.health;

import java.util.LinkedHashMap;
import java.util.Map;

import io.shepherd.plugins.api.HealthCheck;
import io.shepherd.plugins.api.HealthContext;
import io.shepherd.plugins.api.HealthStatus;

/**
 * {@code recovery-scheduler}: on the leading replica, the last sweep is younger than three
 * intervals; a replica that does not lead has nothing to prove.
 */
public final class RecoverySchedulerCheck implements HealthCheck {
    @Override
    public String name() {
        return "recovery-scheduler";
    }

    @Override
    public HealthStatus check(HealthContext context) {
        HealthContext.Recovery recovery = context.recovery();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("leader", recovery.leader());
        details.put("enabled", recovery.enabled());
        if (!recovery.enabled() || !recovery.leader()) {
            return HealthStatus.healthy(details);
        }
        // a replica that just took the lead has had no time to sweep yet
        long since = Math.max(recovery.lastSweepAt(), recovery.leaderSince());
        long age = context.nowMillis() - since;
        details.put("lastSweepAgeMs", recovery.lastSweepAt() == 0 ? -1 : context.nowMillis() - recovery.lastSweepAt());
        if (age > 3 * recovery.intervalMs()) {
            details.put("reason", "no sweep for more than three intervals (" + 3 * recovery.intervalMs() + " ms)");
            return HealthStatus.unhealthy(details);
        }
        return HealthStatus.healthy(details);
    }
}
