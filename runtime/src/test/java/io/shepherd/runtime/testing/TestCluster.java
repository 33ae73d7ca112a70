package io.shepherd.runtime.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of the test's own, on a free port, which the test may stop and start
 * like an operator would (pg_ctl run as the postgres user; PostgreSQL's tools refuse root).
 */
public final class TestCluster implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final Path bin;
    /** Server settings beyond the test defaults, as {@code -c name=value} options. */
    private final String settings;

    private TestCluster(Path dir, int port, Path bin, String settings) {
        this.dir = dir;
        this.port = port;
        this.bin = bin;
        this.settings = settings;
    }

    public static TestCluster create() throws Exception {
        return create(List.of());
    }

    /** A cluster started with these server settings too ({@code name=value}, e.g. {@code shared_preload_libraries=pg_stat_statements}). */
    public static TestCluster create(List<String> settings) throws Exception {
        Path bin;
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            bin = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.naturalOrder())
                    .orElseThrow(() -> new IllegalStateException("no pg_ctl under /usr/lib/postgresql"));
        }
        Path dir = Files.createTempDirectory("shepherd-pg-");
        run("chown", "-R", "postgres:postgres", dir.toString());
        run("runuser", "-u", "postgres", "--", bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(),
                "-A", "trust", "-U", "postgres", "--no-sync");
        StringBuilder options = new StringBuilder();
        settings.forEach(setting -> options.append(" -c ").append(setting));
        TestCluster cluster = new TestCluster(dir, ChildProcess.freePort(), bin, options.toString());
        cluster.start();
        return cluster;
    }

    /**
     * A streaming read replica of this cluster (pg_basebackup -R), started on a free port of its
     * own; close it before the primary.
     */
    public TestCluster replica() throws Exception {
        Path replicaDir = Files.createTempDirectory("shepherd-pg-replica-");
        run("chown", "-R", "postgres:postgres", replicaDir.toString());
        run("runuser", "-u", "postgres", "--", bin.resolve("pg_basebackup").toString(), "-h", "127.0.0.1",
                "-p", Integer.toString(port), "-U", "postgres", "-D", replicaDir.resolve("data").toString(),
                "-R", "-X", "stream", "-c", "fast");
        TestCluster replica = new TestCluster(replicaDir, ChildProcess.freePort(), bin, settings);
        replica.start();
        return replica;
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    /** The postmaster's process id (from {@code postmaster.pid}); the cluster must be running. */
    public long pid() throws IOException {
        return Long.parseLong(Files.readAllLines(dir.resolve("data").resolve("postmaster.pid")).getFirst().trim());
    }

    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    public void start() throws Exception {
        run("runuser", "-u", "postgres", "--", bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
                "-l", dir.resolve("log").toString(), "-w", "-t", "60",
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off" + settings, "start");
    }

    /** A fast shutdown: connections are cut, as in a crash or failover of the database. */
    public void stop() throws Exception {
        run("runuser", "-u", "postgres", "--", bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
                "-m", "fast", "-w", "-t", "60", "stop");
    }

    /**
     * Freezes every process of the cluster (SIGSTOP to the postmaster and its children): to the
     * runtime the database hangs — connections stay open, nothing answers. {@link #thaw()} ends it.
     */
    public void freeze() throws Exception {
        signal("STOP");
    }

    public void thaw() throws Exception {
        signal("CONT");
    }

    /**
     * Signals the postmaster and every process it forked. The postmaster goes first: stopped, it
     * forks no backend after its children were listed (one forked in between — a pool
     * reconnecting — would go on serving, and the freeze would not be one).
     */
    private void signal(String signal) throws Exception {
        long postmaster = Long.parseLong(Files.readAllLines(dir.resolve("data").resolve("postmaster.pid")).getFirst().trim());
        run("kill", "-" + signal, Long.toString(postmaster));
        List<String> children = new ArrayList<>(List.of("kill", "-" + signal));
        ProcessHandle.of(postmaster).orElseThrow().descendants().forEach(p -> children.add(Long.toString(p.pid())));
        if (children.size() > 2) {
            // a child that exited after it was listed is no failure ("No such process"); kill signals the rest
            Process p = new ProcessBuilder(children).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS) || (p.exitValue() != 0 && !out.contains("No such process"))) {
                throw new IllegalStateException(String.join(" ", children) + " failed:\n" + out);
            }
        }
    }

    private static void run(String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            thaw(); // a frozen cluster cannot stop
        } catch (Exception ignored) {
            // not running
        }
        try {
            stop();
        } catch (Exception ignored) {
            // already stopped
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp dir
        }
    }
}
