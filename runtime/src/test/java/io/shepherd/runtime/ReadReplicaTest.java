package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestCluster;
import io.shepherd.runtime.testing.TestDatabase;
import io.shepherd.runtime.testing.TestRuntime;
import org.junit.jupiter.api.Test;

/**
 * {@code db.replicas}: lists, counts and events are read from a streaming replica (made with
 * pg_basebackup), and from the primary when the replica cannot answer; writes always go to the
 * primary.
 */
class ReadReplicaTest {
    @Test
    void readsGoToTheReplicaAndFallBackToThePrimary() throws Exception {
        try (TestCluster primary = TestCluster.create();
             TestCluster replica = primary.replica();
             TestDatabase db = TestDatabase.existing(primary.url());
             TestRuntime runtime = TestRuntime.start(db, Map.of("db.replicas", replica.url(),
                     "db.connect-timeout", "PT1S", "recovery.enabled", "false"))) {
            Http http = runtime.http();
            String id = http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t")).json().getString("id");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (jobsOn(replica) < 1 && System.nanoTime() < deadline) {
                Thread.sleep(50); // replication lag: the schema and the job reach the replica
            }
            assertEquals(1, http.get("/v1/jobs", TestRuntime.CLIENT).json().getJsonArray("jobs").size());
            assertTrue(readersOn(replica) > 0, "the runtime reads from the replica");

            // the primary goes away: reads keep working from the replica, writes answer 503
            primary.stop();
            assertEquals(200, http.get("/v1/jobs", TestRuntime.CLIENT).status());
            assertEquals(1, http.get("/v1/stats", TestRuntime.CLIENT).json().getJsonObject("jobs").getInt("pending"));
            assertEquals(200, http.get("/v1/jobs/" + id + "/events", TestRuntime.CLIENT).status());
            assertEquals(503, http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t")).status());

            // the replica goes away, the primary is back: reads fall back to the primary
            primary.start();
            replica.stop();
            Http.Response list = null;
            for (int i = 0; i < 50; i++) {
                list = http.get("/v1/jobs", TestRuntime.CLIENT);
                if (list.status() == 200) {
                    break;
                }
                Thread.sleep(200);
            }
            assertEquals(200, list.status(), list.toString());
            assertEquals(201, http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t")).status());
            assertEquals(2, http.get("/v1/stats", TestRuntime.CLIENT).json().getJsonObject("jobs").getInt("pending"),
                    "fresh from the primary");
        }
    }

    /**
     * A replica that has not replayed the schema yet (just made, or behind a migration) has no
     * {@code jobs} table: reads go to the primary instead of failing.
     */
    @Test
    void aReplicaBehindTheSchemaIsReadAroundNotFailedOn() {
        try (TestDatabase primary = TestDatabase.create("postgres");
             TestDatabase empty = TestDatabase.create("postgres");
             TestRuntime runtime = TestRuntime.start(primary, Map.of("db.replicas", empty.url(),
                     "recovery.enabled", "false"))) {
            Http http = runtime.http();
            String id = http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t")).json().getString("id");

            Http.Response list = http.get("/v1/jobs", TestRuntime.CLIENT);
            assertEquals(200, list.status(), list.toString());
            assertEquals(id, list.json().getJsonArray("jobs").getJsonObject(0).getString("id"));
            assertEquals(1, http.get("/v1/stats", TestRuntime.CLIENT).json().getJsonObject("jobs").getInt("pending"));
            assertEquals(200, http.get("/v1/jobs/" + id + "/events", TestRuntime.CLIENT).status());
        }
    }

    /** Jobs the replica has replayed; 0 while it has not even the table. */
    static int jobsOn(TestCluster cluster) {
        try (Connection c = DriverManager.getConnection(cluster.url());
             ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM jobs")) {
            rs.next();
            return rs.getInt(1);
        } catch (java.sql.SQLException e) {
            return 0;
        }
    }

    static int readersOn(TestCluster cluster) throws Exception {
        try (Connection c = DriverManager.getConnection(cluster.url());
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = 'shepherd-replica'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
