package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code POST /v1/bots/{id}/exchange}: many reports and the next claim in one call. Each report
 * is fenced and answered as its single call would be; a malformed request changes nothing.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class ExchangeTest extends ApiTestBase {

    @Test
    void reportsManyJobsAndClaimsTheNextInOneCall() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(submit("type", "t", "payload", Map.of("n", i)).getString("id"));
        }
        TestBot bot = runtime.registerBot("b", "t");
        Http.Response first = exchange(bot, bot.session, List.of(), 3, 0);
        assertEquals(200, first.status(), first.toString());
        List<JsonObject> held = first.json().getJsonArray("jobs").getValuesAs(JsonObject.class);
        assertEquals(3, held.size());
        assertEquals(0, first.json().getJsonArray("reports").size());

        List<JsonObject> reports = held.stream().map(j -> complete(j, Json.createObjectBuilder()
                .add("done", j.getString("id")).build())).toList();
        Http.Response second = exchange(bot, bot.session, reports, 5, 0);
        assertEquals(200, second.status(), second.toString());
        List<JsonObject> answers = second.json().getJsonArray("reports").getValuesAs(JsonObject.class);
        assertEquals(held.stream().map(j -> j.getString("id")).toList(),
                answers.stream().map(a -> a.getString("jobId")).toList(), "answered in the reports' order");
        for (JsonObject a : answers) {
            assertEquals(200, a.getInt("status"), a.toString());
            assertEquals("completed", a.getString("jobStatus"));
            Map<String, Object> row = row(a.getString("jobId"));
            assertEquals("completed", row.get("status"));
            assertEquals("{\"done\":\"" + a.getString("jobId") + "\"}", row.get("result"));
            assertNull(row.get("lease_expires_at"));
            assertEquals(1, count("SELECT COUNT(*) FROM job_events WHERE job_id = ? AND kind = 'completed' "
                    + "AND reason = 'completed' AND bot_id = ? AND attempt = 1", a.getString("jobId"), bot.id));
        }
        List<JsonObject> next = second.json().getJsonArray("jobs").getValuesAs(JsonObject.class);
        assertEquals(2, next.size(), "the two jobs left, claimed in the same call");
        // the two not claimed before (jobs submitted in the same millisecond are claimed in id order, not submission order)
        Set<String> left = new java.util.HashSet<>(ids);
        held.forEach(j -> left.remove(j.getString("id")));
        assertEquals(left, next.stream().map(j -> j.getString("id")).collect(Collectors.toSet()));

        Http.Response last = exchange(bot, bot.session, next.stream().map(j -> complete(j, null)).toList(), 5, 0);
        assertEquals(200, last.status(), last.toString());
        assertEquals(0, last.json().getJsonArray("jobs").size(), "nothing left: 200 with no jobs, not 204");
        assertEquals(5, count("SELECT COUNT(*) FROM jobs WHERE status = 'completed'"));
        JsonObject stats = http.get("/v1/jobs/" + ids.get(4), TestRuntime.CLIENT).json();
        assertEquals("completed", stats.getString("status"));
    }

    @Test
    void eachReportIsAnsweredAsItsOwnCallWouldBe() throws Exception {
        String mine = submit("type", "t").getString("id");
        String stale = submit("type", "t").getString("id");
        String theirs = submit("type", "t").getString("id");
        String tooLarge = submit("type", "t").getString("id");
        String failing = submit("type", "t").getString("id");
        String given = submit("type", "t").getString("id");
        Claims claims = claimedThenTwoMoved(stale, theirs);
        TestBot bot = claims.bot();
        Map<String, JsonObject> held = claims.held();
        Map<String, JsonObject> otherHeld = claims.otherHeld();
        Map<String, Object> staleBefore = row(stale);
        Map<String, Object> theirsBefore = row(theirs);
        Map<String, Object> tooLargeBefore = row(tooLarge);

        List<JsonObject> reports = List.of(
                complete(held.get(mine), Json.createValue(42)),
                complete(held.get(stale), null),
                complete(otherHeld.get(theirs), null), // a valid token, but the other bot's
                complete(held.get(tooLarge), Json.createValue("x".repeat(300 * 1024))),
                Http.obj("jobId", failing, "leaseToken", held.get(failing).getString("leaseToken"), "outcome", "fail",
                        "error", "boom", "retryable", false),
                Http.obj("jobId", given, "leaseToken", held.get(given).getString("leaseToken"), "outcome", "release"),
                complete(Json.createObjectBuilder().add("id", "no-such-job").add("leaseToken", "x").build(), null));
        Http.Response r = exchange(bot, bot.session, reports, 0, 0);
        assertEquals(200, r.status(), r.toString());
        Map<String, JsonObject> answers = new HashMap<>();
        r.json().getJsonArray("reports").getValuesAs(JsonObject.class).forEach(a -> answers.put(a.getString("jobId"), a));

        assertEquals(200, answers.get(mine).getInt("status"));
        assertEquals("42", row(mine).get("result"));
        assertEquals(409, answers.get(stale).getInt("status"), answers.get(stale).toString());
        assertTrue(answers.get(stale).getString("detail").contains("re-claimed"), answers.get(stale).toString());
        assertEquals(staleBefore, row(stale));
        assertEquals(1, count("SELECT COUNT(*) FROM job_events WHERE job_id = ? AND kind = 'refused'", stale),
                "the refused report is on the audit trail, as for a single call");
        assertEquals(403, answers.get(theirs).getInt("status"), answers.get(theirs).toString());
        assertEquals(theirsBefore, row(theirs));
        assertEquals(413, answers.get(tooLarge).getInt("status"), answers.get(tooLarge).toString());
        assertEquals(tooLargeBefore, row(tooLarge));
        assertEquals(200, answers.get(failing).getInt("status"));
        assertEquals("dead", answers.get(failing).getString("jobStatus"));
        assertEquals("boom", row(failing).get("last_error"));
        assertEquals("pending", answers.get(given).getString("jobStatus"));
        assertEquals(0, row(given).get("attempt") instanceof Number n ? n.intValue() : -1, "a release gives the attempt back");
        assertEquals(404, answers.get("no-such-job").getInt("status"));
        assertEquals(0, r.json().getJsonArray("jobs").size());

        // the answer to the completion was lost, and it is sent again: the same outcome, nothing changes
        Http.Response again = exchange(bot, bot.session, List.of(complete(held.get(mine), Json.createValue(42))), 0, 0);
        assertEquals(200, again.json().getJsonArray("reports").getJsonObject(0).getInt("status"), again.toString());
        assertEquals(1, count("SELECT COUNT(*) FROM job_events WHERE job_id = ? AND kind = 'completed'", mine));
    }

    /**
     * A claim that carries only completions sends them ahead of its own statement (on PostgreSQL
     * in its round trip and transaction): each is still answered as its own call would be, and
     * the claim sees the jobs they finished.
     */
    @Test
    void completionsCarriedByTheClaimAreAnsweredAsTheirOwnCallsWouldBe() throws Exception {
        String mine = submit("type", "t").getString("id");
        String stale = submit("type", "t").getString("id");
        String theirs = submit("type", "t").getString("id");
        String tooLarge = submit("type", "t").getString("id");
        Claims claims = claimedThenTwoMoved(stale, theirs);
        TestBot bot = claims.bot();
        Map<String, JsonObject> held = claims.held();
        Map<String, JsonObject> otherHeld = claims.otherHeld();
        String fresh = submit("type", "t").getString("id");
        Map<String, Object> staleBefore = row(stale);
        Map<String, Object> theirsBefore = row(theirs);

        Http.Response r = exchange(bot, bot.session, List.of(
                complete(held.get(mine), Json.createValue(7)),
                complete(held.get(stale), null),
                complete(otherHeld.get(theirs), null),
                complete(held.get(tooLarge), Json.createValue("x".repeat(300 * 1024))),
                complete(Json.createObjectBuilder().add("id", "no-such-job").add("leaseToken", "x").build(), null)),
                5, 0);
        assertEquals(200, r.status(), r.toString());
        Map<String, Integer> statuses = new HashMap<>();
        r.json().getJsonArray("reports").getValuesAs(JsonObject.class)
                .forEach(a -> statuses.put(a.getString("jobId"), a.getInt("status")));
        assertEquals(Map.of(mine, 200, stale, 409, theirs, 403, tooLarge, 413, "no-such-job", 404), statuses);
        assertEquals("7", row(mine).get("result"));
        assertEquals(1, count("SELECT COUNT(*) FROM job_events WHERE job_id = ? AND kind = 'completed'", mine));
        assertEquals(staleBefore, row(stale));
        assertEquals(1, count("SELECT COUNT(*) FROM job_events WHERE job_id = ? AND kind = 'refused'", stale));
        assertEquals(theirsBefore, row(theirs));
        assertEquals("claimed", row(tooLarge).get("status"), "refused before it was sent: still held");
        List<JsonObject> claimed = r.json().getJsonArray("jobs").getValuesAs(JsonObject.class);
        assertEquals(List.of(fresh), claimed.stream().map(j -> j.getString("id")).toList());
        if (databaseKind.equals("postgres")) {
            assertEquals(1, count("SELECT COUNT(DISTINCT xmin::text) FROM jobs WHERE id IN (?, ?)", mine, fresh),
                    "the completion and the claim were one transaction");
        }

        // the answer was lost and the same call is made again: the completion stands, nothing more is claimed
        Http.Response again = exchange(bot, bot.session, List.of(complete(held.get(mine), Json.createValue(7))), 5, 0);
        assertEquals(200, again.json().getJsonArray("reports").getJsonObject(0).getInt("status"), again.toString());
        assertEquals(0, again.json().getJsonArray("jobs").size(), again.toString());
        assertEquals(1, count("SELECT COUNT(*) FROM job_events WHERE job_id = ? AND kind = 'completed'", mine));
    }

    /** A claim refused before it reaches the database (types the bot does not work on): the completions still stand. */
    @Test
    void completionsStandWhenTheClaimCarryingThemIsRefused() throws Exception {
        String id = submit("type", "t").getString("id");
        TestBot bot = runtime.registerBot("b", "t");
        JsonObject held = bot.claimJobs(1, 0).getFirst();
        Http.Response r = http.post("/v1/bots/" + bot.id + "/exchange", bot.token, Http.obj("session", bot.session,
                "reports", List.of(complete(held, null)), "max", 1, "types", List.of("not-mine")));
        assertEquals(403, r.status(), r.toString());
        assertTrue(r.contentType().startsWith("application/problem+json"));
        JsonObject answer = r.json().getJsonArray("reports").getJsonObject(0);
        assertEquals(200, answer.getInt("status"), r.toString());
        assertEquals("completed", row(id).get("status"));
        assertEquals(1, count("SELECT COUNT(*) FROM job_events WHERE job_id = ? AND kind = 'completed'", id));
    }

    @Test
    void aMalformedRequestChangesNothing() throws Exception {
        String id = submit("type", "t").getString("id");
        TestBot bot = runtime.registerBot("b", "t");
        JsonObject held = bot.claimJobs(1, 0).getFirst();
        JsonObject good = complete(held, null);
        Map<String, Object> before = row(id);
        Map<List<Object>, String> refused = Map.of(
                List.of(List.of(good, Http.obj("jobId", "x", "outcome", "complete")), 0), "reports[1].leaseToken is required",
                List.of(List.of(good, Http.obj("jobId", "x", "leaseToken", "y", "outcome", "done")), 0), "reports[1].outcome must be",
                List.of(List.of(good, Http.obj("jobId", "x", "leaseToken", "y", "outcome", "fail")), 0), "reports[1].error is required",
                List.of(List.of(good, good), 0), "names job " + id + " again",
                List.of(List.of(good), 101), "max must be between 1 and 100",
                List.of(List.of(good, JsonValue.TRUE), 0), "reports[1] must be a JSON object");
        for (var e : refused.entrySet()) {
            @SuppressWarnings("unchecked")
            List<JsonObject> reports = (List<JsonObject>) e.getKey().get(0);
            Http.Response r = exchange(bot, bot.session, reports, (Integer) e.getKey().get(1), 0);
            assertEquals(400, r.status(), r.toString());
            assertTrue(r.contentType().startsWith("application/problem+json"));
            assertTrue(r.json().getString("detail").contains(e.getValue()), r.toString());
            assertEquals(before, row(id), "nothing applied: " + r);
        }
        Http.Response waitAlone = http.post("/v1/bots/" + bot.id + "/exchange", bot.token,
                Http.obj("session", bot.session, "waitMs", 100));
        assertEquals(400, waitAlone.status(), waitAlone.toString());
        List<JsonObject> many = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            many.add(Http.obj("jobId", "j" + i, "leaseToken", "t", "outcome", "complete"));
        }
        assertEquals(400, exchange(bot, bot.session, many, 0, 0).status());
        assertEquals(400, http.post("/v1/bots/" + bot.id + "/exchange", bot.token, Http.obj("max", 1)).status(),
                "the session is required");
        assertEquals(before, row(id));
        assertEquals(0, count("SELECT COUNT(*) FROM job_events WHERE job_id = ? AND kind = 'refused'", id));

        TestBot other = runtime.registerBot("o", "t");
        Http.Response foreign = http.post("/v1/bots/" + bot.id + "/exchange", other.token,
                Http.obj("session", bot.session, "reports", List.of(good)));
        assertEquals(403, foreign.status(), "a bot speaks for itself only: " + foreign);
        assertEquals(before, row(id));
        assertEquals(200, exchange(bot, bot.session, List.of(good), 0, 0).status());
        assertEquals("completed", row(id).get("status"));
    }

    @Test
    void aSupersededSessionClaimsNothingAndTheReportsAreStillAnswered() throws Exception {
        String id = submit("type", "t").getString("id");
        submit("type", "t");
        TestBot bot = runtime.registerBot("b", "t");
        String oldSession = bot.session;
        JsonObject held = exchange(bot, oldSession, List.of(), 1, 0).json().getJsonArray("jobs").getJsonObject(0);
        assertEquals(201, bot.openSession().status()); // a new process: the job came back at once

        Http.Response alone = exchange(bot, oldSession, List.of(), 1, 0);
        assertEquals(409, alone.status(), alone.toString());
        Http.Response reportsOnly = exchange(bot, oldSession, List.of(complete(held, null)), 0, 0);
        assertEquals(409, reportsOnly.status(), "a superseded process reports nothing: " + reportsOnly);
        assertEquals(0, count("SELECT COUNT(*) FROM job_events WHERE job_id = ? AND kind = 'refused'", id),
                "refused as a whole, before any report was looked at");
        Http.Response r = exchange(bot, oldSession, List.of(complete(held, null)), 1, 0);
        assertEquals(409, r.status(), r.toString());
        assertTrue(r.contentType().startsWith("application/problem+json"));
        JsonObject answer = r.json().getJsonArray("reports").getJsonObject(0);
        assertEquals(id, answer.getString("jobId"));
        assertEquals(409, answer.getInt("status"), "its lease went with the old session");
        assertEquals(1, count("SELECT COUNT(*) FROM job_events WHERE job_id = ? AND kind = 'refused'", id));
        assertEquals("pending", row(id).get("status"));
        assertEquals(0, count("SELECT COUNT(*) FROM jobs WHERE status = 'claimed'"));
    }

    @Test
    void aClaimInTheExchangeWaitsForWorkAsClaimDoes() throws Exception {
        TestBot bot = runtime.registerBot("b", "t");
        Thread submitter = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            submit("type", "t");
        });
        long t0 = System.nanoTime();
        Http.Response r = exchange(bot, bot.session, List.of(), 2, 5000);
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        submitter.join();
        assertEquals(200, r.status(), r.toString());
        assertEquals(1, r.json().getJsonArray("jobs").size(), r.toString());
        assertTrue(tookMs < 4000, "woken by the submission, not the wait's end: " + tookMs + " ms");
    }

    /** A bot "b"'s claims, and those of a bot "o" (the two jobs "b" gave back and "o" claimed again). */
    record Claims(TestBot bot, Map<String, JsonObject> held, Map<String, JsonObject> otherHeld) {
    }

    /**
     * Bot "b" claims every pending job; {@code stale} and {@code theirs} are given back and claimed
     * by bot "o": "b"'s token for the first is stale, and the second is another bot's.
     */
    private Claims claimedThenTwoMoved(String stale, String theirs) {
        TestBot bot = runtime.registerBot("b", "t");
        TestBot other = runtime.registerBot("o", "t");
        Map<String, JsonObject> held = new HashMap<>();
        for (JsonObject j : bot.claimJobs(100, 0)) {
            held.put(j.getString("id"), j);
        }
        assertEquals(200, bot.release(stale, held.get(stale).getString("leaseToken")).status());
        assertEquals(200, bot.release(theirs, held.get(theirs).getString("leaseToken")).status());
        Map<String, JsonObject> otherHeld = new HashMap<>();
        for (JsonObject j : other.claimJobs(100, 0)) {
            otherHeld.put(j.getString("id"), j);
        }
        assertEquals(Set.of(stale, theirs), otherHeld.keySet());
        return new Claims(bot, held, otherHeld);
    }

    private Http.Response exchange(TestBot bot, String session, List<JsonObject> reports, int max, long waitMs) {
        return http.post("/v1/bots/" + bot.id + "/exchange", bot.token,
                Http.obj("session", session, "reports", reports, "max", max, "waitMs", waitMs));
    }

    private static JsonObject complete(JsonObject claimed, JsonValue result) {
        var b = Json.createObjectBuilder().add("jobId", claimed.getString("id"))
                .add("leaseToken", claimed.getString("leaseToken")).add("outcome", "complete");
        if (result != null) {
            b.add("result", result);
        }
        return b.build();
    }
}
