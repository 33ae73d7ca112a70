package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** Every series of API.md moves — submit, claim, complete, fail, dead, orphan — and is read back from /metrics. */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"postgres"})
class MetricsTest extends ApiTestBase {
    @Override
    Map<String, String> overrides() {
        return Map.of("lease.ttl", "PT2S", "heartbeat.interval", "PT1S", "recovery.interval", "PT1S",
                "metrics.interval", "PT1S", "metrics.finished-interval", "PT1S", "health.interval", "PT1S");
    }

    /** Series name with labels → value, as Prometheus would read them (scope label dropped). */
    static Map<String, Double> scrape(Http http) {
        Http.Response r = http.get("/metrics", null);
        assertEquals(200, r.status());
        assertTrue(r.contentType().startsWith("text/plain"), r.contentType());
        return parse(r.body());
    }

    /** A Prometheus text exposition as series name with labels → value (scope label dropped). */
    static Map<String, Double> parse(String text) {
        Map<String, Double> series = new LinkedHashMap<>();
        Pattern line = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?\\s+(\\S+)$");
        for (String l : text.split("\n")) {
            Matcher m = line.matcher(l.trim());
            if (!l.startsWith("#") && m.matches()) {
                String labels = m.group(2) == null ? "" : m.group(2)
                        .replaceAll("scope=\"[^\"]*\",?", "").replace(",}", "}").replace("{}", "");
                series.put(m.group(1) + labels, Double.parseDouble(m.group(3)));
            }
        }
        return series;
    }

    @Test
    void everySeriesMovesAndIsExported() throws Exception {
        Map<String, Double> before = scrape(http);
        // submit and complete
        String a = submit("type", "t").getString("id");
        TestBot bot = runtime.registerBot("b", "t");
        JsonObject held = bot.claimJobs(1, 0).getFirst();
        bot.complete(a, held.getString("leaseToken"), null);
        // fail (retried), then fail for good
        String b = submit("type", "t", "maxAttempts", 2).getString("id");
        held = bot.claimJobs(1, 0).getFirst();
        bot.fail(b, held.getString("leaseToken"), "boom", true);
        held = bot.claimJobs(1, 5000).getFirst();
        bot.fail(b, held.getString("leaseToken"), "boom", false);
        // orphan: a silent bot's lease runs out and the sweep rescues it
        String c = submit("type", "t").getString("id");
        TestBot silent = runtime.registerBot("silent", "t");
        silent.claimJobs(1, 0);
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!"pending".equals(row(c).get("status")) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Thread.sleep(2500); // the database's figures and the health checks are read every second in the background

        Map<String, Double> after = scrape(http);
        for (String counter : new String[]{"shepherd_jobs_submitted_total", "shepherd_jobs_completed_total",
                "shepherd_jobs_failed_total", "shepherd_jobs_dead_total", "shepherd_recovery_sweeps_total",
                "shepherd_orphaned_jobs_total{reason=\"lease-expired\"}", "shepherd_claim_latency_seconds_count",
                "shepherd_job_wait_seconds_count"}) {
            assertTrue(after.getOrDefault(counter, 0.0) > before.getOrDefault(counter, 0.0),
                    counter + " moved: " + before.get(counter) + " -> " + after.get(counter));
        }
        assertEquals(3.0, after.get("shepherd_jobs_submitted_total") - before.getOrDefault("shepherd_jobs_submitted_total", 0.0));
        assertEquals(1.0, after.get("shepherd_jobs{status=\"pending\"}"));
        assertEquals(1.0, after.get("shepherd_jobs{status=\"completed\"}"));
        assertEquals(1.0, after.get("shepherd_jobs{status=\"dead\"}"));
        assertEquals(0.0, after.get("shepherd_jobs{status=\"claimed\"}"));
        assertEquals(0.0, after.get("shepherd_jobs{status=\"cancelled\"}"));
        assertTrue(after.containsKey("shepherd_bots{status=\"idle\"}"), after.keySet().toString());
        assertTrue(after.containsKey("shepherd_bots{status=\"lost\"}"));
        assertTrue(after.get("shepherd_bot_failure_rate") > 0, "failure rate " + after.get("shepherd_bot_failure_rate"));
        assertEquals(0.0, after.get("shepherd_orphaned_jobs"), "rescued, so none orphaned now");
        assertEquals(1.0, after.get("shepherd_recovery_leader"));
        assertTrue(after.get("shepherd_recovery_last_sweep_timestamp_seconds") > 1.7e9);
        assertEquals(1.0, after.get("shepherd_health_check_up{check=\"database\"}"));
        assertEquals(1.0, after.get("shepherd_health_check_up{check=\"job-claim\"}"));
        assertTrue(after.get("shepherd_health_check_age_seconds{check=\"database\"}") < 2.5, "checked in the background");
        for (String figure : new String[]{"jobs", "finished_jobs", "bots", "orphans", "failure_rate", "last_sweep"}) {
            assertTrue(after.get("shepherd_figure_age_seconds{figure=\"" + figure + "\"}") < 2.5, figure + " read lately");
        }
        assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("shepherd_claim_latency_seconds_bucket")));
        assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("shepherd_job_wait_seconds_bucket")));
        assertTrue(after.keySet().stream().noneMatch(k -> k.contains(bot.id) || k.contains(a)), "no ids in labels");
        assertEquals(200, http.get("/observe/metrics", null).status());
    }
}
