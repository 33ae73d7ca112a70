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

        List<JsonObject> again = awaitClaimableAgain(rescuer, claimedAt, () -> { });
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

    @Test
    void phantomClaimOfALiveBotRunsOutWhileTheJobItNamesIsKept() throws Exception {
        String known = submit("type", "t", "priority", 1).getString("id");
        String phantom = submit("type", "t").getString("id");
        TestBot bot = runtime.registerBot("forgetful", "t");
        TestBot rescuer = runtime.registerBot("rescuer", "t");
        // the bot claims both, but (as if the answer for the second were lost) works on one only
        List<JsonObject> held = bot.claimJobs(2, 0);
        assertEquals(List.of(known, phantom), held.stream().map(j -> j.getString("id")).toList());
        long claimedAt = System.nanoTime();

        List<JsonObject> again = awaitClaimableAgain(rescuer, claimedAt, () -> assertEquals(0,
                bot.heartbeat(List.of(known)).json().getJsonArray("lost").size(), "the job it works on is still its own"));
        long elapsedMs = (System.nanoTime() - claimedAt) / 1_000_000;
        assertEquals(1, again.size(), "the phantom came back while its bot kept beating");
        assertEquals(phantom, again.getFirst().getString("id"));
        assertTrue(elapsedMs <= 5500, "claimable again after " + elapsedMs + " ms");
        assertEquals("claimed", row(known).get("status"), "the job the bot named kept its lease");
        assertEquals(bot.id, row(known).get("claimed_by"));

        // the bot still names the phantom too, late: it is told it no longer holds it
        JsonObject beat = bot.heartbeat(List.of(known, phantom)).json();
        assertEquals(List.of(phantom), beat.getJsonArray("lost").getValuesAs(jakarta.json.JsonString.class).stream()
                .map(jakarta.json.JsonString::getString).toList());
        assertEquals(409, bot.complete(phantom, held.get(1).getString("leaseToken"), null).status());
        assertEquals(200, bot.complete(known, held.get(0).getString("leaseToken"), null).status());
        assertEquals(200, rescuer.complete(phantom, again.getFirst().getString("leaseToken"), null).status());
        System.out.printf("phantom claim (%s): recovered %d ms after the claim while its bot kept beating%n",
                databaseKind, elapsedMs);
    }

    /**
     * The rescuer heartbeats and long-polls (after {@code eachTry}) until a job comes back, at
     * most 15 s after the claim; the jobs it got, empty if none came.
     */
    private static List<JsonObject> awaitClaimableAgain(TestBot rescuer, long claimedAt, Runnable eachTry) {
        List<JsonObject> again = List.of();
        while (again.isEmpty() && System.nanoTime() - claimedAt < 15_000_000_000L) {
            eachTry.run();
            rescuer.heartbeat();
            again = rescuer.claimJobs(1, 900);
        }
        return again;
    }
}
