package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestCluster;
import io.shepherd.runtime.testing.TestDatabase;
import io.shepherd.runtime.testing.TestRuntime;
import org.junit.jupiter.api.Test;

/**
 * What an operator's signals say while PostgreSQL is stopped, and while it is frozen (SIGSTOP: its
 * connections stay open and nothing answers): a scrape of {@code /metrics} and a {@code /livez}
 * answer at once, the database health gauge goes to 0 by itself — nobody asks {@code /healthz} —
 * and the figures read from the database show their growing age instead of passing for current.
 */
class SignalsWhenTheDatabaseFailsTest {
    static final String DATABASE_UP = "shepherd_health_check_up{check=\"database\"}";
    static final String JOBS_AGE = "shepherd_figure_age_seconds{figure=\"jobs\"}";

    @Test
    void aStoppedOrFrozenDatabaseNeverSlowsAScrapeAndTheHealthGaugeFollowsByItself() throws Exception {
        try (TestCluster cluster = TestCluster.create();
             TestDatabase db = TestDatabase.existing(cluster.url());
             TestRuntime runtime = TestRuntime.start(db, Map.of("db.connect-timeout", "PT1S",
                     "health.interval", "PT1S", "health.check-timeout", "PT1S", "metrics.interval", "PT1S"))) {
            Http http = runtime.http();
            awaitGauge(http, DATABASE_UP, 1.0, Duration.ofSeconds(10));

            cluster.stop();
            Outage stopped = watch(http, Duration.ofSeconds(8));
            cluster.start();
            awaitGauge(http, DATABASE_UP, 1.0, Duration.ofSeconds(20));

            cluster.freeze();
            Outage frozen;
            try {
                frozen = watch(http, Duration.ofSeconds(8));
            } finally {
                cluster.thaw();
            }
            awaitGauge(http, DATABASE_UP, 1.0, Duration.ofSeconds(30));

            for (Outage o : List.of(stopped, frozen)) {
                System.out.println("database " + (o == stopped ? "stopped" : "frozen") + ": " + o);
                assertTrue(o.slowestScrapeMs() < 100, "every scrape under 100 ms: " + o);
                assertTrue(o.slowestLivezMs() < 100, "every /livez under 100 ms: " + o);
                assertTrue(o.gaugeDownAfterMs() >= 0 && o.gaugeDownAfterMs() < 5_000,
                        "the database gauge went to 0 by itself within 5 s: " + o);
            }
            assertTrue(frozen.jobsFigureAge() > 4, "the jobs figure shows its age while the database hangs: " + frozen);
        }
    }

    /** What the signals did during an outage. */
    record Outage(long slowestScrapeMs, long medianScrapeMs, long slowestLivezMs, long gaugeDownAfterMs,
                  double jobsFigureAge) {
    }

    /** Scrapes and probes liveness for a while, as Prometheus and the kubelet would. */
    static Outage watch(Http http, Duration during) throws Exception {
        List<Long> scrapes = new ArrayList<>();
        List<Long> livez = new ArrayList<>();
        long from = System.nanoTime();
        long downAfter = -1;
        double age = Double.NaN;
        while (System.nanoTime() - from < during.toNanos()) {
            long t0 = System.nanoTime();
            Http.Response metrics = get(http, "/metrics");
            scrapes.add((System.nanoTime() - t0) / 1_000_000);
            assertEquals(200, metrics.status());
            Map<String, Double> series = MetricsTest.parse(metrics.body());
            if (downAfter < 0 && Double.valueOf(0.0).equals(series.get(DATABASE_UP))) {
                downAfter = (System.nanoTime() - from) / 1_000_000;
            }
            age = series.getOrDefault(JOBS_AGE, Double.NaN);
            t0 = System.nanoTime();
            assertEquals(200, get(http, "/livez").status());
            livez.add((System.nanoTime() - t0) / 1_000_000);
            Thread.sleep(100);
        }
        List<Long> sorted = new ArrayList<>(scrapes);
        Collections.sort(sorted);
        return new Outage(Collections.max(scrapes), sorted.get(sorted.size() / 2), Collections.max(livez), downAfter, age);
    }

    static void awaitGauge(Http http, String series, double value, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        Double seen = null;
        while (System.nanoTime() < deadline) {
            seen = MetricsTest.parse(get(http, "/metrics").body()).get(series);
            if (Double.valueOf(value).equals(seen)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(series + " never became " + value + " (last " + seen + ")");
    }

    static Http.Response get(Http http, String path) {
        return http.send(http.builder(path, null).timeout(Duration.ofSeconds(5)).GET());
    }
}
