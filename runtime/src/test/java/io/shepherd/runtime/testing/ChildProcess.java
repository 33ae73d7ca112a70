package io.shepherd.runtime.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The runtime as a real child process, started from this test JVM's class path. */
public final class ChildProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ChildProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static ChildProcess start(Path workDir, Map<String, String> env, String mainClass, String... args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        return command(workDir, env, command);
    }

    /** Any program as a child process (a Python bot, say), its output kept in a log file under {@code workDir}. */
    public static ChildProcess command(Path workDir, Map<String, String> env, List<String> command) throws IOException {
        Path log = workDir.resolve("process-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return new ChildProcess(pb.start(), log);
    }

    /**
     * The runtime as a child process: {@code serve} on the port, over the database, with the test
     * tokens and a data directory under {@code home}; extra YAML lines are appended to its
     * configuration. Not yet ready when this returns: see {@link #awaitReady}.
     */
    public static ChildProcess serve(Path home, String dbUrl, int port, Map<String, String> env,
                                     String... extraYaml) throws IOException {
        List<String> launcher = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "io.shepherd.runtime.cli.Main");
        return serve(launcher, home, dbUrl, port, env, extraYaml);
    }

    /**
     * The same, started by {@code launcher} — the command up to the CLI's arguments, e.g.
     * {@code java -XX:AOTCache=... -jar runtime/target/shepherd.jar} (a JDK AOT cache needs a class
     * path of jars only, not the test's class directories).
     */
    public static ChildProcess serve(List<String> launcher, Path home, String dbUrl, int port, Map<String, String> env,
                                     String... extraYaml) throws IOException {
        Files.createDirectories(home);
        List<String> yaml = new ArrayList<>(List.of(
                "server:", "  port: " + port, "  host: 127.0.0.1",
                "data:", "  dir: " + home.resolve("data"),
                "auth:", "  admin-tokens: " + TestRuntime.ADMIN, "  client-tokens: " + TestRuntime.CLIENT,
                "  enroll-tokens: " + TestRuntime.ENROLL));
        yaml.addAll(List.of(extraYaml));
        Path config = home.resolve("shepherd.yaml");
        Files.writeString(config, String.join("\n", yaml) + "\n");
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("SHEPHERD_DB_URL", dbUrl);
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of("serve", "--config", config.toString()));
        return command(home, all, command);
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public Process process() {
        return process;
    }

    public String output() {
        try {
            return java.nio.file.Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** Polls a URL until it answers 200, or fails with the process's output. */
    public void awaitReady(Http http, Duration timeout) throws InterruptedException {
        awaitReady(process, http, timeout, this::output);
    }

    /** Polls a runtime's {@code /ready} until it answers 200; fails with {@code output} when the process exits or time runs out. */
    public static void awaitReady(Process process, Http http, Duration timeout, java.util.function.Supplier<String> output)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("process exited with " + process.exitValue() + ":\n" + output.get());
            }
            try {
                if (http.get("/ready", null).status() == 200) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not ready within " + timeout + ":\n" + output.get());
    }

    /** Waits until the process has written {@code text}; fails with its output when it exits or time runs out. */
    public void awaitOutput(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!output().contains(text)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no \"" + text + "\" in the output "
                        + (process.isAlive() ? "within " + timeout : "before the process exited") + ":\n" + output());
            }
            Thread.sleep(50);
        }
    }

    /** SIGTERM, as Kubernetes or a terminal would send. */
    public int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("did not stop within " + timeout + " of SIGTERM:\n" + output());
        }
        return process.exitValue();
    }

    /** Sends a signal by name (STOP, CONT, TERM, KILL, ...), as {@code kill -NAME pid} would. */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook runs. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
