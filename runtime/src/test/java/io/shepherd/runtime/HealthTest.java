package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestCluster;
import io.shepherd.runtime.testing.TestDatabase;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * Health that tells the truth, against a PostgreSQL cluster the test stops and starts: the deep
 * check and readiness go DOWN with the database, liveness does not, and everything comes back
 * without a restart.
 */
class HealthTest {
    static String status(JsonObject health, String check) {
        return health.getJsonObject("checks").getJsonObject(check).getString("status");
    }

    @Test
    void healthFollowsTheDatabaseAndLivenessNeverDoes() throws Exception {
        try (TestCluster cluster = TestCluster.create();
             TestDatabase db = TestDatabase.existing(cluster.url());
             TestRuntime runtime = TestRuntime.start(db, Map.of("db.connect-timeout", "PT1S"))) {
            Http http = runtime.http();
            Http.Response healthy = http.get("/healthz", null);
            assertEquals(200, healthy.status(), healthy.toString());
            for (String check : List.of("database", "job-claim", "recovery-scheduler", "resources")) {
                assertEquals("UP", status(healthy.json(), check), check);
            }
            assertEquals(200, http.get("/ready", null).status());
            assertEquals(200, http.get("/observe/health/live", null).status());
            assertEquals(200, http.get("/observe/health/ready", null).status());
            assertEquals(0, count(cluster, "SELECT COUNT(*) FROM jobs"), "the claim probe leaves nothing behind");

            cluster.stop();
            long stopped = System.nanoTime();
            Http.Response down = http.get("/healthz", null);
            while (down.status() != 503 && System.nanoTime() - stopped < 15_000_000_000L) {
                Thread.sleep(200);
                down = http.get("/healthz", null);
            }
            long tookMs = (System.nanoTime() - stopped) / 1_000_000;
            assertEquals(503, down.status());
            assertEquals("unhealthy", down.json().getString("status"));
            assertEquals("DOWN", status(down.json(), "database"));
            assertEquals("DOWN", status(down.json(), "job-claim"));
            assertTrue(tookMs < 10_000, "database DOWN after " + tookMs + " ms");
            assertEquals(503, http.get("/ready", null).status());
            assertEquals(503, http.get("/observe/health/ready", null).status());
            assertEquals(200, http.get("/livez", null).status(), "a database outage never restarts the pod");
            assertEquals(200, http.get("/observe/health/live", null).status());
            Http.Response api = http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t"));
            assertEquals(503, api.status());
            assertTrue(api.header("Retry-After") != null);

            cluster.start();
            long started = System.nanoTime();
            while (http.get("/ready", null).status() != 200 && System.nanoTime() - started < 15_000_000_000L) {
                Thread.sleep(200);
            }
            long backMs = (System.nanoTime() - started) / 1_000_000;
            assertEquals(200, http.get("/ready", null).status());
            assertTrue(backMs < 10_000, "ready " + backMs + " ms after the database came back");
            assertEquals(200, http.get("/healthz", null).status());
            System.out.printf("health: database DOWN %d ms after it stopped; ready %d ms after it came back%n", tookMs, backMs);
        }
    }

    @Test
    void probesReadTheLatestResultsAndAFreshRoundIsCheap() throws Exception {
        try (TestDatabase db = TestDatabase.create("postgres");
             TestRuntime runtime = TestRuntime.start(db)) {
            Http http = runtime.http();
            for (int i = 0; i < 20; i++) {
                http.get("/healthz?fresh=true", TestRuntime.ADMIN); // warm up
            }
            List<Long> ready = new ArrayList<>();
            List<Long> deep = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                long t0 = System.nanoTime();
                assertEquals(200, http.get("/ready", null).status());
                ready.add(System.nanoTime() - t0);
                t0 = System.nanoTime();
                assertEquals(200, http.get("/healthz?fresh=true", TestRuntime.ADMIN).status());
                deep.add(System.nanoTime() - t0);
            }
            Collections.sort(ready);
            Collections.sort(deep);
            String line = String.format("probe cost on PostgreSQL: /ready (latest results) median %.2f ms (p95 %.2f), "
                            + "/healthz?fresh=true (every check now) median %.2f ms (p95 %.2f); 4 statements for the "
                            + "claim round trip, 1 for the ping%n",
                    ready.get(50) / 1e6, ready.get(95) / 1e6, deep.get(50) / 1e6, deep.get(95) / 1e6);
            System.out.print(line);
            java.nio.file.Files.writeString(java.nio.file.Path.of("target", "probe-cost.txt"), line);
            assertTrue(deep.get(50) < 50_000_000L, "a fresh round of every check costs well under 50 ms: " + line);
            JsonObject database = http.get("/healthz", TestRuntime.ADMIN).json().getJsonObject("checks").getJsonObject("database");
            assertTrue(database.getJsonNumber("ageMs").longValue() < 3_000, "a result of the last round: " + database);
            assertTrue(database.containsKey("checkedAt"), database.toString());
        }
    }

    static long count(TestCluster cluster, String sql) throws Exception {
        try (var c = java.sql.DriverManager.getConnection(cluster.url()); var rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
