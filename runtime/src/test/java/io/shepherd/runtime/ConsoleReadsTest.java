package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the console reads, on both databases: the viewer role (reads what an admin reads, changes
 * nothing), the jobs listing's filters and newest-first cursor paging, the last hour by minute, a
 * bot's session age, and the console's own files with their security headers.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class ConsoleReadsTest extends MovedClockTestBase {
    static final String VIEWER = "test-viewer-token";

    @Override
    Map<String, String> overrides() {
        // the metrics read the database once, at start, and not again during a test
        return Map.of("recovery.enabled", "false", "auth.viewer-tokens", VIEWER, "metrics.interval", "PT1H");
    }

    @Test
    void aViewerReadsWhatAnAdminReadsAndChangesNothing() {
        TestBot bot = runtime.registerBot("b", "t");
        String id = submit("type", "t").getString("id");
        assertEquals(200, http.put("/v1/schedules/s", TestRuntime.ADMIN, Http.obj("type", "t", "everyMs", 60_000)).status());
        assertEquals(200, http.post("/v1/queues/q/pause", TestRuntime.ADMIN, null).status());
        int actionsBefore = http.get("/v1/admin/actions", TestRuntime.ADMIN).json().getJsonArray("actions").size();

        assertEquals("viewer", http.get("/v1/whoami", VIEWER).json().getString("role"));
        for (String path : List.of("/v1/jobs", "/v1/jobs/" + id, "/v1/jobs/" + id + "/events", "/v1/events", "/v1/stats",
                "/v1/stats/recent", "/v1/bots", "/v1/bots/" + bot.id, "/v1/queues", "/v1/queues/q", "/v1/schedules",
                "/v1/schedules/s", "/v1/admin/recovery", "/v1/admin/recovery/policies", "/v1/admin/plugins",
                "/v1/admin/actions", "/healthz?fresh=true")) {
            Http.Response r = http.get(path, VIEWER);
            assertEquals(200, r.status(), "GET " + path + ": " + r);
        }
        record Lever(String method, String path, JsonObject body) {
        }
        List<Lever> levers = List.of(
                new Lever("POST", "/v1/jobs", Http.obj("type", "t")),
                new Lever("POST", "/v1/jobs/batch", Http.obj("jobs", List.of(Http.obj("type", "t")))),
                new Lever("POST", "/v1/jobs/bulk", Http.obj("action", "cancel", "filter", Http.obj("type", "t"))),
                new Lever("POST", "/v1/jobs/" + id + "/cancel", null),
                new Lever("POST", "/v1/jobs/" + id + "/retry", null),
                new Lever("POST", "/v1/bots", Http.obj("name", "x", "types", List.of("t"))),
                new Lever("POST", "/v1/bots/" + bot.id + "/drain", null),
                new Lever("POST", "/v1/bots/" + bot.id + "/undrain", null),
                new Lever("POST", "/v1/bots/" + bot.id + "/revoke", null),
                new Lever("POST", "/v1/bots/" + bot.id + "/reset", null),
                new Lever("POST", "/v1/bots/" + bot.id + "/claim", Http.obj("session", bot.session, "max", 1)),
                new Lever("POST", "/v1/bots/drain", Http.obj("labels", Http.obj("zone", "a"))),
                new Lever("POST", "/v1/queues/q/resume", null),
                new Lever("PUT", "/v1/queues/q/limit", Http.obj("maxClaimed", 1)),
                new Lever("PUT", "/v1/schedules/s", Http.obj("type", "t", "everyMs", 120_000)),
                new Lever("DELETE", "/v1/schedules/s", null),
                new Lever("POST", "/v1/admin/recovery/run", null),
                new Lever("POST", "/v1/admin/recovery/prune", null));
        for (Lever lever : levers) {
            Http.Response r = http.send(lever.method(), lever.path(), VIEWER, "application/json",
                    java.net.http.HttpRequest.BodyPublishers.ofString(lever.body() == null ? "" : lever.body().toString()));
            assertEquals(403, r.status(), lever.method() + " " + lever.path() + ": " + r);
            assertTrue(r.contentType().startsWith("application/problem+json"), r.toString());
        }
        assertEquals("pending", http.get("/v1/jobs/" + id, TestRuntime.CLIENT).json().getString("status"));
        assertEquals(1, http.get("/v1/jobs", TestRuntime.CLIENT).json().getJsonArray("jobs").size(), "nothing submitted");
        assertTrue(http.get("/v1/queues/q", TestRuntime.CLIENT).json().getBoolean("paused"));
        assertEquals(200, http.get("/v1/schedules/s", TestRuntime.CLIENT).status());
        assertEquals("idle", http.get("/v1/bots/" + bot.id, TestRuntime.ADMIN).json().getString("status"));
        assertEquals(actionsBefore, http.get("/v1/admin/actions", TestRuntime.ADMIN).json().getJsonArray("actions").size(),
                "no action recorded");
        // a client still reads jobs but not the operators' pages
        assertEquals(403, http.get("/v1/bots", TestRuntime.CLIENT).status());
        assertEquals(403, http.get("/v1/admin/plugins", TestRuntime.CLIENT).status());
        assertEquals(200, http.get("/v1/stats/recent", TestRuntime.CLIENT).status());
    }

    @Test
    void theListingFiltersByBotKeyAndTimeAndPagesNewestFirstWithoutLosingOrRepeatingAJob() {
        TestBot bot = runtime.registerBot("b", "t");
        List<String> ids = new ArrayList<>();
        Instant middle = null;
        for (int i = 0; i < 25; i++) {
            if (i == 9) {
                middle = clock.instant();
            }
            // three jobs share each millisecond: the cursor's id breaks the tie
            ids.add(submit("type", "t", "idempotencyKey", "key-" + i).getString("id"));
            if (i % 3 == 2) {
                clock.advance(Duration.ofMillis(5));
            }
        }
        List<JsonObject> held = bot.claimJobs(4, 0);

        List<String> newestFirst = new ArrayList<>();
        String after = null;
        do {
            JsonObject page = http.get("/v1/jobs?order=desc&limit=7" + (after == null ? "" : "&after=" + after),
                    TestRuntime.CLIENT).json();
            page.getJsonArray("jobs").getValuesAs(JsonObject.class).forEach(j -> newestFirst.add(j.getString("id")));
            after = page.isNull("next") ? null : page.getString("next");
        } while (after != null);
        assertEquals(25, newestFirst.size());
        assertEquals(25, new HashSet<>(newestFirst).size(), "no job twice");
        List<String> createdOrder = new ArrayList<>();
        http.get("/v1/jobs?limit=500", TestRuntime.CLIENT).json().getJsonArray("jobs").getValuesAs(JsonObject.class)
                .forEach(j -> createdOrder.add(j.getString("id")));
        assertEquals(createdOrder, newestFirst.reversed(), "newest first is creation order backwards");

        Set<String> byBot = new HashSet<>();
        http.get("/v1/jobs?bot=" + bot.id, TestRuntime.CLIENT).json().getJsonArray("jobs").getValuesAs(JsonObject.class)
                .forEach(j -> byBot.add(j.getString("id")));
        Set<String> claimed = new HashSet<>();
        held.forEach(j -> claimed.add(j.getString("id")));
        assertEquals(claimed, byBot);

        JsonObject byKey = http.get("/v1/jobs?key=key-7", TestRuntime.CLIENT).json();
        assertEquals(List.of(ids.get(7)), byKey.getJsonArray("jobs").getValuesAs(JsonObject.class).stream()
                .map(j -> j.getString("id")).toList());
        assertEquals(0, http.get("/v1/jobs?key=nobody", TestRuntime.CLIENT).json().getJsonArray("jobs").size());

        Instant end = clock.instant().plusMillis(1);
        JsonObject range = http.get("/v1/jobs?limit=500&since=" + middle + "&until=" + end, TestRuntime.CLIENT).json();
        assertEquals(createdOrder.subList(9, 25), range.getJsonArray("jobs").getValuesAs(JsonObject.class).stream()
                .map(j -> j.getString("id")).toList(), "created in [since, until)");
        assertEquals(new HashSet<>(ids.subList(9, 25)), new HashSet<>(createdOrder.subList(9, 25)));
        assertEquals(9, http.get("/v1/jobs?limit=500&until=" + middle, TestRuntime.CLIENT).json()
                .getJsonArray("jobs").size());

        for (String bad : List.of("order=sideways", "since=yesterday", "until=2026-13-01T00:00:00Z",
                "since=" + end + "&until=" + middle)) {
            Http.Response r = http.get("/v1/jobs?" + bad, TestRuntime.CLIENT);
            assertEquals(400, r.status(), bad + ": " + r);
            assertTrue(r.contentType().startsWith("application/problem+json"));
        }
    }

    @Test
    void theLastHourIsCountedByMinuteWithEachBotsOutcomesTheWaitAndTheOrphans() {
        clock.advance(Duration.ofSeconds(5)); // 00:00:05
        TestBot good = runtime.registerBot("good", "t");
        TestBot bad = runtime.registerBot("bad", "t");
        for (int i = 0; i < 3; i++) {
            submit("type", "t", "maxAttempts", 1);
        }
        clock.advance(Duration.ofSeconds(2)); // claimed 2 s after submission
        for (JsonObject j : good.claimJobs(2, 0)) {
            assertEquals(200, good.complete(j.getString("id"), j.getString("leaseToken"), null).status());
        }
        JsonObject failing = bad.claimJobs(1, 0).getFirst();
        assertEquals(200, bad.fail(failing.getString("id"), failing.getString("leaseToken"), "boom", false).status());
        clock.advance(Duration.ofMinutes(3)); // 00:03:07
        submit("type", "t");
        String orphan = bad.claimJobs(1, 0).getFirst().getString("id");

        JsonObject recent = http.get("/v1/stats/recent", TestRuntime.CLIENT).json();
        List<JsonObject> minutes = recent.getJsonArray("minutes").getValuesAs(JsonObject.class);
        assertEquals(60, minutes.size());
        assertEquals("2026-01-01T00:03:00Z", minutes.getLast().getString("at"), "the last minute is this one");
        JsonObject first = minutes.get(56); // 00:00
        assertEquals("2026-01-01T00:00:00Z", first.getString("at"));
        assertEquals(3, first.getInt("submitted"));
        assertEquals(2, first.getInt("completed"));
        assertEquals(1, first.getInt("failed"));
        assertEquals(1, first.getInt("deadLettered"));
        assertEquals(1, minutes.getLast().getInt("submitted"));
        assertEquals(0, minutes.get(57).getInt("submitted"));
        assertEquals(Http.obj("completed", 2, "failed", 0), recent.getJsonObject("bots").getJsonObject(good.id));
        assertEquals(Http.obj("completed", 0, "failed", 1), recent.getJsonObject("bots").getJsonObject(bad.id));
        assertEquals(4, recent.getInt("waitsSeen"), "every claim of the last five minutes");
        assertEquals(2000, recent.getInt("waitP95Ms"), "the first three waited 2 s, the last none");
        assertEquals(0, recent.getInt("orphans"));

        clock.advance(Duration.ofMinutes(2).plusSeconds(1)); // the orphan's 30 s lease is long gone; the first minute is settled
        recent = http.get("/v1/stats/recent", TestRuntime.CLIENT).json();
        assertEquals(1, recent.getInt("orphans"), "claimed, lease expired: " + orphan);
        assertEquals(1, recent.getInt("waitsSeen"), "the claims of five minutes ago are out of the window");
        minutes = recent.getJsonArray("minutes").getValuesAs(JsonObject.class);
        assertEquals(3, minutes.get(54).getInt("submitted"), "the settled minute, now two places further back");
        clock.advance(Duration.ofMinutes(61));
        recent = http.get("/v1/stats/recent", TestRuntime.CLIENT).json();
        assertTrue(recent.getJsonArray("minutes").getValuesAs(JsonObject.class).stream()
                .allMatch(m -> m.getInt("submitted") == 0 && m.getInt("completed") == 0), "an hour later, nothing");
        assertTrue(recent.isNull("waitP95Ms"));
    }

    @Test
    void aPollMayTakeTheMetricsCountsWhenFreshEnoughAndCountsAgainWhenNot() throws Exception {
        // the metrics' one read at start: its age gauge turns from NaN to a number
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!http.get("/metrics", null).body().matches("(?s).*shepherd_figure_age_seconds\\{figure=\"jobs\"[^}]*} [0-9].*")) {
            assertTrue(System.nanoTime() < deadline, "the metrics read the counts at start");
            Thread.sleep(50);
        }
        submit("type", "t");
        submit("type", "t");
        JsonObject kept = http.get("/v1/stats?maxAgeMs=60000", VIEWER).json();
        assertEquals(0, kept.getJsonObject("jobs").getInt("pending"), "the counts of the start: " + kept);
        assertEquals("2026-01-01T00:00:00Z", kept.getString("countedAt"));
        assertEquals(0, kept.getJsonObject("jobs").getInt("dead"), "every status present");
        JsonObject now = http.get("/v1/stats", VIEWER).json();
        assertEquals(2, now.getJsonObject("jobs").getInt("pending"), "without maxAgeMs, counted now");

        clock.advance(Duration.ofMinutes(2));
        JsonObject tooOld = http.get("/v1/stats?maxAgeMs=60000", VIEWER).json();
        assertEquals(2, tooOld.getJsonObject("jobs").getInt("pending"), "older than allowed: counted now");
        assertEquals("2026-01-01T00:02:00Z", tooOld.getString("countedAt"));
        assertEquals(400, http.get("/v1/stats?maxAgeMs=-1", VIEWER).status());
        assertEquals(400, http.get("/v1/stats?maxAgeMs=soon", VIEWER).status());
    }

    @Test
    void theWaitP95IsOverTheLatestClaims() {
        TestBot bot = runtime.registerBot("b", "t");
        for (int i = 0; i < 20; i++) {
            submit("type", "t");
            clock.advance(Duration.ofMillis(100));
        }
        // claimed at once: the first waited 2,000 ms, the last 100 ms
        bot.claimJobs(20, 0);
        JsonObject recent = http.get("/v1/stats/recent", TestRuntime.CLIENT).json();
        assertEquals(20, recent.getInt("waitsSeen"));
        assertEquals(1900, recent.getInt("waitP95Ms"), recent.toString());
    }

    @Test
    void aBotsSessionAgeStartsAgainWithEachSession() {
        TestBot bot = runtime.registerBot("b", "t");
        assertEquals("2026-01-01T00:00:00Z", http.get("/v1/bots/" + bot.id, VIEWER).json().getString("sessionStartedAt"));
        clock.advance(Duration.ofMinutes(7));
        assertEquals(201, bot.openSession().status());
        assertEquals("2026-01-01T00:07:00Z", http.get("/v1/bots/" + bot.id, VIEWER).json().getString("sessionStartedAt"));
        assertEquals(204, bot.deregister().status());
        assertTrue(http.get("/v1/bots/" + bot.id, VIEWER).json().isNull("sessionStartedAt"), "no session, no age");
    }

    @Test
    void theConsoleIsServedWithAStrictContentSecurityPolicy() {
        Http.Response bare = http.get("/console", null);
        assertEquals(301, bare.status());
        assertEquals("console/", bare.header("Location"), "relative, so a proxy's path prefix is kept");
        Http.Response index = http.get("/console/", null);
        assertEquals(200, index.status());
        assertTrue(index.contentType().startsWith("text/html"));
        assertTrue(index.body().contains("<script type=\"module\" src=\"app.js\">"));
        String csp = index.header("Content-Security-Policy");
        assertNotNull(csp);
        for (String rule : List.of("default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                "frame-ancestors 'none'", "base-uri 'none'")) {
            assertTrue(csp.contains(rule), rule + " in " + csp);
        }
        assertFalse(csp.contains("unsafe"), csp);
        assertEquals("nosniff", index.header("X-Content-Type-Options"));
        assertEquals("no-referrer", index.header("Referrer-Policy"));
        assertFalse(index.body().matches("(?s).*<script>.*|.*style=.*|.* on[a-z]+=.*"), "nothing inline for the CSP to refuse");

        Http.Response js = http.get("/console/views/jobs.js", null);
        assertEquals(200, js.status());
        assertTrue(js.contentType().startsWith("text/javascript"), js.contentType());
        Http.Response again = http.send(http.builder("/console/views/jobs.js", null).header("If-None-Match", js.header("ETag")));
        assertEquals(304, again.status());
        Http.Response zipped = http.send(http.builder("/console/console.css", null).header("Accept-Encoding", "gzip"));
        assertEquals("gzip", zipped.header("Content-Encoding"));

        for (String missing : List.of("/console/nope.js", "/console/../v1/jobs", "/console/app.js.map", "/console/.env")) {
            Http.Response r = http.get(missing, null);
            assertTrue(r.status() == 404 || r.status() == 401, missing + ": " + r);
            assertTrue(r.contentType().startsWith("application/problem+json"), missing + ": " + r);
        }
        Http.Response post = http.post("/console/", null, Http.obj());
        assertEquals(405, post.status());
        assertEquals("GET", post.header("Allow"));
    }
}
