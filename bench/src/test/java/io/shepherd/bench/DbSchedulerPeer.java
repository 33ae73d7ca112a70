package io.shepherd.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * A peer on the same cluster: db-scheduler running no-op one-time tasks in this JVM, pooled with
 * HikariCP as every user pools it, once as it comes ({@code Scheduler.create(...).build()}: 10
 * threads, polling every 10 s, fetch-then-lock) and once tuned as its README advises for
 * throughput (16 threads, {@code pollUsingLockAndFetch}, polling every 100 ms).
 */
final class DbSchedulerPeer {
    /** The tasks of one measured run. */
    static final int TASKS = 10_000;

    private final Bench bench;

    DbSchedulerPeer(Bench bench) {
        this.bench = bench;
    }

    /** How db-scheduler is set up for a run. */
    enum Setup {
        DEFAULT("as it comes (10 threads, polling 10 s, fetch then lock)"),
        TUNED("tuned (16 threads, lock-and-fetch, polling 100 ms)");

        final String words;

        Setup(String words) {
            this.words = words;
        }
    }

    /** The median rate of {@link Bench#RUNS} runs of {@link #TASKS} tasks, each on a fresh database. */
    double measure(Setup setup) throws Exception {
        return Bench.measure(Bench.RUNS, () -> tasksPerSecond(bench.freshDatabase(), setup, TASKS));
    }

    static double tasksPerSecond(String url, Setup setup, int tasks) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE scheduled_tasks (task_name TEXT NOT NULL, task_instance TEXT NOT NULL, "
                    + "task_data BYTEA, execution_time TIMESTAMP WITH TIME ZONE NOT NULL, picked BOOLEAN NOT NULL, "
                    + "picked_by TEXT, last_success TIMESTAMP WITH TIME ZONE, last_failure TIMESTAMP WITH TIME ZONE, "
                    + "consecutive_failures INT, last_heartbeat TIMESTAMP WITH TIME ZONE, version BIGINT NOT NULL, "
                    + "priority SMALLINT, PRIMARY KEY (task_name, task_instance))");
            s.execute("CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time)");
            s.execute("CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat)");
        }
        HikariConfig pool = new HikariConfig();
        pool.setJdbcUrl(url);
        pool.setMaximumPoolSize(setup == Setup.TUNED ? 20 : 12);
        try (HikariDataSource ds = new HikariDataSource(pool)) {
            CountDownLatch done = new CountDownLatch(tasks);
            OneTimeTask<Void> noop = Tasks.oneTime("noop").execute((instance, context) -> done.countDown());
            SchedulerClient client = SchedulerClient.Builder.create(ds, noop).build();
            Instant now = Instant.now();
            List<TaskInstance<?>> all = new ArrayList<>(tasks);
            for (int i = 0; i < tasks; i++) {
                all.add(noop.instance("t" + i));
            }
            client.scheduleBatch(all, now);
            var builder = Scheduler.create(ds, noop);
            if (setup == Setup.TUNED) {
                builder.threads(16).pollingInterval(Duration.ofMillis(100)).pollUsingLockAndFetch(0.5, 1.0);
            }
            Scheduler scheduler = builder.build();
            long t0 = System.nanoTime();
            scheduler.start();
            try {
                if (!done.await(5, TimeUnit.MINUTES)) {
                    throw new AssertionError("db-scheduler did not finish");
                }
                return tasks / ((System.nanoTime() - t0) / 1e9);
            } finally {
                scheduler.stop();
            }
        }
    }
}
