package io.shepherd.runtime.http;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.shepherd.plugins.api.HealthStatus;
import io.shepherd.runtime.health.HealthMonitor;
import jakarta.json.JsonObjectBuilder;

/**
 * {@code /healthz} (every check, deep), {@code /ready} (can this replica serve and claim now:
 * database, job-claim, migrations, not draining) and {@code /livez} (the process itself; no
 * database in it, so a database outage never restarts every pod). The checks' answers are the
 * {@link HealthMonitor}'s latest, each with when it was taken, so no probe waits for a check;
 * {@code /healthz?fresh=true} runs them now, for a human who wants to see it happen.
 *
 * <p>Probes need no token and get each check's status; the details (exception texts, heap and
 * pool figures, what a script said) go only to a caller with a valid token, and only such a
 * caller may make every check run now ({@code fresh=true}).
 */
public final class HealthHttpService implements HttpService {
    private final HealthMonitor monitor;
    private final BooleanSupplier migrated;
    private final BooleanSupplier draining;
    private final Clock clock;
    private final Api api;

    public HealthHttpService(Api api, HealthMonitor monitor, BooleanSupplier migrated, BooleanSupplier draining,
                             Clock clock) {
        this.api = api;
        this.monitor = monitor;
        this.migrated = migrated;
        this.draining = draining;
        this.clock = clock;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/livez", this::live)
                .get("/ready", this::ready)
                .get("/healthz", this::health);
    }

    /** The liveness checks: cheap, local, never the database. */
    public static Map<String, HealthStatus> liveness() {
        Map<String, HealthStatus> checks = new LinkedHashMap<>();
        checks.put("process", HealthStatus.healthy());
        long[] deadlocked = ManagementFactory.getThreadMXBean().findDeadlockedThreads();
        checks.put("deadlock", deadlocked == null ? HealthStatus.healthy()
                : HealthStatus.unhealthy(deadlocked.length + " threads deadlocked"));
        return checks;
    }

    /**
     * The readiness verdict: the readiness checks' latest results (one older than the monitor's
     * {@code staleAfter} counts as DOWN: the monitor stopped), plus migrations done and not draining.
     */
    public Map<String, HealthStatus> readiness() {
        long now = clock.millis();
        Map<String, HealthStatus> checks = new LinkedHashMap<>();
        monitor.latestReadiness().checks().forEach((name, result) -> checks.put(name,
                now - result.checkedAt() > monitor.staleAfter().toMillis()
                        ? HealthStatus.unhealthy("no result for " + (now - result.checkedAt()) + " ms")
                        : result.status()));
        checks.put("migrations", migrated.getAsBoolean() ? HealthStatus.healthy()
                : HealthStatus.unhealthy("the schema is not migrated yet (database not reached)"));
        checks.put("draining", draining.getAsBoolean() ? HealthStatus.unhealthy("this replica is shutting down")
                : HealthStatus.healthy());
        return checks;
    }

    private void live(ServerRequest req, ServerResponse res) {
        answer(res, liveness(), Map.of(), false);
    }

    private void ready(ServerRequest req, ServerResponse res) {
        answer(res, readiness(), Map.of(), api.authenticated(req));
    }

    /** Every check's latest result with its time; {@code ?fresh=true} runs them all now first. */
    private void health(ServerRequest req, ServerResponse res) {
        boolean fresh = "true".equals(Api.query(req, "fresh"));
        if (fresh) {
            api.caller(req); // 401 without a valid token: running every check on demand is not for anyone
        }
        HealthMonitor.Report report = fresh ? monitor.round() : monitor.latest();
        Map<String, Long> checkedAt = new LinkedHashMap<>();
        report.checks().forEach((name, result) -> checkedAt.put(name, result.checkedAt()));
        answer(res, report.statuses(), checkedAt, fresh || api.authenticated(req));
    }

    private void answer(ServerResponse res, Map<String, HealthStatus> checks, Map<String, Long> checkedAt,
                        boolean withDetails) {
        boolean up = checks.values().stream().allMatch(HealthStatus::up);
        long now = clock.millis();
        JsonObjectBuilder all = JsonViews.BUILDERS.createObjectBuilder();
        checks.forEach((name, status) -> {
            JsonObjectBuilder one = JsonViews.BUILDERS.createObjectBuilder().add("status", status.up() ? "UP" : "DOWN");
            Long at = checkedAt.get(name);
            if (at != null) {
                one.add("checkedAt", JsonViews.time(at)).add("ageMs", Math.max(0, now - at));
            }
            if (withDetails && !status.details().isEmpty()) {
                JsonObjectBuilder details = JsonViews.BUILDERS.createObjectBuilder();
                status.details().forEach((k, v) -> {
                    switch (v) {
                        case null -> details.addNull(k);
                        case Boolean b -> details.add(k, b);
                        case Integer i -> details.add(k, i);
                        case Long l -> details.add(k, l);
                        case Double d -> details.add(k, d);
                        default -> details.add(k, v.toString());
                    }
                });
                one.add("details", details);
            }
            all.add(name, one);
        });
        Responses.json(res, up ? 200 : 503, JsonViews.BUILDERS.createObjectBuilder()
                .add("status", up ? "healthy" : "unhealthy")
                .add("checks", all)
                .add("timestamp", JsonViews.time(clock.millis()))
                .build());
    }
}
