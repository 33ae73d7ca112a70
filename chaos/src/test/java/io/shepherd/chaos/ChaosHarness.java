package io.shepherd.chaos;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;

import io.shepherd.runtime.testing.ChildProcess;
import io.shepherd.runtime.testing.EchoBots;
import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestCluster;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;

/**
 * Real processes to break: a private PostgreSQL cluster, runtime replicas ({@code serve}) on it,
 * and echo bots pointed at every replica. Faults are injected with real signals; what happened is
 * read from the database afterwards.
 */
final class ChaosHarness implements AutoCloseable {
    static final String LEASE = "PT4S";
    static final Duration LEASE_TTL = Duration.ofSeconds(4);

    final Path dir;
    final TestCluster cluster;
    final String dbUrl;
    final List<Replica> replicas = new ArrayList<>();
    final List<BotProcess> bots = new ArrayList<>();
    final Map<String, List<Long>> recoveries = new LinkedHashMap<>();
    final List<String> faults = new ArrayList<>();
    private final Random random = new Random(42);
    private final long startedAt = System.nanoTime();

    /** One runtime replica: a fixed port, so a restart comes back at the same address. */
    final class Replica {
        final String name;
        final int port;
        final Http http;
        ChildProcess process;

        Replica(String name, int port) {
            this.name = name;
            this.port = port;
            this.http = new Http("http://127.0.0.1:" + port);
        }

        void start() throws Exception {
            process = ChildProcess.serve(dir.resolve(name), dbUrl, port, Map.of(),
                    "db:", "  connect-timeout: PT1S",
                    "lease:", "  ttl: " + LEASE,
                    "heartbeat:", "  interval: PT1S",
                    "recovery:", "  interval: PT1S",
                    "bots:", "  lost-after: PT10S",
                    "policies:", "  default:", "    max-attempts: 1000", "  quarantine:", "    consecutive-failures: 0");
        }

        boolean alive() {
            return process != null && process.alive();
        }

        boolean ready() {
            try {
                return alive() && http.get("/ready", null).status() == 200;
            } catch (RuntimeException e) {
                return false;
            }
        }

        boolean leads() {
            try {
                return alive() && http.get("/v1/admin/recovery", TestRuntime.ADMIN).json().getBoolean("leader");
            } catch (RuntimeException e) {
                return false;
            }
        }
    }

    /** One echo bot, Java or Python, keeping its identity in its own state directory. */
    final class BotProcess {
        final String name;
        final Path home;
        final boolean python;
        ChildProcess process;

        BotProcess(String name, boolean python) {
            this.name = name;
            this.home = dir.resolve("bot-" + name);
            this.python = python;
        }

        void start() throws Exception {
            Files.createDirectories(home);
            Map<String, String> env = new HashMap<>();
            env.put("SHEPHERD_URL", String.join(",", replicas.stream().map(r -> r.http.base()).toList()));
            env.put("SHEPHERD_ENROLL_TOKEN", TestRuntime.ENROLL);
            env.put("BOT_NAME", name);
            env.put("BOT_STATE_DIR", home.resolve("state").toString());
            env.put("BOT_CONCURRENCY", "3");
            env.put("BOT_SHUTDOWN_GRACE_MS", "5000");
            process = python ? EchoBots.python(home, env) : EchoBots.java(home, env);
        }

        String botId() throws Exception {
            Path file = home.resolve("state").resolve("bot.json");
            try (var reader = Json.createReader(new StringReader(Files.readString(file)))) {
                return reader.readObject().getString("id");
            }
        }
    }

    ChaosHarness(int replicaCount, int botCount) throws Exception {
        this.dir = Files.createTempDirectory("shepherd-chaos-");
        this.cluster = TestCluster.create();
        try (Connection c = DriverManager.getConnection(cluster.url()); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE shepherd");
        }
        this.dbUrl = cluster.url().replace("/postgres?", "/shepherd?");
        for (int i = 0; i < replicaCount; i++) {
            replicas.add(new Replica("replica-" + i, ChildProcess.freePort()));
        }
        // a mixed fleet: bots 1 and 2 of every four are Python (the one killed for good and the
        // zombie, in the test's order), the others Java
        for (int i = 0; i < botCount; i++) {
            bots.add(new BotProcess("bot-" + i, i % 4 == 1 || i % 4 == 2));
        }
    }

    long elapsedMs() {
        return (System.nanoTime() - startedAt) / 1_000_000;
    }

    void log(String what) {
        String line = String.format("[chaos %6.1f s] %s", elapsedMs() / 1000.0, what);
        faults.add(line);
        System.out.println(line);
    }

    void record(String fault, long millis) {
        recoveries.computeIfAbsent(fault, k -> new ArrayList<>()).add(millis);
        log(fault + ": recovered in " + millis + " ms");
    }

    /** Any replica that is ready now. */
    Replica anyReady() {
        for (Replica r : replicas) {
            if (r.ready()) {
                return r;
            }
        }
        return null;
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            Thread.sleep(100);
        }
    }

    /** Submits jobs in batches to ready replicas; durations vary from 0 to maxSleepMs. */
    List<String> submit(int count, int maxSleepMs) throws InterruptedException {
        List<String> ids = new ArrayList<>();
        while (ids.size() < count) {
            int n = Math.min(500, count - ids.size());
            JsonArrayBuilder jobs = Json.createArrayBuilder();
            for (int i = 0; i < n; i++) {
                jobs.add(Json.createObjectBuilder().add("type", "echo")
                        .add("payload", Json.createObjectBuilder().add("sleepMs", random.nextInt(maxSleepMs + 1))));
            }
            JsonObject body = Json.createObjectBuilder().add("jobs", jobs).build();
            Replica target = anyReady();
            if (target == null) {
                Thread.sleep(200);
                continue;
            }
            Http.Response r;
            try {
                r = target.http.post("/v1/jobs/batch", TestRuntime.CLIENT, body);
            } catch (RuntimeException e) {
                continue;
            }
            if (r.status() == 201) {
                r.json().getJsonArray("jobs").getValuesAs(JsonObject.class).forEach(j -> ids.add(j.getString("id")));
            }
        }
        return ids;
    }

    /** Jobs a bot holds now, read from the database. */
    Set<String> heldBy(String botId) throws Exception {
        return Set.copyOf(query("SELECT id FROM jobs WHERE claimed_by = ? AND status = 'claimed'", botId));
    }

    List<String> query(String sql, Object... params) throws Exception {
        try (Connection c = DriverManager.getConnection(dbUrl); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }

    long count(String sql, Object... params) throws Exception {
        return Long.parseLong(query(sql, params).getFirst());
    }

    /** Waits until none of these jobs is held by this bot any more: each was taken back and claimed or finished. */
    long awaitTakenBack(String botId, Set<String> jobs, Duration timeout) throws Exception {
        long start = System.nanoTime();
        await("jobs of " + botId + " taken back", timeout, () -> {
            try {
                if (jobs.isEmpty()) {
                    return true;
                }
                String in = String.join(",", jobs.stream().map(j -> "'" + j + "'").toList());
                return count("SELECT COUNT(*) FROM jobs WHERE id IN (" + in + ") AND claimed_by = ? AND status = 'claimed'",
                        botId) == 0;
            } catch (Exception e) {
                return false;
            }
        });
        return (System.nanoTime() - start) / 1_000_000;
    }

    /**
     * What the database and the processes say when a wait timed out: jobs not completed by
     * status and holder, the bots, the first stuck jobs' events, and the tail of every log.
     */
    String diagnose() {
        StringBuilder sb = new StringBuilder("Diagnosis\n");
        try {
            sb.append("  unfinished jobs by status, holder, lease: ")
                    .append(rows("SELECT status || ' ' || COALESCE(claimed_by, '-') || ' ' || COALESCE(claim_session, '-') "
                            + "|| ' lease ' || COALESCE(CAST(lease_expires_at AS VARCHAR), '-') || ' x' || COUNT(*) FROM jobs "
                            + "WHERE status <> 'completed' GROUP BY status, claimed_by, claim_session, lease_expires_at"))
                    .append('\n');
            sb.append("  bots: ").append(rows("SELECT id || ' ' || name || ' ' || status || ' ' || COALESCE(session, '-') "
                    + "|| ' hb ' || CAST(last_heartbeat_at AS VARCHAR) FROM bots")).append('\n');
            sb.append("  now (ms): ").append(System.currentTimeMillis()).append('\n');
            for (String id : query("SELECT id FROM jobs WHERE status <> 'completed' ORDER BY id LIMIT 3")) {
                sb.append("  events of ").append(id).append(": ")
                        .append(rows("SELECT kind || '/' || COALESCE(reason, '-') || ' ' || COALESCE(bot_id, '-') || ' @' "
                                + "|| CAST(at AS VARCHAR) FROM job_events WHERE job_id = ? ORDER BY id", id)).append('\n');
            }
        } catch (Exception e) {
            sb.append("  (database unreadable: ").append(e).append(")\n");
        }
        for (BotProcess b : bots) {
            sb.append(tail("bot " + b.name, b.process));
        }
        for (Replica r : replicas) {
            sb.append(tail("replica " + r.name, r.process));
        }
        return sb.toString();
    }

    private String rows(String sql, Object... params) throws Exception {
        return String.join(" | ", query(sql, params));
    }

    private static String tail(String who, ChildProcess process) {
        if (process == null) {
            return "";
        }
        List<String> lines = process.output().lines().toList();
        return "  --- last lines of " + who + " ---\n    "
                + String.join("\n    ", lines.subList(Math.max(0, lines.size() - 40), lines.size())) + "\n";
    }

    String report() {
        StringBuilder sb = new StringBuilder("Chaos report\n");
        recoveries.forEach((fault, times) -> {
            List<Long> sorted = new ArrayList<>(times);
            sorted.sort(null);
            sb.append(String.format("  %-46s n=%d  median %5d ms  max %5d ms%n", fault, sorted.size(),
                    sorted.get(sorted.size() / 2), sorted.getLast()));
        });
        return sb.toString();
    }

    @Override
    public void close() throws Exception {
        for (BotProcess b : bots) {
            if (b.process != null) {
                if (b.process.alive()) {
                    b.process.signal("CONT");
                }
                b.process.close();
            }
        }
        for (Replica r : replicas) {
            if (r.process != null) {
                r.process.close();
            }
        }
        cluster.close();
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
