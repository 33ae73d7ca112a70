package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import io.shepherd.runtime.testing.TestBot;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** In real time: a job whose bot went silent is claimable again within lease + interval. */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class OrphanRecoveryTest extends ApiTestBase {
    @Override
    Map<String, String> overrides() {
        return Map.of("lease.ttl", "PT3S", "heartbeat.interval", "PT1S", "recovery.interval", "PT1S");
    }

    @Test
    void jobOfASilentBotIsClaimableAgainWithinFiveAndAHalfSeconds() throws Exception {
        String id = submit("type", "t").getString("id");
        TestBot silent = runtime.registerBot("silent", "t");
        TestBot rescuer = runtime.registerBot("rescuer", "t");
        JsonObject held = silent.claimJobs(1, 0).getFirst();
        long claimedAt = System.nanoTime();

        List<JsonObject> again = List.of();
        while (again.isEmpty() && System.nanoTime() - claimedAt < 15_000_000_000L) {
            rescuer.heartbeat();
            again = rescuer.claimJobs(1, 900);
        }
        long elapsedMs = (System.nanoTime() - claimedAt) / 1_000_000;
        assertEquals(1, again.size(), "the job came back");
        assertEquals(id, again.getFirst().getString("id"));
        assertTrue(elapsedMs <= 5500, "claimable again after " + elapsedMs + " ms");
        System.out.printf("orphan recovery (%s): claimable again %d ms after the claim (lease 3 s, sweeps 1 s)%n",
                databaseKind, elapsedMs);

        assertEquals(409, silent.complete(id, held.getString("leaseToken"), null).status());
        assertEquals(200, rescuer.complete(id, again.getFirst().getString("leaseToken"), null).status());
        assertEquals("completed", row(id).get("status"));
    }
}
