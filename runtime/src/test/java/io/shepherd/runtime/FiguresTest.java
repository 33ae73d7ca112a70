package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The figures the metrics read from the database in the background, on both databases, on a clock
 * the test moves (the background reads every 100 ms of real time): the finished jobs counted only
 * every {@code metrics.finished-interval} while the others follow every read, and the bots'
 * failure rate over its five minutes — each outcome counted once, forgotten as it leaves.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class FiguresTest extends MovedClockTestBase {
    @Override
    Map<String, String> overrides() {
        return Map.of("recovery.enabled", "false", "metrics.interval", "PT0.1S", "metrics.finished-interval", "PT1M",
                "lease.ttl", "PT1H");
    }

    @Test
    void finishedJobsAreCountedEveryFinishedIntervalTheOthersAtEveryRead() throws Exception {
        awaitMetric("shepherd_figure_age_seconds{figure=\"finished_jobs\"}", age -> age == 0.0, "read at start");
        TestBot bot = runtime.registerBot("b", "t");
        submit("type", "t");
        JsonObject held = bot.claimJobs(1, 0).getFirst();
        assertEquals(200, bot.complete(held.getString("id"), held.getString("leaseToken"), null).status());
        submit("type", "t");

        awaitMetric("shepherd_jobs{status=\"pending\"}", n -> n == 1.0, "the pending job is counted at the next read");
        Map<String, Double> series = MetricsTest.scrape(http);
        assertEquals(0.0, series.get("shepherd_jobs{status=\"completed\"}"), "finished jobs not counted again yet");
        JsonObject kept = http.get("/v1/stats?maxAgeMs=10000", TestRuntime.CLIENT).json();
        assertEquals(1, kept.getJsonObject("jobs").getInt("pending"));
        assertEquals(0, kept.getJsonObject("jobs").getInt("completed"));
        assertEquals("2026-01-01T00:00:00Z", kept.getString("finishedCountedAt"));

        clock.advance(Duration.ofSeconds(30));
        awaitMetric("shepherd_figure_age_seconds{figure=\"jobs\"}", age -> age == 0.0, "the others read again");
        awaitMetric("shepherd_figure_age_seconds{figure=\"bots\"}", age -> age == 0.0, "the bots too");
        assertEquals(30.0, MetricsTest.scrape(http).get("shepherd_figure_age_seconds{figure=\"finished_jobs\"}"));
        JsonObject stillKept = http.get("/v1/stats?maxAgeMs=10000", TestRuntime.CLIENT).json();
        assertEquals("2026-01-01T00:00:30Z", stillKept.getString("countedAt"));
        assertEquals("2026-01-01T00:00:00Z", stillKept.getString("finishedCountedAt"),
                "finished counts up to one finished-interval older than maxAgeMs are taken");

        clock.advance(Duration.ofSeconds(31));
        awaitMetric("shepherd_jobs{status=\"completed\"}", n -> n == 1.0, "counted again a minute after");
        JsonObject now = http.get("/v1/stats?maxAgeMs=10000", TestRuntime.CLIENT).json();
        assertEquals(1, now.getJsonObject("jobs").getInt("completed"));
        assertEquals("2026-01-01T00:01:01Z", now.getString("finishedCountedAt"));
        JsonObject counted = http.get("/v1/stats", TestRuntime.CLIENT).json();
        assertEquals(counted.getString("countedAt"), counted.getString("finishedCountedAt"), "counted now: both now");
    }

    @Test
    void theFailureRateCountsEachOutcomeOnceAndForgetsItAfterFiveMinutes() throws Exception {
        TestBot bot = runtime.registerBot("b", "t");
        // at 00:00:00 — three completed, one failed (retried), one refused as not retryable (the job's fault)
        for (int i = 0; i < 5; i++) {
            submit("type", "t", "maxAttempts", 1);
        }
        var held = bot.claimJobs(5, 0);
        for (int i = 0; i < 3; i++) {
            bot.complete(held.get(i).getString("id"), held.get(i).getString("leaseToken"), null);
        }
        bot.fail(held.get(3).getString("id"), held.get(3).getString("leaseToken"), "boom", true);
        bot.fail(held.get(4).getString("id"), held.get(4).getString("leaseToken"), "bad input", false);
        awaitRate(0.25, "three completed, one failed, the not-retryable one not the bot's");

        clock.advance(Duration.ofSeconds(20)); // settled: kept, not counted again
        awaitRate(0.25, "settled, counted once");
        submit("type", "t");
        held = bot.claimJobs(1, 0);
        bot.fail(held.getFirst().getString("id"), held.getFirst().getString("leaseToken"), "boom", true);
        awaitRate(0.4, "one more failure at 00:00:20");

        clock.advance(Duration.ofMinutes(5)); // 00:05:20: the first five are out of the window, the last not
        awaitRate(1.0, "only the failure of 00:00:20 left");
        clock.advance(Duration.ofMinutes(5)); // 00:10:20: the slice read at 00:05:20 (from 00:00:20) has left too
        awaitRate(0.0, "nothing left");
    }

    private void awaitRate(double rate, String why) throws InterruptedException {
        awaitMetric("shepherd_figure_age_seconds{figure=\"failure_rate\"}", age -> age == 0.0, "read after the clock moved");
        awaitMetric("shepherd_bot_failure_rate", r -> Math.abs(r - rate) < 1e-9, why);
    }

    private void awaitMetric(String series, Predicate<Double> expected, String why) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Double value = null;
        while (System.nanoTime() < deadline) {
            value = MetricsTest.scrape(http).get(series);
            if (value != null && expected.test(value)) {
                return;
            }
            Thread.sleep(20);
        }
        assertTrue(false, why + ": " + series + " was " + value);
    }
}
