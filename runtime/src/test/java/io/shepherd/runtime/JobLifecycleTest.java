package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class JobLifecycleTest extends ApiTestBase {

    @Test
    void aJsonBodyMayNameItsCharsetIfItIsUtf8() {
        for (String type : List.of("application/json", "application/json; charset=UTF-8", "application/json;charset=\"utf-8\"",
                "application/merge-patch+json; charset=utf-8")) {
            Http.Response r = http.send("POST", "/v1/jobs", TestRuntime.CLIENT, type,
                    java.net.http.HttpRequest.BodyPublishers.ofString("{\"type\": \"echo\"}"));
            assertEquals(201, r.status(), type + ": " + r);
        }
        Http.Response latin = http.send("POST", "/v1/jobs", TestRuntime.CLIENT, "application/json; charset=ISO-8859-1",
                java.net.http.HttpRequest.BodyPublishers.ofString("{\"type\": \"echo\"}"));
        assertEquals(415, latin.status(), latin.toString());
        assertTrue(latin.body().contains("JSON bodies are UTF-8, not iso-8859-1"), latin.body());
    }

    @Test
    void submittedJobIsClaimedAndCompletedWithItsResult() throws Exception {
        JsonObject job = submit("type", "echo", "payload", Http.obj("n", 7));
        assertEquals("pending", job.getString("status"));
        assertEquals("default", job.getString("queue"));
        assertEquals(5, job.getInt("maxAttempts"));

        TestBot bot = runtime.registerBot("b1", "echo");
        List<JsonObject> claimed = bot.claimJobs(1, 0);
        assertEquals(1, claimed.size());
        JsonObject c = claimed.getFirst();
        assertEquals(job.getString("id"), c.getString("id"));
        assertEquals(7, c.getJsonObject("payload").getInt("n"));
        assertEquals(1, c.getInt("attempt"));
        assertNotNull(c.getString("leaseToken"));

        Http.Response botView = http.get("/v1/bots/" + bot.id, bot.token);
        assertEquals("busy", botView.json().getString("status"));
        assertEquals(List.of(job.getString("id")), strings(botView.json(), "jobs"));

        Http.Response done = bot.complete(c.getString("id"), c.getString("leaseToken"), Http.obj("echo", 7));
        assertEquals(200, done.status(), done.toString());
        assertEquals("completed", done.json().getString("status"));
        assertEquals(7, done.json().getJsonObject("result").getInt("echo"));
        assertEquals("completed", row(c.getString("id")).get("status"));

        assertEquals("idle", http.get("/v1/bots/" + bot.id, bot.token).json().getString("status"));
        List<String> kinds = http.get("/v1/jobs/" + c.getString("id") + "/events", TestRuntime.CLIENT).json()
                .getJsonArray("events").getValuesAs(JsonObject.class).stream().map(e -> e.getString("kind")).toList();
        assertEquals(List.of("submitted", "claimed", "completed"), kinds);
    }

    /** A job's views are written as text: payload, result and error come back exactly as sent, whatever they hold. */
    @Test
    void everyCharacterComesBackInEveryViewOfAJob() {
        String odd = "quote \" backslash \\ slash / tab \t newline \n nul-free controls \u0001\u001f "
                + "line sep \u2028 para \u2029 é ü 中文 \uD83D\uDE00 end";
        JsonObject payload = Json.createObjectBuilder().add("text", odd).add("n", 1.5e3).add("big", 12345678901234L)
                .add("nested", Json.createArrayBuilder().add(true).addNull().add(Json.createObjectBuilder().add(odd, odd)))
                .build();
        Http.Response batch = http.post("/v1/jobs/batch", TestRuntime.CLIENT, Http.obj("jobs",
                Json.createArrayBuilder().add(Http.obj("type", "odd", "payload", payload, "correlationId", "c-1"))
                        .add(Http.obj("type", "odd-no-payload")).build())); // not the bot's type: it claims the first
        assertEquals(201, batch.status(), batch.toString());
        JsonObject first = batch.json().getJsonArray("jobs").getJsonObject(0);
        assertEquals(payload, first.getJsonObject("payload"));
        assertEquals("c-1", first.getString("correlationId"));
        assertEquals(jakarta.json.JsonValue.NULL, batch.json().getJsonArray("jobs").getJsonObject(1).get("payload"));
        String id = first.getString("id");

        TestBot bot = runtime.registerBot("odd", "odd");
        JsonObject held = bot.claimJobs(1, 0).getFirst();
        assertEquals(id, held.getString("id"));
        JsonObject claimedView = http.get("/v1/jobs/" + id, TestRuntime.CLIENT).json();
        assertEquals("claimed", claimedView.getString("status"));
        assertEquals(bot.id, claimedView.getString("claimedBy"));
        assertTrue(Instant.parse(claimedView.getString("leaseExpiresAt")).isAfter(Instant.now()));
        assertEquals(jakarta.json.JsonValue.NULL, claimedView.get("timeoutAt"), "no ceiling, no time");
        assertEquals(jakarta.json.JsonValue.NULL, claimedView.get("result"));

        Http.Response failed = bot.fail(id, held.getString("leaseToken"), odd, false);
        assertEquals(200, failed.status(), failed.toString());
        assertEquals(odd, failed.json().getString("lastError"));
        assertEquals("dead", failed.json().getString("status"));
        assertEquals(jakarta.json.JsonValue.NULL, failed.json().get("claimedBy"), "only claimed or completed jobs name their bot");
        JsonObject read = http.get("/v1/jobs/" + id, TestRuntime.CLIENT).json();
        assertEquals(payload, read.getJsonObject("payload"));
        assertEquals(odd, read.getString("lastError"));

        JsonObject listed = http.get("/v1/jobs?type=odd&status=dead", TestRuntime.CLIENT).json();
        assertEquals(jakarta.json.JsonValue.NULL, listed.get("next"));
        JsonObject summary = listed.getJsonArray("jobs").getJsonObject(0);
        assertEquals(odd, summary.getString("lastError"));
        assertFalse(summary.containsKey("payload"), "a list leaves out the payload");
        assertFalse(summary.containsKey("result"));
    }

    @Test
    void repeatedCompletionWithTheSameLeaseIsHarmless() throws Exception {
        String id = submit("type", "echo").getString("id");
        TestBot bot = runtime.registerBot("b", "echo");
        JsonObject c = bot.claimJobs(1, 0).getFirst();
        assertEquals(200, bot.complete(id, c.getString("leaseToken"), Http.obj("v", 1)).status());
        Http.Response again = bot.complete(id, c.getString("leaseToken"), Http.obj("v", 1));
        assertEquals(200, again.status(), again.toString());
        assertEquals(1, count("SELECT COUNT(*) FROM job_events WHERE job_id = ? AND kind = 'completed'", id));
    }

    @Test
    void claimsFollowPriorityThenRunAt() {
        String low = submit("type", "t", "priority", 0).getString("id");
        String high = submit("type", "t", "priority", 10).getString("id");
        String lowLater = submit("type", "t", "priority", 0).getString("id");
        String future = submit("type", "t", "priority", 100,
                "runAt", Instant.now().plusSeconds(3600).toString()).getString("id");
        TestBot bot = runtime.registerBot("b", "t");
        List<String> order = bot.claimJobs(10, 0).stream().map(j -> j.getString("id")).toList();
        assertEquals(List.of(high, low, lowLater), order);
        assertFalse(order.contains(future));
    }

    @Test
    void claimTakesUpToMaxAndOnlyTheBotsTypes() {
        for (int i = 0; i < 120; i++) {
            submit("type", "a");
        }
        submit("type", "b");
        TestBot bot = runtime.registerBot("b", "a");
        assertEquals(100, bot.claimJobs(100, 0).size());
        assertEquals(20, bot.claimJobs(100, 0).size());
        assertEquals(204, bot.claim(1, 0).status());
    }

    @Test
    void idempotencyKeyReturnsTheFirstJob() throws Exception {
        Http.Response first = http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t", "idempotencyKey", "k-1"));
        Http.Response second = http.post("/v1/jobs", TestRuntime.CLIENT,
                Http.obj("type", "t", "idempotencyKey", "k-1", "payload", Http.obj("other", true)));
        assertEquals(201, first.status());
        assertEquals(200, second.status());
        assertEquals(first.json().getString("id"), second.json().getString("id"));
        assertEquals(1, count("SELECT COUNT(*) FROM jobs"));
    }

    @Test
    void batchIsAllOrNothing() throws Exception {
        var jobs = Json.createArrayBuilder();
        for (int i = 0; i < 1000; i++) {
            jobs.add(Http.obj("type", "t", "payload", Http.obj("i", i)));
        }
        Http.Response ok = http.post("/v1/jobs/batch", TestRuntime.CLIENT, Json.createObjectBuilder().add("jobs", jobs).build());
        assertEquals(201, ok.status(), ok.toString());
        assertEquals(1000, ok.json().getJsonArray("jobs").size());
        assertEquals(1000, count("SELECT COUNT(*) FROM jobs"));
        assertEquals(1000, count("SELECT COUNT(*) FROM job_events WHERE kind = 'submitted'"));

        var bad = Json.createArrayBuilder().add(Http.obj("type", "t")).add(Http.obj("payload", Http.obj()));
        Http.Response refused = http.post("/v1/jobs/batch", TestRuntime.CLIENT,
                Json.createObjectBuilder().add("jobs", bad).build());
        assertEquals(400, refused.status());
        assertTrue(refused.json().getString("detail").contains("jobs[1]"), refused.toString());
        assertEquals(1000, count("SELECT COUNT(*) FROM jobs"));

        var tooMany = Json.createArrayBuilder();
        for (int i = 0; i < 1001; i++) {
            tooMany.add(Http.obj("type", "t"));
        }
        assertEquals(400, http.post("/v1/jobs/batch", TestRuntime.CLIENT,
                Json.createObjectBuilder().add("jobs", tooMany).build()).status());
        assertEquals(1000, count("SELECT COUNT(*) FROM jobs"));
    }

    @Test
    void listingPagesThroughEveryJobOnceWithFilters() {
        Set<String> submitted = new HashSet<>();
        for (int i = 0; i < 25; i++) {
            submitted.add(submit("type", i % 2 == 0 ? "even" : "odd", "queue", "q").getString("id"));
        }
        List<String> seen = new ArrayList<>();
        String after = null;
        do {
            Http.Response page = http.get("/v1/jobs?limit=10" + (after == null ? "" : "&after=" + after), TestRuntime.CLIENT);
            assertEquals(200, page.status());
            page.json().getJsonArray("jobs").getValuesAs(JsonObject.class).forEach(j -> seen.add(j.getString("id")));
            after = page.json().isNull("next") ? null : page.json().getString("next");
        } while (after != null);
        assertEquals(25, seen.size());
        assertEquals(submitted, new HashSet<>(seen));
        assertEquals(13, http.get("/v1/jobs?type=even&status=pending&queue=q&limit=500", TestRuntime.CLIENT).json()
                .getJsonArray("jobs").size());
        assertEquals(0, http.get("/v1/jobs?queue=other", TestRuntime.CLIENT).json().getJsonArray("jobs").size());
    }

    @Test
    void retryableFailureBacksOffThenExhaustedJobIsDeadAndAdminRevivesIt() throws Exception {
        String id = submit("type", "t", "maxAttempts", 2).getString("id");
        TestBot bot = runtime.registerBot("b", "t");
        JsonObject first = bot.claimJobs(1, 0).getFirst();
        Http.Response failed = bot.fail(id, first.getString("leaseToken"), "boom", true);
        assertEquals(200, failed.status(), failed.toString());
        assertEquals("pending", failed.json().getString("status"));
        assertEquals("boom", failed.json().getString("lastError"));
        long delay = Instant.parse(failed.json().getString("runAt")).toEpochMilli()
                - Instant.parse(failed.json().getString("updatedAt")).toEpochMilli();
        assertTrue(delay >= 800 && delay <= 1200, "first retry waits 1 s ± 20 %, was " + delay + " ms");

        assertEquals(204, bot.claim(1, 0).status(), "not claimable during its backoff");
        JsonObject second = bot.claimJobs(1, 3000).getFirst();
        assertEquals(2, second.getInt("attempt"));
        Http.Response dead = bot.fail(id, second.getString("leaseToken"), "boom again", true);
        assertEquals("dead", dead.json().getString("status"));
        assertEquals("dead", row(id).get("status"));

        assertEquals(403, http.post("/v1/jobs/" + id + "/retry", TestRuntime.CLIENT, null).status());
        Http.Response revived = http.post("/v1/jobs/" + id + "/retry", TestRuntime.ADMIN, null);
        assertEquals(200, revived.status(), revived.toString());
        assertEquals("pending", revived.json().getString("status"));
        assertEquals(0, revived.json().getInt("attempt"));
        assertEquals(1, bot.claimJobs(1, 0).getFirst().getInt("attempt"));
    }

    @Test
    void nonRetryableFailureIsDeadAtOnce() {
        String id = submit("type", "t").getString("id");
        TestBot bot = runtime.registerBot("b", "t");
        JsonObject c = bot.claimJobs(1, 0).getFirst();
        assertEquals("dead", bot.fail(id, c.getString("leaseToken"), "bad input", false).json().getString("status"));
        List<JsonObject> events = http.get("/v1/jobs/" + id + "/events", TestRuntime.CLIENT).json()
                .getJsonArray("events").getValuesAs(JsonObject.class);
        assertEquals("dead-lettered", events.getLast().getString("kind"));
        assertEquals("not-retryable", events.getLast().getString("reason"));
    }

    @Test
    void releasedJobIsClaimableAtOnceWithoutSpendingAnAttempt() throws Exception {
        String id = submit("type", "t").getString("id");
        TestBot bot = runtime.registerBot("b", "t");
        JsonObject c = bot.claimJobs(1, 0).getFirst();
        Http.Response released = bot.release(id, c.getString("leaseToken"));
        assertEquals(200, released.status());
        assertEquals("pending", released.json().getString("status"));
        assertEquals(0, released.json().getInt("attempt"));
        JsonObject again = bot.claimJobs(1, 0).getFirst();
        assertEquals(1, again.getInt("attempt"));
        assertNotEquals(c.getString("leaseToken"), again.getString("leaseToken"));
    }

    @Test
    void cancellingPendingAndClaimedJobs() throws Exception {
        String pending = submit("type", "t", "priority", -1).getString("id");
        String held = submit("type", "t", "priority", 5).getString("id");
        TestBot bot = runtime.registerBot("b", "t");
        JsonObject c = bot.claimJobs(1, 0).getFirst();
        assertEquals(held, c.getString("id"));

        Http.Response cancelledPending = http.post("/v1/jobs/" + pending + "/cancel", TestRuntime.CLIENT, null);
        assertEquals(200, cancelledPending.status());
        assertEquals("cancelled", cancelledPending.json().getString("status"));
        assertEquals(204, bot.claim(1, 0).status(), "a cancelled job is never claimed");

        assertEquals("cancelled", http.post("/v1/jobs/" + held + "/cancel", TestRuntime.CLIENT, null).json()
                .getString("status"));
        Http.Response beat = bot.heartbeat();
        assertEquals(List.of(held), strings(beat.json(), "cancel"));
        assertEquals(List.of(), strings(bot.heartbeat().json(), "cancel"), "told once");
        Http.Response late = bot.complete(held, c.getString("leaseToken"), null);
        assertEquals(409, late.status(), late.toString());
        assertEquals("cancelled", row(held).get("status"));

        Http.Response again = http.post("/v1/jobs/" + held + "/cancel", TestRuntime.CLIENT, null);
        assertEquals(200, again.status(), "cancelling twice is harmless");
    }

    @Test
    void cancellingACompletedJobIsAConflict() {
        String id = submit("type", "t").getString("id");
        TestBot bot = runtime.registerBot("b", "t");
        JsonObject c = bot.claimJobs(1, 0).getFirst();
        bot.complete(id, c.getString("leaseToken"), null);
        assertEquals(409, http.post("/v1/jobs/" + id + "/cancel", TestRuntime.CLIENT, null).status());
    }

    @Test
    void statsCountEveryStatusIncludingZeros() {
        submit("type", "t");
        submit("type", "t");
        TestBot bot = runtime.registerBot("b", "t");
        bot.claimJobs(1, 0);
        runtime.registerBot("idle", "other");
        JsonObject stats = http.get("/v1/stats", TestRuntime.CLIENT).json();
        JsonObject jobs = stats.getJsonObject("jobs");
        assertEquals(1, jobs.getInt("pending"));
        assertEquals(1, jobs.getInt("claimed"));
        for (String s : List.of("completed", "dead", "cancelled")) {
            assertEquals(0, jobs.getInt(s));
        }
        JsonObject bots = stats.getJsonObject("bots");
        assertEquals(1, bots.getInt("busy"));
        assertEquals(1, bots.getInt("idle"));
        for (String s : List.of("draining", "lost", "quarantined", "offline")) {
            assertEquals(0, bots.getInt(s));
        }
    }

    @Test
    void adminListsBotsByDerivedStatus() {
        submit("type", "t");
        TestBot busy = runtime.registerBot("busy", "t");
        busy.claimJobs(1, 0);
        runtime.registerBot("idle", "t");
        List<JsonObject> all = http.get("/v1/bots", TestRuntime.ADMIN).json().getJsonArray("bots")
                .getValuesAs(JsonObject.class);
        assertEquals(2, all.size());
        List<JsonObject> onlyBusy = http.get("/v1/bots?status=busy", TestRuntime.ADMIN).json().getJsonArray("bots")
                .getValuesAs(JsonObject.class);
        assertEquals(1, onlyBusy.size());
        assertEquals(busy.id, onlyBusy.getFirst().getString("id"));
        assertEquals(1, onlyBusy.getFirst().getJsonArray("jobs").size());
    }

    static List<String> strings(JsonObject o, String field) {
        return o.getJsonArray(field).getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
    }
}
