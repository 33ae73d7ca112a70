package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

import io.shepherd.runtime.testing.ChildProcess;
import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestCluster;
import io.shepherd.runtime.testing.TestDatabase;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * The shipped alert rules ({@code alerts/shepherd-rules.yml}, unchanged) loaded into a real
 * Prometheus server (Debian's {@code prometheus}, as the test command installs it) that scrapes
 * real runtimes on PostgreSQL, the way {@code compose/prometheus.yml} does, only faster. Each
 * fault a rule is about is caused for real, and Prometheus's own API must show that rule pending
 * — and no rule that would send the operator the wrong way: a stopped or frozen database must
 * not look like a dead runtime.
 */
class AlertsInPrometheusTest {
    static final Path RULES = Path.of("..", "alerts", "shepherd-rules.yml").toAbsolutePath().normalize();
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void eachFaultMakesItsAlertPendingAndNoOtherOne() throws Exception {
        Path work = Files.createTempDirectory("shepherd-prometheus-");
        int portB = ChildProcess.freePort();
        String instanceB = "127.0.0.1:" + portB;
        try (TestCluster cluster = TestCluster.create();
             TestDatabase db = TestDatabase.existing(cluster.url());
             // A serves; B leads recovery (sweeps every second) until it is killed
             TestRuntime a = TestRuntime.start(db, Map.of("recovery.enabled", "false", "lease.ttl", "PT2S",
                     "heartbeat.interval", "PT1S", "health.interval", "PT1S", "metrics.interval", "PT1S",
                     "db.connect-timeout", "PT1S"));
             ChildProcess b = ChildProcess.serve(work.resolve("b"), cluster.url(), portB, Map.of(),
                     "recovery:", "  interval: PT1S", "health:", "  interval: PT1S", "metrics:", "  interval: PT1S");
             Prometheus prometheus = new Prometheus(work, List.of("127.0.0.1:" + a.port(), instanceB))) {
            Http http = a.http();
            b.awaitReady(new Http("http://" + instanceB), Duration.ofSeconds(90));
            String instanceA = "127.0.0.1:" + a.port();

            // healthy: both scraped, B leads, nothing pending
            prometheus.await("both runtimes scraped and B leading", Duration.ofSeconds(60),
                    p -> p.query("sum(up{job=\"shepherd\"})") == 2 && p.query("sum(shepherd_recovery_leader)") == 1);
            Thread.sleep(3000); // a few evaluations of every rule
            assertEquals(Set.of(), prometheus.pending(), "a healthy system raises nothing");

            // bots failing: every attempt of a bot fails
            TestBot bot = a.registerBot("flaky", "t");
            for (int i = 0; i < 6; i++) {
                http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t", "maxAttempts", 100));
                JsonObject held = bot.claimJobs(1, 5000).getFirst();
                bot.fail(held.getString("id"), held.getString("leaseToken"), "downstream refused", true);
            }
            prometheus.awaitPending("ShepherdBotFailureRateHigh");

            // a runtime killed: its instance is down, and with it the only recovery leader
            b.kill();
            prometheus.awaitPending("ShepherdRuntimeDown");
            assertEquals(Set.of(instanceB), prometheus.pendingInstances("ShepherdRuntimeDown"));
            prometheus.awaitPending("ShepherdNoRecoveryLeader");

            // orphans nobody rescues: a bot holds eleven jobs and goes silent; no replica sweeps
            http.post("/v1/jobs/batch", TestRuntime.CLIENT, batch(11));
            TestBot silent = a.registerBot("silent", "orphans");
            assertEquals(11, silent.claimJobs(11, 0).size());
            prometheus.awaitPending("ShepherdOrphanedJobs");
            prometheus.awaitPending("ShepherdRecoveryStalled");

            // the database stopped: the database alert, while A itself is still scraped
            cluster.stop();
            prometheus.awaitPending("ShepherdDatabaseUnreachable");
            assertEquals(Set.of(instanceA), prometheus.pendingInstances("ShepherdDatabaseUnreachable"));
            assertEquals(Set.of(instanceB), prometheus.pendingInstances("ShepherdRuntimeDown"),
                    "a stopped database does not make a live runtime look dead");
            assertEquals(1.0, prometheus.query("up{instance=\"" + instanceA + "\"}"));

            // back, then frozen (SIGSTOP: connections open, nothing answers): the same, within a minute
            cluster.start();
            prometheus.await("the database alert resolved", Duration.ofSeconds(60),
                    p -> !p.pending().contains("ShepherdDatabaseUnreachable"));
            cluster.freeze();
            try {
                prometheus.awaitPending("ShepherdDatabaseUnreachable");
                assertEquals(Set.of(instanceB), prometheus.pendingInstances("ShepherdRuntimeDown"),
                        "a hung database does not make a live runtime look dead");
                assertEquals(1.0, prometheus.query("up{instance=\"" + instanceA + "\"}"), "A is still scraped in time");
            } finally {
                cluster.thaw();
            }
        }
    }

    static JsonObject batch(int n) {
        var jobs = Json.createArrayBuilder();
        for (int i = 0; i < n; i++) {
            jobs.add(Json.createObjectBuilder().add("type", "orphans"));
        }
        return Json.createObjectBuilder().add("jobs", jobs).build();
    }

    /** A Prometheus server of the test's own, scraping and evaluating every second. */
    static final class Prometheus implements AutoCloseable {
        final Process process;
        final String base;
        final Path log;

        Prometheus(Path work, List<String> targets) throws Exception {
            int port = ChildProcess.freePort();
            base = "http://127.0.0.1:" + port;
            Path config = work.resolve("prometheus.yml");
            Files.writeString(config, String.join("\n",
                    "global:", "  scrape_interval: 1s", "  scrape_timeout: 900ms", "  evaluation_interval: 1s",
                    "rule_files:", "  - " + RULES,
                    "scrape_configs:", "  - job_name: shepherd", "    metrics_path: /metrics",
                    "    static_configs:", "      - targets: [" + String.join(", ", targets.stream()
                            .map(t -> "\"" + t + "\"").toList()) + "]", ""));
            log = work.resolve("prometheus.log");
            process = new ProcessBuilder("prometheus", "--config.file=" + config,
                    "--storage.tsdb.path=" + work.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            await("Prometheus ready", Duration.ofSeconds(30), p -> get("/-/ready").statusCode() == 200);
        }

        HttpResponse<String> get(String path) {
            try {
                return CLIENT.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** The value of an instant query that yields one series; NaN when it yields none. */
        double query(String promql) {
            JsonObject answer = json(get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).body());
            var result = answer.getJsonObject("data").getJsonArray("result");
            return result.isEmpty() ? Double.NaN
                    : Double.parseDouble(result.getJsonObject(0).getJsonArray("value").getString(1));
        }

        /** The names of the alerts pending or firing now. */
        Set<String> pending() {
            Set<String> names = new TreeSet<>();
            alerts().forEach(a -> names.add(a.getJsonObject("labels").getString("alertname")));
            return names;
        }

        /** The instances an alert is pending or firing for. */
        Set<String> pendingInstances(String alert) {
            Set<String> instances = new TreeSet<>();
            alerts().stream().filter(a -> alert.equals(a.getJsonObject("labels").getString("alertname")))
                    .forEach(a -> instances.add(a.getJsonObject("labels").getString("instance", "")));
            return instances;
        }

        List<JsonObject> alerts() {
            return json(get("/api/v1/alerts").body()).getJsonObject("data").getJsonArray("alerts")
                    .getValuesAs(JsonObject.class);
        }

        void awaitPending(String alert) throws InterruptedException {
            await(alert + " pending", Duration.ofSeconds(60), p -> p.pending().contains(alert));
        }

        void await(String what, Duration within, Predicate<Prometheus> condition) throws InterruptedException {
            long deadline = System.nanoTime() + within.toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    if (condition.test(this)) {
                        return;
                    }
                } catch (RuntimeException notYet) {
                    // not answering yet
                }
                Thread.sleep(250);
            }
            String alerts;
            try {
                alerts = alerts().toString();
            } catch (RuntimeException e) {
                alerts = e.toString();
            }
            String out;
            try {
                out = Files.readString(log);
            } catch (java.io.IOException e) {
                out = e.toString();
            }
            throw new AssertionError(what + ": not within " + within + "; alerts now " + alerts
                    + "\nPrometheus log tail:\n" + out.substring(Math.max(0, out.length() - 3000)));
        }

        static JsonObject json(String text) {
            try (var reader = Json.createReader(new StringReader(text))) {
                return reader.readObject();
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
