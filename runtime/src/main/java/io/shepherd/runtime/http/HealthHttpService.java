package io.shepherd.runtime.http;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.shepherd.runtime.store.Database;
import jakarta.json.JsonObjectBuilder;

/**
 * {@code /livez}, {@code /ready} and {@code /healthz}. Liveness never touches the database, so a
 * database outage does not restart every pod; readiness and health do.
 */
public final class HealthHttpService implements HttpService {
    private final Database database;
    private final BooleanSupplier draining;
    private final Clock clock;

    public HealthHttpService(Database database, BooleanSupplier draining, Clock clock) {
        this.database = database;
        this.draining = draining;
        this.clock = clock;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/livez", this::live)
                .get("/ready", this::ready)
                .get("/healthz", this::health);
    }

    private record Check(boolean up, String detail) {
    }

    private void live(ServerRequest req, ServerResponse res) {
        answer(res, Map.of("process", new Check(true, null)));
    }

    private void ready(ServerRequest req, ServerResponse res) {
        Map<String, Check> checks = new LinkedHashMap<>();
        checks.put("database", database());
        checks.put("migrations", database.migrated() ? new Check(true, null)
                : new Check(false, "the schema is not migrated yet (database not reached)"));
        checks.put("draining", draining.getAsBoolean() ? new Check(false, "this replica is shutting down")
                : new Check(true, null));
        answer(res, checks);
    }

    private void health(ServerRequest req, ServerResponse res) {
        answer(res, Map.of("database", database()));
    }

    private Check database() {
        try (var c = database.connection(); var s = c.createStatement()) {
            s.setQueryTimeout(2);
            s.execute("SELECT 1 FROM bots WHERE 1 = 0");
            return new Check(true, null);
        } catch (Exception e) {
            return new Check(false, e.getMessage());
        }
    }

    private void answer(ServerResponse res, Map<String, Check> checks) {
        boolean up = checks.values().stream().allMatch(Check::up);
        JsonObjectBuilder all = JsonViews.BUILDERS.createObjectBuilder();
        checks.forEach((name, check) -> {
            JsonObjectBuilder one = JsonViews.BUILDERS.createObjectBuilder().add("status", check.up() ? "UP" : "DOWN");
            if (check.detail() != null) {
                one.add("details", JsonViews.BUILDERS.createObjectBuilder().add("error", check.detail()));
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
