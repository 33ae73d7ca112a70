package io.shepherd.conformance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.testing.ChildProcess;
import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestDatabase;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;

/** Real processes for end-to-end tests: runtimes ({@code serve}, child JVMs) and echo bots of either language. */
final class Stack implements AutoCloseable {
    final Path dir;
    final TestDatabase db;
    private final List<ChildProcess> processes = new ArrayList<>();
    private final Map<ChildProcess, BotLanguage> bots = new java.util.LinkedHashMap<>();

    Stack() throws Exception {
        this.dir = Files.createTempDirectory("shepherd-e2e-");
        this.db = TestDatabase.create("postgres");
    }

    /** A runtime process on a free port, ready; an HTTP client for it. */
    Http readyRuntime(String name, String... extraYaml) throws Exception {
        int port = ChildProcess.freePort();
        Http http = http(port);
        runtime(name, port, extraYaml).awaitReady(http, Duration.ofSeconds(60));
        return http;
    }

    /** A runtime process on the given port; returns an HTTP client for it (not yet ready). */
    ChildProcess runtime(String name, int port, String... extraYaml) throws Exception {
        return runtime(name, port, Map.of(), extraYaml);
    }

    /** A runtime process with extra environment (log format and levels, say). */
    ChildProcess runtime(String name, int port, Map<String, String> env, String... extraYaml) throws Exception {
        ChildProcess process = ChildProcess.serve(dir.resolve(name), db.url(), port, env, extraYaml);
        processes.add(process);
        return process;
    }

    /** An echo bot process of the language, keeping its identity in {@code dir/bot-stateName/state}. */
    ChildProcess echoBot(BotLanguage language, String stateName, String urls, Map<String, String> extraEnv)
            throws Exception {
        Path home = Files.createDirectories(dir.resolve("bot-" + stateName));
        Map<String, String> env = new HashMap<>(Map.of(
                "SHEPHERD_URL", urls,
                "SHEPHERD_ENROLL_TOKEN", TestRuntime.ENROLL,
                "BOT_NAME", "echo-" + stateName,
                "BOT_STATE_DIR", home.resolve("state").toString()));
        env.putAll(language.handlerDebug()); // its handler logs "Echoing job {id}" as it starts
        env.putAll(extraEnv);
        ChildProcess process = language.start(home, env);
        processes.add(process);
        bots.put(process, language);
        return process;
    }

    static Http http(int port) {
        return new Http("http://127.0.0.1:" + port);
    }

    static String submit(Http http, JsonObject payload) {
        Http.Response r = http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "echo", "payload", payload));
        if (r.status() != 201) {
            throw new AssertionError("submit failed: " + r);
        }
        return r.json().getString("id");
    }

    static JsonObject job(Http http, String id) {
        return http.get("/v1/jobs/" + id, TestRuntime.CLIENT).json();
    }

    static List<String> events(Http http, String id) {
        return http.get("/v1/jobs/" + id + "/events", TestRuntime.CLIENT).json().getJsonArray("events")
                .getValuesAs(JsonObject.class).stream().map(e -> e.getString("kind") + "/" + e.getString("reason")).toList();
    }

    /** Polls until the job has the status, or fails with what it has. */
    static JsonObject awaitStatus(Http http, String id, String status, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonObject job = null;
        while (System.nanoTime() < deadline) {
            try {
                job = job(http, id);
                if (status.equals(job.getString("status"))) {
                    return job;
                }
            } catch (RuntimeException notReachable) {
                // the runtime may be restarting
            }
            Thread.sleep(50);
        }
        throw new AssertionError("job " + id + " not " + status + " within " + timeout + ": " + job);
    }

    /** Stops every process, then fails if a bot's output shows trouble (an uncaught exception, a leak). */
    @Override
    public void close() throws Exception {
        for (ChildProcess p : processes) {
            p.close();
        }
        List<String> troubles = new ArrayList<>();
        bots.forEach((process, language) -> language.troublesIn(process.output())
                .forEach(t -> troubles.add(language + " bot: " + t + "\n--- its output:\n" + process.output())));
        db.close();
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        if (!troubles.isEmpty()) {
            throw new AssertionError(String.join("\n", troubles));
        }
    }
}
