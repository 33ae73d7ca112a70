package io.shepherd.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import org.postgresql.ds.PGSimpleDataSource;

/** A peer on the same cluster: db-scheduler running no-op one-time tasks. */
final class DbSchedulerPeer {
    private final Bench bench;

    DbSchedulerPeer(Bench bench) {
        this.bench = bench;
    }

    /** {@code shepherd}: Shepherd's rate with as many single-job bots as the peer has threads. */
    void run(int threads, double shepherd) throws Exception {
        double peer = Bench.measure(Bench.RUNS, () -> tasksPerSecond(bench.freshDatabase(), threads, Bench.JOBS));
        bench.report.row("db-scheduler 16.7.1, " + Bench.JOBS + " no-op one-time tasks, " + threads + " threads",
                Bench.f(peer) + " tasks/s", String.format("Shepherd with %d bots x 1: %s jobs/s (%.1fx)", threads,
                        Bench.f(shepherd), shepherd / peer));
    }

    static double tasksPerSecond(String url, int threads, int tasks) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE scheduled_tasks (task_name TEXT NOT NULL, task_instance TEXT NOT NULL, "
                    + "task_data BYTEA, execution_time TIMESTAMP WITH TIME ZONE NOT NULL, picked BOOLEAN NOT NULL, "
                    + "picked_by TEXT, last_success TIMESTAMP WITH TIME ZONE, last_failure TIMESTAMP WITH TIME ZONE, "
                    + "consecutive_failures INT, last_heartbeat TIMESTAMP WITH TIME ZONE, version BIGINT NOT NULL, "
                    + "priority SMALLINT, PRIMARY KEY (task_name, task_instance))");
            s.execute("CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time)");
            s.execute("CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat)");
        }
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        CountDownLatch done = new CountDownLatch(tasks);
        OneTimeTask<Void> noop = Tasks.oneTime("noop").execute((instance, context) -> done.countDown());
        SchedulerClient client = SchedulerClient.Builder.create(ds, noop).build();
        Instant now = Instant.now();
        for (int i = 0; i < tasks; i++) {
            client.scheduleIfNotExists(noop.instance("t" + i), now);
        }
        Scheduler scheduler = Scheduler.create(ds, noop)
                .threads(threads)
                .pollingInterval(Duration.ofMillis(100))
                .pollUsingLockAndFetch(0.5, 1.0)
                .build();
        long t0 = System.nanoTime();
        scheduler.start();
        if (!done.await(5, TimeUnit.MINUTES)) {
            throw new AssertionError("db-scheduler did not finish");
        }
        double rate = tasks / ((System.nanoTime() - t0) / 1e9);
        scheduler.stop();
        return rate;
    }
}
