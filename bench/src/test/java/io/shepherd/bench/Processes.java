package io.shepherd.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.testing.ChildProcess;
import io.shepherd.runtime.testing.EchoBots;
import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestRuntime;

/** Runtime and bot processes for the benchmark, and what /proc says about them. */
final class Processes implements AutoCloseable {
    private final Path dir;
    private final List<ChildProcess> all = new ArrayList<>();
    private int counter;

    Processes(Path dir) {
        this.dir = dir;
    }

    /** A runtime ({@code serve}) on a free port over the given database, with extra YAML lines. */
    Runtime runtime(String dbUrl, String... yaml) throws Exception {
        int port = ChildProcess.freePort();
        ChildProcess process = ChildProcess.serve(dir.resolve("runtime-" + counter), dbUrl, port,
                Map.of("JAVA_TOOL_OPTIONS", "-Xmx400m " + System.getProperty("bench.runtimeJvmFlags", "")
                        + jfr("runtime-" + counter++)), yaml);
        all.add(process);
        Http http = new Http("http://127.0.0.1:" + port);
        process.awaitReady(http, java.time.Duration.ofSeconds(90));
        return new Runtime(process, http);
    }

    /**
     * A runtime started from its jar ({@code runtime/target/shepherd.jar}), as a user runs it, with
     * extra JVM options (a JDK AOT cache needs a class path of jars only); not yet ready.
     */
    Runtime startRuntimeJar(String dbUrl, String jvmOptions, String... yaml) throws Exception {
        int port = ChildProcess.freePort();
        String name = "runtime-" + counter++;
        ChildProcess process = ChildProcess.serve(java(jvmOptions + " -Xmx400m", "runtime/target/shepherd.jar"),
                dir.resolve(name), dbUrl, port, Map.of(), yaml);
        all.add(process);
        return new Runtime(process, new Http("http://127.0.0.1:" + port));
    }

    /** The Java echo bot started from its jar ({@code examples/echo-bot/target/echo-bot.jar}). */
    ChildProcess botJar(Runtime runtime, int concurrency, String jvmOptions) throws Exception {
        Path home = Files.createDirectories(dir.resolve("bot-" + counter++));
        ChildProcess process = ChildProcess.command(home, botEnv(runtime, home, concurrency),
                java(jvmOptions + " -Xmx256m", "examples/echo-bot/target/echo-bot.jar"));
        all.add(process);
        return process;
    }

    /**
     * {@code shepherd train} as the images run it: a throwaway runtime from its jar (with
     * {@code runtimeJvm}) while the Java echo bot from its jar (with {@code botJvm}) works
     * {@code jobs} jobs; returns when it exited 0 — a JVM given {@code -XX:AOTCacheOutput} has
     * written its cache by then.
     */
    void train(String runtimeJvm, String botJvm, int jobs) throws Exception {
        List<String> command = java(runtimeJvm, "runtime/target/shepherd.jar");
        command.addAll(List.of("train", "--jobs", Integer.toString(jobs), "--"));
        command.addAll(java(botJvm, "examples/echo-bot/target/echo-bot.jar"));
        ChildProcess training = ChildProcess.command(Files.createDirectories(dir.resolve("train-" + counter++)), Map.of(), command);
        all.add(training);
        if (!training.process().waitFor(5, java.util.concurrent.TimeUnit.MINUTES) || training.process().exitValue() != 0) {
            throw new AssertionError("shepherd train failed:\n" + training.output());
        }
    }

    private static List<String> java(String jvmOptions, String jar) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String option : jvmOptions.trim().split("\\s+")) {
            if (!option.isEmpty()) {
                command.add(option);
            }
        }
        command.addAll(List.of("-jar", EchoBots.root().resolve(jar).toString()));
        return command;
    }

    record Runtime(ChildProcess process, Http http) {
        long pid() {
            return process.process().pid();
        }
    }

    /** An echo bot (no-op handler for payloads without sleepMs). */
    ChildProcess bot(Runtime runtime, int concurrency, Map<String, String> extra) throws Exception {
        Path home = Files.createDirectories(dir.resolve("bot-" + counter++));
        Map<String, String> env = botEnv(runtime, home, concurrency);
        // -Dbench.botJvmFlags="...": flags for the Java bots to try (e.g. compiler or GC choices)
        String flags = System.getProperty("bench.botJvmFlags", "").trim();
        env.put("JAVA_TOOL_OPTIONS", "-Xmx256m" + (flags.isEmpty() ? "" : " " + flags) + jfr("bot-" + counter));
        env.putAll(extra);
        ChildProcess process = EchoBots.java(home, env);
        all.add(process);
        return process;
    }

    /** The Python echo bot (examples/echo-bot-python), configured as the Java one. */
    ChildProcess pythonBot(Runtime runtime, int concurrency, Map<String, String> extra) throws Exception {
        Path home = Files.createDirectories(dir.resolve("bot-" + counter++));
        Map<String, String> env = botEnv(runtime, home, concurrency);
        env.putAll(extra);
        ChildProcess process = EchoBots.python(home, env);
        all.add(process);
        return process;
    }

    private Map<String, String> botEnv(Runtime runtime, Path home, int concurrency) {
        return new HashMap<>(Map.of(
                "SHEPHERD_URL", runtime.http().base(),
                "SHEPHERD_ENROLL_TOKEN", TestRuntime.ENROLL,
                "BOT_NAME", "bench-" + counter,
                "BOT_STATE_DIR", home.resolve("state").toString(),
                "BOT_CONCURRENCY", Integer.toString(concurrency),
                "SHEPHERD_LOG_FORMAT", "text"));
    }

    /**
     * With {@code -Dbench.jfr=DIR}, the JVM option that makes a runtime or Java bot record a JFR
     * profile into {@code DIR/name.jfr} (written when it exits); otherwise nothing.
     */
    private static String jfr(String name) {
        String dir = System.getProperty("bench.jfr", "");
        return dir.isBlank() ? "" : " -XX:StartFlightRecording=filename=" + Path.of(dir).toAbsolutePath().resolve(name + ".jfr")
                + ",settings=profile,dumponexit=true";
    }

    /**
     * CPU seconds each kind of thread of a process has used (threads named alike, digits dropped,
     * added up), from {@code /proc/<pid>/task/<tid>/schedstat}: precise, unlike the tick-sampled
     * {@code stat}. Threads that ended are not in it.
     */
    static Map<String, Double> threadCpuSeconds(long pid) throws Exception {
        Map<String, Double> byName = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim().replaceAll("[0-9]+", "N");
                    double seconds = Long.parseLong(Files.readString(task.resolve("schedstat")).split(" ")[0]) / 1e9;
                    byName.merge(name, seconds, Double::sum);
                } catch (java.io.IOException ended) {
                    // the thread ended meanwhile
                }
            }
        }
        return byName;
    }

    /** CPU seconds the process has used in user mode and in the kernel, from /proc: {user, system}. */
    static double[] userSystemSeconds(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new double[]{Long.parseLong(f[11]) / 100.0, Long.parseLong(f[12]) / 100.0};
    }

    /** CPU seconds (user + system) the process has used, from /proc. */
    static double cpuSeconds(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return ticks / 100.0;
    }

    /**
     * CPU seconds of a process and its children, from /proc: its own, what it has reaped of exited
     * children (cutime, cstime), and each live child's — for a PostgreSQL postmaster, the whole
     * cluster's CPU, backends that came and went included.
     */
    static double treeCpuSeconds(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        // a child that exited meanwhile is not among them: its time is in the parent's cutime next time
        for (String[] c : children(pid).values()) {
            ticks += Long.parseLong(c[11]) + Long.parseLong(c[12]);
        }
        return ticks / 100.0;
    }

    /** The live children of a process: each one's /proc folder and its stat fields after the command name. */
    private static Map<Path, String[]> children(long parent) throws Exception {
        Map<Path, String[]> children = new HashMap<>();
        try (var entries = Files.list(Path.of("/proc"))) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                if (!entry.getFileName().toString().chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String child = Files.readString(entry.resolve("stat"));
                    String[] c = child.substring(child.lastIndexOf(')') + 2).split(" ");
                    if (Long.parseLong(c[1]) == parent) {
                        children.put(entry, c);
                    }
                } catch (java.io.IOException gone) {
                    // exited while we looked
                }
            }
        }
        return children;
    }

    /**
     * CPU seconds of a PostgreSQL cluster's live processes by kind: "backend" for every client
     * connection, the background process's own name otherwise (walwriter, autovacuum worker, ...),
     * from each child's command line. Processes that ended are not in it.
     */
    static Map<String, Double> clusterCpuByKind(long postmaster) throws Exception {
        Map<String, Double> byKind = new java.util.TreeMap<>();
        for (var child : children(postmaster).entrySet()) {
            try {
                String title = Files.readString(child.getKey().resolve("cmdline")).replace('\0', ' ').trim();
                String kind = title.contains("(") ? "backend" : title.replaceFirst("^postgres: ", "")
                        .replaceAll("[0-9]+", "N");
                String[] c = child.getValue();
                byKind.merge(kind, (Long.parseLong(c[11]) + Long.parseLong(c[12])) / 100.0, Double::sum);
            } catch (java.io.IOException gone) {
                // exited while we looked
            }
        }
        return byKind;
    }

    /** CPU seconds the whole machine was busy (all cores, everything but idle and I/O wait), from /proc/stat. */
    static double machineBusySeconds() throws Exception {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
        long busy = 0;
        for (int i = 1; i < f.length; i++) {
            if (i != 4 && i != 5) {
                busy += Long.parseLong(f[i]);
            }
        }
        return busy / 100.0;
    }

    /** Resident memory in MiB, from /proc. */
    static double rssMiB(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    @Override
    public void close() throws Exception {
        for (ChildProcess p : all) {
            p.close();
        }
    }
}
