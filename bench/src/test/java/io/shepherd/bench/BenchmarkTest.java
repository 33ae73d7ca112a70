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
 * {@code target/bench-results.md}.
 */
class BenchmarkTest {
    @Test
    @Tag("bench")
    void benchmark() throws Exception {
        Path work = Files.createTempDirectory("shepherd-bench-");
        Report report = new Report();
        try (TestCluster cluster = TestCluster.create(); Processes processes = new Processes(work)) {
            Bench bench = new Bench(cluster, processes, report);
            System.out.printf("Shepherd benchmark: %d cores, %s, PostgreSQL private cluster (fsync off), loopback%n",
                    java.lang.Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

            double[] floor = new Floor(bench).run();
            EndToEnd.Result e2e = new EndToEnd(bench).run(floor[0], floor[1]);
            new SubmitAndLatency(bench).run(e2e.best1() / 2);
            new Recovery(bench).run("PT3S", "PT1S", "PT1S", 3, "tight lease (3 s, sweep 1 s)");
            new Recovery(bench).run("PT30S", "PT5S", "PT5S", 2, "default lease (30 s, sweep 5 s)");
            new IdleBots(bench).run(e2e.runtime(), 1000);
            e2e.runtime().process().kill();
            new DbSchedulerPeer(bench).run(4, e2e.fourBotsOfOne());
        }
        System.out.println(report.write(Bench.results()));
    }
}
