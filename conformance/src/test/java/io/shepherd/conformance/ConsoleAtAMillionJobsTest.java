package io.shepherd.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.testing.ChildProcess;
import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestDatabase;
import io.shepherd.runtime.testing.TestRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The console's weight and its time to the first useful paint on a table of a million jobs (and
 * an hour of events), in Chromium against a runtime process on PostgreSQL: each page loaded cold
 * (browser cache cleared), timed from navigation start to the moment its data is drawn, with the
 * bytes it moved. Not part of the default run (it writes a million rows first, ~1 min):
 * {@code mvn -B verify -pl conformance -am -Dtest=ConsoleAtAMillionJobsTest -Dconsole.million=true
 * -Dsurefire.failIfNoSpecifiedTests=false}. The README's figures come from it.
 */
@EnabledIfSystemProperty(named = "console.million", matches = "true")
@Isolated // a million rows and a browser: never beside a timed scenario (see junit-platform.properties)
class ConsoleAtAMillionJobsTest {
    static final int JOBS = Integer.getInteger("console.jobs", 1_000_000);

    @Test
    void pagesWeighLittleAndDrawTheirDataQuicklyOnAMillionJobs() throws Exception {
        try (Stack stack = new Stack()) {
            int port = ChildProcess.freePort();
            Http http = Stack.http(port);
            stack.runtime("rt", port, Map.of()).awaitReady(http, Duration.ofSeconds(60));
            long filled = fill(stack.db);
            System.out.printf("filled %,d jobs in %d ms%n", JOBS, filled);

            List<String> lines = new ArrayList<>();
            lines.add("| page | first contentful paint | data drawn | transferred (gzip) | of which the console's files | API answers |");
            lines.add("| --- | --- | --- | --- | --- | --- |");
            try (Browser browser = new Browser(1280, 900)) {
                browser.open(http.base() + "/console/");
                ConsoleTest.signIn(browser, TestRuntime.ADMIN);
                browser.await("signed in", ConsoleTest.UI, d -> !browser.text("#role").isEmpty());
                for (String[] page : List.of(
                        new String[] {"Overview", "#/", "shepherd:overview-rendered"},
                        new String[] {"Jobs, newest first", "#/jobs", "shepherd:jobs-rendered"},
                        new String[] {"Jobs, dead only", "#/jobs?status=dead", "shepherd:jobs-rendered"},
                        new String[] {"Jobs of one type", "#/jobs?type=report", "shepherd:jobs-rendered"})) {
                    for (int run = 0; run < 3; run++) { // the first run warms the runtime's code; the last is kept
                        browser.driver.executeCdpCommand("Network.clearBrowserCache", Map.of());
                        // a new document each time, from a page of the same origin (the token stays in the tab,
                        // and no new renderer process is started, which about:blank would cost)
                        browser.open(http.base() + "/console/icon.svg");
                        browser.open(http.base() + "/console/" + page[1]);
                        browser.await(page[0] + " drawn", Duration.ofSeconds(60),
                                d -> (Boolean) browser.js("return performance.getEntriesByName(arguments[0]).length > 0", page[2]));
                        @SuppressWarnings("unchecked")
                        Map<String, Object> m = (Map<String, Object>) browser.js(
                                "const nav = performance.getEntriesByType('navigation')[0];"
                                + "const res = performance.getEntriesByType('resource');"
                                + "const fcp = performance.getEntriesByName('first-contentful-paint')[0];"
                                + "const api = res.filter(r => new URL(r.name).pathname.includes('/v1/') || new URL(r.name).pathname.includes('/healthz'));"
                                + "const files = res.filter(r => !api.includes(r));"
                                + "const sum = (xs) => xs.reduce((a, r) => a + r.transferSize, 0);"
                                + "return {fcp: fcp ? fcp.startTime : -1, drawn: performance.getEntriesByName(arguments[0])[0].startTime,"
                                + " total: nav.transferSize + sum(res), files: nav.transferSize + sum(files), api: sum(api), apiCalls: api.length};",
                                page[2]);
                        if (run == 2) {
                            lines.add(String.format("| %s | %.0f ms | %.0f ms | %.1f kB | %.1f kB | %.1f kB in %s calls |", page[0],
                                    num(m.get("fcp")), num(m.get("drawn")), num(m.get("total")) / 1024, num(m.get("files")) / 1024,
                                    num(m.get("api")) / 1024, m.get("apiCalls")));
                            assertTrue(num(m.get("drawn")) < 10_000, page[0] + " drawn within 10 s: " + m);
                        }
                    }
                }
            }
            lines.add("");
            for (String call : List.of("/v1/jobs?order=desc&limit=50", "/v1/jobs?order=desc&limit=50&status=dead",
                    "/v1/jobs?order=desc&limit=50&type=report", "/v1/stats", "/v1/stats?maxAgeMs=10000", "/v1/stats/recent")) {
                long best = Long.MAX_VALUE;
                for (int i = 0; i < 5; i++) {
                    long t0 = System.nanoTime();
                    Http.Response r = http.get(call, TestRuntime.ADMIN);
                    assertTrue(r.status() == 200, r.toString());
                    best = Math.min(best, System.nanoTime() - t0);
                    Thread.sleep(2100); // past the recent figures' reuse
                }
                lines.add(String.format("GET %s: %.1f ms (best of 5)", call, best / 1e6));
            }
            System.out.println("Console on " + String.format("%,d", JOBS) + " jobs:\n" + String.join("\n", lines));
        }
    }

    private static double num(Object o) {
        return ((Number) o).doubleValue();
    }

    /**
     * A million jobs over the last 30 days, mostly completed, some dead, pending and claimed, of
     * three types; and an hour of events (a job a second submitted, claimed and completed).
     */
    private static long fill(TestDatabase db) throws Exception {
        long t0 = System.nanoTime();
        try (Connection c = DriverManager.getConnection(db.url(), TestDatabase.PG_USER, "");
             Statement s = c.createStatement()) {
            long now = System.currentTimeMillis();
            s.execute("INSERT INTO jobs (id, type, queue, payload, priority, status, attempt, max_attempts, run_at, "
                    + "created_at, updated_at, last_error) SELECT gen_random_uuid()::text, "
                    + "(ARRAY['echo', 'report', 'mail'])[1 + i % 3], 'default', '{\"n\": 1}', 0, "
                    + "CASE WHEN i % 1000 = 0 THEN 'dead' WHEN i % 997 = 0 THEN 'pending' ELSE 'completed' END, 1, 5, "
                    + "c, c, c + 50, CASE WHEN i % 1000 = 0 THEN 'java.lang.IllegalStateException: boom' END "
                    + "FROM (SELECT i, " + now + " - (" + JOBS + " - i) * (2592000000 / " + JOBS + ") AS c "
                    + "FROM generate_series(1, " + JOBS + ") AS i) AS g");
            s.execute("INSERT INTO job_events (job_id, at, kind, reason, bot_id, attempt) SELECT id, at, kind, NULL, NULL, 1 "
                    + "FROM (SELECT gen_random_uuid()::text AS id, " + now + " - i * 1000 AS at FROM generate_series(1, 3600) AS i) AS j "
                    + "CROSS JOIN (VALUES ('submitted'), ('claimed'), ('completed')) AS k(kind)");
            s.execute("ANALYZE jobs");
            s.execute("ANALYZE job_events");
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
