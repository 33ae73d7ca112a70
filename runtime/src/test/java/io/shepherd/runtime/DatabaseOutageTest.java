package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestDatabase;
import io.shepherd.runtime.testing.TestRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * While PostgreSQL refuses connections the API answers 503 with Retry-After, readiness is
 * DOWN but liveness is not, and once it is back everything works again with nothing lost.
 */
class DatabaseOutageTest {
    TestDatabase db;
    TestRuntime runtime;

    @BeforeEach
    void start() {
        db = TestDatabase.create("postgres");
        runtime = TestRuntime.start(db, java.util.Map.of("db.connect-timeout", "PT1S"));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            db.restore();
            runtime.close();
        } finally {
            db.close();
        }
    }

    @Test
    void unreachableDatabaseIs503WithRetryAfterAndNothingIsLost() throws Exception {
        Http http = runtime.http();
        String id = http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t")).json().getString("id");
        TestBot bot = runtime.registerBot("b", "t");

        db.cutOff();
        Http.Response submit = http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t"));
        ErrorStatusTest.assertProblem(submit, 503);
        assertNotNull(submit.header("Retry-After"));
        ErrorStatusTest.assertProblem(bot.claim(1, 0), 503);
        awaitStatus(http, "/ready", 503); // within a round of the background health checks
        assertEquals(503, http.get("/healthz", null).status());
        assertEquals(200, http.get("/livez", null).status());

        db.restore();
        Http.Response after = null;
        for (int i = 0; i < 50; i++) {
            after = http.get("/v1/jobs/" + id, TestRuntime.CLIENT);
            if (after.status() == 200) {
                break;
            }
            Thread.sleep(200);
        }
        assertEquals(200, after.status(), after.toString());
        awaitStatus(http, "/ready", 200);
        assertEquals(1, bot.claimJobs(5, 0).size(), "the job submitted before the outage is still there, once");
    }

    /** Waits (up to 10 s) until the path answers the status; the background checks run every 2 s. */
    static void awaitStatus(Http http, String path, int status) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        int got = http.get(path, null).status();
        while (got != status && System.nanoTime() < deadline) {
            Thread.sleep(100);
            got = http.get(path, null).status();
        }
        assertEquals(status, got, path);
    }
}
