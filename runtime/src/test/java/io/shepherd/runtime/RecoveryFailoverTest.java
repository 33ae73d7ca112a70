package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.testing.ChildProcess;
import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestDatabase;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * Two runtime processes on one PostgreSQL database: only the holder of the advisory lock sweeps;
 * after SIGKILL of that leader the other takes over and rescues within one interval of the lease
 * running out.
 */
class RecoveryFailoverTest {
    static ChildProcess runtime(Path dir, TestDatabase db, int port) throws Exception {
        return ChildProcess.serve(dir, db.url(), port, Map.of(),
                "lease:", "  ttl: PT3S", "heartbeat:", "  interval: PT1S", "recovery:", "  interval: PT1S");
    }

    static JsonObject recovery(Http http) {
        return http.get("/v1/admin/recovery", TestRuntime.ADMIN).json();
    }

    @Test
    void onlyTheLeaderSweepsAndAnotherTakesOverWhenItIsKilled() throws Exception {
        Path work = Files.createTempDirectory("shepherd-failover-");
        try (TestDatabase db = TestDatabase.create("postgres")) {
            int portA = ChildProcess.freePort();
            int portB = ChildProcess.freePort();
            Http a = new Http("http://127.0.0.1:" + portA);
            Http b = new Http("http://127.0.0.1:" + portB);
            try (ChildProcess procA = runtime(work.resolve("a"), db, portA);
                 ChildProcess procB = runtime(work.resolve("b"), db, portB)) {
                procA.awaitReady(a, Duration.ofSeconds(60));
                procB.awaitReady(b, Duration.ofSeconds(60));
                Thread.sleep(3000);

                JsonObject stateA = recovery(a);
                JsonObject stateB = recovery(b);
                assertTrue(stateA.getBoolean("leader") ^ stateB.getBoolean("leader"),
                        "exactly one leader: " + stateA + " / " + stateB);
                boolean aLeads = stateA.getBoolean("leader");
                Http leader = aLeads ? a : b;
                Http follower = aLeads ? b : a;
                ChildProcess leaderProcess = aLeads ? procA : procB;
                assertTrue(recovery(leader).getInt("sweeps") >= 2, recovery(leader).toString());
                assertEquals(0, recovery(follower).getInt("sweeps"), "the follower never sweeps");

                String id = leader.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t")).json().getString("id");
                TestBot silent = TestBot.register(leader, "silent", "t");
                TestBot rescuer = TestBot.register(follower, "rescuer", "t");
                JsonObject held = silent.claimJobs(1, 0).getFirst();
                Instant leaseEnds = Instant.parse(held.getString("leaseExpiresAt"));

                leaderProcess.kill(); // SIGKILL: its lock goes with its connection

                List<JsonObject> again = List.of();
                while (again.isEmpty() && Instant.now().isBefore(leaseEnds.plusSeconds(10))) {
                    rescuer.heartbeat();
                    again = rescuer.claimJobs(1, 900);
                }
                long lateMs = Instant.now().toEpochMilli() - leaseEnds.toEpochMilli();
                assertEquals(1, again.size(), "the follower rescued the job");
                assertEquals(id, again.getFirst().getString("id"));
                System.out.printf("failover: job claimable again %d ms after its lease ended%n", lateMs);
                assertTrue(lateMs <= 1500, "rescued " + lateMs + " ms after the lease ended (interval 1 s)");
                JsonObject newState = recovery(follower);
                assertTrue(newState.getBoolean("leader"), newState.toString());
                assertTrue(newState.getInt("sweeps") > 0, newState.toString());
                // the silent bot's zombie, asking the surviving replica, is fenced off
                assertEquals(409, follower.post("/v1/jobs/" + id + "/complete", silent.token,
                        Http.obj("leaseToken", held.getString("leaseToken"))).status());
            }
        } finally {
            try (var walk = Files.walk(work)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
