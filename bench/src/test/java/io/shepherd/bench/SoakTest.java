package io.shepherd.bench;

import java.nio.file.Files;
import java.nio.file.Path;

import io.shepherd.runtime.testing.TestCluster;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The soak run ({@code mvn -B -Psoak verify -pl bench -am}): a large prune next to claims, then a
 * steady load with retention on for {@code -Dsoak.minutes} (default 5) at {@code -Dsoak.rate}
 * jobs/s (default 200), on a private PostgreSQL cluster. Writes {@code target/soak-results.md}.
 */
class SoakTest {
    @Test
    @Tag("soak")
    void soak() throws Exception {
        int minutes = Integer.getInteger("soak.minutes", 5);
        int rate = Integer.getInteger("soak.rate", 200);
        Path work = Files.createTempDirectory("shepherd-soak-");
        Report report = new Report();
        try (TestCluster cluster = TestCluster.create(); Processes processes = new Processes(work)) {
            Bench bench = new Bench(cluster, processes, report);
            Soak soak = new Soak(bench);
            soak.pruneNextToClaims();
            soak.steadyLoad(minutes, rate);
        }
        System.out.println(report.write(Path.of("target", "soak-results.md")));
    }
}
