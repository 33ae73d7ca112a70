package io.shepherd.bench;

import java.nio.file.Files;
import java.nio.file.Path;

import io.shepherd.runtime.testing.TestCluster;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The benchmark: every figure the median of several runs, ratios within one run, all on a private
 * PostgreSQL cluster and real processes on loopback. One scenario a class; this runs them in an
 * order where each can use what the ones before found, prints the table and writes
 * {@code target/bench-results.md}. {@code -Dbench.scenarios=latency,idle} runs only those (a
 * scenario that needs an earlier one's figure then uses a fixed stand-in, said in its row).
 */
class BenchmarkTest {
    /** Stand-ins when the scenario that measures them is not run. */
    static final double FLOOR_STAND_IN = 5000;
    static final double HALF_RATE_STAND_IN = 250;

    @Test
    @Tag("bench")
    void benchmark() throws Exception {
        java.util.Set<String> only = java.util.Arrays.stream(System.getProperty("bench.scenarios", "").split(","))
                .map(String::trim).filter(x -> !x.isEmpty()).collect(java.util.stream.Collectors.toSet());
        java.util.function.Predicate<String> runs = name -> only.isEmpty() || only.contains(name);
        Path work = Files.createTempDirectory("shepherd-bench-");
        Report report = new Report();
        try (TestCluster cluster = TestCluster.create(statementCounting()); Processes processes = new Processes(work)) {
            Bench bench = new Bench(cluster, processes, report);
            System.out.printf("Shepherd benchmark: %d cores, %s, PostgreSQL private cluster (fsync off), loopback%n",
                    java.lang.Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

            double[] floor = runs.test("floor") ? new Floor(bench).run() : new double[]{FLOOR_STAND_IN, FLOOR_STAND_IN};
            EndToEnd.Result e2e = runs.test("e2e") ? new EndToEnd(bench).run(floor[0], floor[1]) : null;
            if (runs.test("latency")) {
                new SubmitAndLatency(bench).run(e2e != null ? e2e.best1() / 2 : HALF_RATE_STAND_IN);
            }
            if (runs.test("recovery")) {
                new Recovery(bench).run("PT3S", "PT1S", "PT1S", 3, "tight lease (3 s, sweep 1 s)");
                new Recovery(bench).run("PT30S", "PT5S", "PT5S", 2, "default lease (30 s, sweep 5 s)");
            }
            if (runs.test("idle")) {
                if (e2e != null) {
                    new IdleBots(bench).run(e2e.runtime(), 1000, 8);
                } else {
                    // alone: a runtime of its own, warmed by the bots' own load while they settle
                    Processes.Runtime runtime = processes.runtime(bench.freshDatabase(), "db:", "  pool-size: 16");
                    new IdleBots(bench).run(runtime, 1000, Integer.getInteger("bench.idleSettleSeconds", 60));
                    runtime.process().terminate(java.time.Duration.ofSeconds(30)); // a JFR recording is written
                }
            }
            if (e2e != null) {
                e2e.runtime().process().kill();
            }
            if (runs.test("languages")) {
                new BotLanguages(bench).run();
            }
            if (runs.test("coldstart")) {
                new ColdStart(bench).run();
            }
        }
        System.out.println(report.write(Bench.results()));
    }

    /**
     * {@code pg_stat_statements} loaded when this machine's PostgreSQL has it (the languages scenario
     * counts statements), and any settings of {@code -Dbench.pgSettings="name=value;..."} (e.g.
     * {@code auto_explain.log_min_duration=5ms}; {@code -Dbench.pgLibraries=auto_explain} loads more).
     */
    private static java.util.List<String> statementCounting() throws java.io.IOException {
        java.util.List<String> settings = new java.util.ArrayList<>();
        java.util.List<String> libraries = new java.util.ArrayList<>();
        try (var versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            if (versions.anyMatch(v -> Files.exists(v.resolve("lib/pg_stat_statements.so")))) {
                libraries.add("pg_stat_statements");
            }
        }
        for (String library : System.getProperty("bench.pgLibraries", "").split(",")) {
            if (!library.isBlank()) {
                libraries.add(library.trim());
            }
        }
        if (!libraries.isEmpty()) {
            settings.add("shared_preload_libraries=" + String.join(",", libraries));
        }
        for (String setting : System.getProperty("bench.pgSettings", "").split(";")) {
            if (!setting.isBlank()) {
                settings.add(setting.trim());
            }
        }
        return settings;
    }
}
