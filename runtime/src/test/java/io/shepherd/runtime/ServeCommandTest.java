package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.shepherd.runtime.auth.TokenFile;
import io.shepherd.runtime.cli.Main;
import io.shepherd.runtime.testing.ChildProcess;
import io.shepherd.runtime.testing.Http;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code serve} as a user runs it on a fresh machine: a child process on the embedded default,
 * tokens generated on first start, and the CLI using them from the data directory.
 */
class ServeCommandTest {
    Path workDir;

    @BeforeEach
    void makeWorkDir() throws Exception {
        workDir = Files.createTempDirectory("shepherd-serve-");
    }

    @AfterEach
    void removeWorkDir() {
        try (var walk = Files.walk(workDir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception ignored) {
            // temp dir
        }
    }

    @Test
    void serveOnEmbeddedH2GeneratesTokensThatTheCliUses() throws Exception {
        int port = ChildProcess.freePort();
        Path config = workDir.resolve("shepherd.yaml");
        Files.writeString(config, "server:\n  port: " + port + "\n  host: 127.0.0.1\nlease:\n  ttl: PT10S\n");
        Http http = new Http("http://127.0.0.1:" + port);
        try (ChildProcess serve = ChildProcess.start(workDir, Map.of(), "io.shepherd.runtime.cli.Main",
                "serve", "--config", config.toString())) {
            serve.awaitReady(http, Duration.ofSeconds(60));

            Path tokens = TokenFile.path(workDir.resolve("data"));
            assertTrue(Files.exists(tokens));
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                    Files.getPosixFilePermissions(tokens));
            assertTrue(Files.exists(workDir.resolve("data").resolve("shepherd.mv.db")), "embedded H2 under ./data");
            String admin = TokenFile.read(tokens).admin().getFirst();
            assertFalse(serve.output().contains(admin), "tokens are never logged");

            String[] remote = {"--url", http.base(), "--data-dir", workDir.resolve("data").toString()};
            Cli submit = cli(concat(new String[]{"submit", "--type", "echo", "--payload", "{\"hello\":\"world\"}"}, remote));
            assertEquals(0, submit.code, submit.err);
            assertTrue(submit.out.contains("\"hello\""), submit.out);
            assertTrue(submit.out.contains("\"pending\""), submit.out);

            Cli jobs = cli(concat(new String[]{"jobs", "--status", "pending"}, remote));
            assertEquals(0, jobs.code, jobs.err);
            assertTrue(jobs.out.contains("echo"), jobs.out);

            Cli bots = cli(concat(new String[]{"bots"}, remote));
            assertEquals(0, bots.code, bots.err);
            assertTrue(bots.out.contains("\"bots\""), bots.out);

            Cli health = cli(concat(new String[]{"health"}, remote));
            assertEquals(0, health.code, health.err);
            assertTrue(health.out.contains("healthy") && health.out.contains("pending"), health.out);

            Cli recover = cli(concat(new String[]{"recover"}, remote));
            assertEquals(0, recover.code, recover.err);
            assertTrue(recover.out.contains("\"requeued\"") && recover.out.contains("\"botsMarkedLost\""), recover.out);

            Cli resetUnknown = cli(concat(new String[]{"reset-bot", "no-such-bot"}, remote));
            assertEquals(1, resetUnknown.code);
            assertTrue(resetUnknown.err.contains("404"), resetUnknown.err);

            // the operator's levers on a bot enrolled with the generated enroll token
            Http.Response enrolled = http.post("/v1/bots", TokenFile.read(tokens).enroll().getFirst(),
                    Http.obj("name", "cli-bot", "types", java.util.List.of("echo"),
                            "labels", Http.obj("zone", "a")));
            String botId = enrolled.json().getJsonObject("bot").getString("id");
            Cli drain = cli(concat(new String[]{"drain", "--label", "zone=a"}, remote));
            assertEquals(0, drain.code, drain.err);
            assertTrue(drain.out.contains(botId), drain.out);
            Cli undrain = cli(concat(new String[]{"undrain", botId}, remote));
            assertEquals(0, undrain.code, undrain.err);
            assertTrue(undrain.out.contains("\"idle\""), undrain.out);
            Cli neither = cli(concat(new String[]{"drain"}, remote));
            assertEquals(2, neither.code, "a bot id or a label is required: " + neither.err);
            Cli revoke = cli(concat(new String[]{"revoke", botId}, remote));
            assertEquals(0, revoke.code, revoke.err);
            assertEquals("revoked", http.get("/v1/bots/" + botId, TokenFile.read(tokens).admin().getFirst()).json()
                    .getString("status"));

            // for people: tables, short ids, relative times; for scripts: one JSON document, exit codes
            String firstJob = http.get("/v1/jobs?limit=1", TokenFile.read(tokens).client().getFirst()).json()
                    .getJsonArray("jobs").getJsonObject(0).getString("id");
            Cli table = cli(concat(new String[]{"jobs", "-o", "table"}, remote));
            assertEquals(0, table.code, table.err);
            assertTrue(table.out.startsWith("ID") && table.out.contains("STATUS") && (table.out.contains("ago") || table.out.contains("just now")), table.out);
            assertTrue(table.out.contains(firstJob.substring(0, 8)) && !table.out.contains(firstJob), "short ids: " + table.out);
            Cli wide = cli(concat(new String[]{"jobs", "-o", "wide", "--since", "1h"}, remote));
            assertTrue(wide.out.contains("CORRELATION"), wide.out);
            Cli one = cli(concat(new String[]{"jobs", firstJob}, remote));
            assertEquals(0, one.code, one.err);
            JsonObject doc = Json.createReader(new java.io.StringReader(one.out)).readObject();
            assertEquals(firstJob, doc.getJsonObject("job").getString("id"), "one JSON document: job and events");
            assertTrue(doc.getJsonArray("events").size() >= 1, one.out);
            Cli timeline = cli(concat(new String[]{"jobs", firstJob, "-o", "table"}, remote));
            assertTrue(timeline.out.contains("EVENT") && timeline.out.contains("submitted"), timeline.out);
            Cli pause = cli(concat(new String[]{"pause", "default", "-o", "table"}, remote));
            assertEquals(0, pause.code, pause.err);
            assertTrue(pause.out.contains("paused"), pause.out);
            Cli queuesTable = cli(concat(new String[]{"queues", "-o", "table"}, remote));
            assertTrue(queuesTable.out.contains("QUEUE") && queuesTable.out.contains("default"), queuesTable.out);
            assertEquals(0, cli(concat(new String[]{"resume", "default"}, remote)).code);
            Cli cancelAll = cli(concat(new String[]{"cancel", "--type", "echo", "-o", "table"}, remote));
            assertEquals(0, cancelAll.code, cancelAll.err);
            assertTrue(cancelAll.out.startsWith("cancelled "), cancelAll.out);
            Cli retryAll = cli(concat(new String[]{"retry", "--status", "cancelled", "--since", "1h"}, remote));
            assertEquals(0, retryAll.code, retryAll.err);
            assertTrue(retryAll.out.contains("\"touched\""), retryAll.out);
            Cli events = cli(concat(new String[]{"events", "-n", "5", "-o", "table"}, remote));
            assertTrue(events.out.contains("retried"), events.out);
            assertEquals(0, cli(concat(new String[]{"schedules", "-o", "table"}, remote)).code);
            Cli stats = cli(concat(new String[]{"stats", "-o", "table"}, remote));
            assertTrue(stats.out.contains("pending"), stats.out);
            Cli badSince = cli(concat(new String[]{"jobs", "--since", "yesterday"}, remote));
            assertEquals(2, badSince.code, badSince.err);
            assertTrue(badSince.err.startsWith("shepherd jobs: expected a duration"), badSince.err);
            Cli unreachable = cli("jobs", "--url", "http://127.0.0.1:" + ChildProcess.freePort(), "--token", "x");
            assertEquals(3, unreachable.code, unreachable.err);
            assertTrue(unreachable.err.contains("cannot reach the runtime"), unreachable.err);
            // a live tail, as a process of its own: it prints what happens after it started
            try (ChildProcess tail = ChildProcess.start(workDir, Map.of(), "io.shepherd.runtime.cli.Main",
                    concat(new String[]{"events", "--follow", "-n", "1", "--interval-ms", "200", "-o", "json"}, remote))) {
                Thread.sleep(1500);
                String later = cli(concat(new String[]{"submit", "--type", "tail-me"}, remote)).out;
                String laterId = Json.createReader(new java.io.StringReader(later)).readObject().getString("id");
                tail.awaitOutput(laterId, Duration.ofSeconds(20));
                assertTrue(tail.alive(), "it goes on following");
            }
            Cli completion = cli("generate-completion");
            assertEquals(0, completion.code, completion.err);
            assertTrue(completion.out.contains("complete") && completion.out.contains("shepherd"), "a bash completion script");

            Cli bad = cli(concat(new String[]{"jobs", "no-such-id"}, remote));
            assertEquals(1, bad.code);
            assertTrue(bad.err.contains("404") && bad.err.startsWith("shepherd jobs: Not Found: No job"), bad.err);
            assertFalse(bad.err.contains("Exception"), "one readable line, not a stack trace: " + bad.err);

            int exit = serve.terminate(Duration.ofSeconds(20));
            assertTrue(exit == 0 || exit == 143, "exit after SIGTERM: " + exit);
            assertTrue(serve.output().contains("Shepherd stopped"), serve.output());
        }
    }

    @Test
    void jsonLogLinesCarryTheJobsAndTheRequestsCorrelationIds() throws Exception {
        int port = ChildProcess.freePort();
        Path config = workDir.resolve("shepherd.yaml");
        Files.writeString(config, "server:\n  port: " + port + "\n  host: 127.0.0.1\nauth:\n  admin-tokens: a\n"
                + "  client-tokens: c\n  enroll-tokens: e\n");
        Http http = new Http("http://127.0.0.1:" + port);
        try (ChildProcess serve = ChildProcess.start(workDir, Map.of(), "io.shepherd.runtime.cli.Main",
                "serve", "--config", config.toString())) {
            serve.awaitReady(http, Duration.ofSeconds(60));
            String job = http.post("/v1/jobs", "c", Http.obj("type", "t")).json().getString("id");
            // a refused completion is logged (INFO) while handling the request
            Http.Response refused = http.send(http.builder("/v1/jobs/" + job + "/complete", "a")
                    .header("X-Correlation-ID", "trace-4711")
                    .header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"leaseToken\": \"stale\"}")));
            assertEquals(409, refused.status());
            assertEquals("trace-4711", refused.header("X-Correlation-ID"));
            Thread.sleep(300);
            jakarta.json.JsonObject line = null;
            for (String l : serve.output().split("\n")) {
                if (l.startsWith("{")) {
                    jakarta.json.JsonObject json = jakarta.json.Json.createReader(new java.io.StringReader(l)).readObject();
                    for (String field : List.of("time", "level", "logger", "message")) {
                        assertTrue(json.containsKey(field), field + " in " + l);
                    }
                    // a line about a job carries the job's own id as correlationId, the request's as requestId
                    if ("trace-4711".equals(json.getString("requestId", null))) {
                        line = json;
                    }
                }
            }
            assertTrue(line != null, "a JSON log line with the request's correlation id:\n" + serve.output());
            assertTrue(line.getString("message").contains("Job " + job + " refused (stale-lease:complete)"), line.toString());
            assertEquals("INFO", line.getString("level"));
            assertEquals(job, line.getString("jobId"));
            assertEquals("refused", line.getString("kind"));
            String submittedWith = http.get("/v1/jobs/" + job, "c").json().getString("correlationId");
            assertEquals(submittedWith, line.getString("correlationId"), "the job's own id, from its submission");
        }
    }

    @Test
    void badConfigFailsAtStartWithAClearMessage() throws Exception {
        Path config = workDir.resolve("bad.yaml");
        Files.writeString(config, "lease:\n  ttl: thirty seconds\n");
        try (ChildProcess serve = ChildProcess.start(workDir, Map.of(), "io.shepherd.runtime.cli.Main",
                "serve", "--config", config.toString())) {
            assertTrue(serve.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(serve.process().exitValue() != 0);
            assertTrue(serve.output().contains("lease.ttl must be an ISO-8601 duration"), serve.output());
        }
    }

    @Test
    void aPortAlreadyTakenStopsTheProcessWithAnError() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            Path config = workDir.resolve("taken.yaml");
            Files.writeString(config, "server:\n  port: " + taken.getLocalPort() + "\n  host: 127.0.0.1\n");
            try (ChildProcess serve = ChildProcess.start(workDir, Map.of(), "io.shepherd.runtime.cli.Main",
                    "serve", "--config", config.toString())) {
                assertTrue(serve.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS),
                        "the process ends instead of running without a listener:\n" + serve.output());
                assertTrue(serve.process().exitValue() != 0);
                assertTrue(serve.output().contains("is port " + taken.getLocalPort() + " taken?"), serve.output());
            }
        }
    }

    record Cli(int code, String out, String err) {
    }

    static Cli cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        try {
            int code = Main.commandLine().execute(args);
            return new Cli(code, out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
