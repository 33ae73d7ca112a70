package io.shepherd.runtime.health;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import io.shepherd.plugins.api.HealthContext;
import io.shepherd.plugins.api.HealthStatus;
import io.shepherd.runtime.lifecycle.Threads;

/**
 * Runs health checks in parallel, each under {@code health.check-timeout}: a check that throws
 * or overruns is DOWN with the reason and never holds the answer past the timeout. Probes from
 * several replicas' load balancers arrive every few seconds; answers younger than
 * {@code maxAge} are shared, so a burst of probes costs one round of checks.
 */
public final class HealthRunner implements AutoCloseable {
    private final HealthRegistry registry;
    private final Supplier<HealthContext> contexts;
    private final Duration timeout;
    private final Duration maxAge;
    private final ExecutorService executor = Executors.newCachedThreadPool(Threads.daemons("health"));
    private final Map<Boolean, Report> last = new java.util.concurrent.ConcurrentHashMap<>();

    /** The checks' answers, by name, and when they were taken. */
    public record Report(Map<String, HealthStatus> checks, long takenAtNanos) {
        public boolean up() {
            return checks.values().stream().allMatch(HealthStatus::up);
        }
    }

    private final java.util.function.Consumer<Map<String, Boolean>> onReport;

    public HealthRunner(HealthRegistry registry, Supplier<HealthContext> contexts, Duration timeout, Duration maxAge,
                        java.util.function.Consumer<Map<String, Boolean>> onReport) {
        this.onReport = onReport;
        this.registry = registry;
        this.contexts = contexts;
        this.timeout = timeout;
        this.maxAge = maxAge;
    }

    /** Every check ({@code readinessOnly} false), or those that decide readiness. */
    public Report run(boolean readinessOnly) {
        Report cached = last.get(readinessOnly);
        if (cached != null && System.nanoTime() - cached.takenAtNanos() < maxAge.toNanos()) {
            return cached;
        }
        synchronized (readinessOnly ? this.last : this.executor) {
            cached = last.get(readinessOnly);
            if (cached != null && System.nanoTime() - cached.takenAtNanos() < maxAge.toNanos()) {
                return cached;
            }
            Report fresh = runNow(readinessOnly);
            last.put(readinessOnly, fresh);
            return fresh;
        }
    }

    private Report runNow(boolean readinessOnly) {
        HealthContext context = contexts.get();
        List<HealthRegistry.Entry> entries = registry.all().stream()
                .filter(e -> !readinessOnly || e.check().readiness())
                .toList();
        Map<String, Future<HealthStatus>> running = new LinkedHashMap<>();
        for (HealthRegistry.Entry entry : entries) {
            running.put(entry.check().name(), executor.submit(() -> entry.check().check(context)));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, HealthStatus> results = new LinkedHashMap<>();
        running.forEach((name, future) -> {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                HealthStatus status = future.get(left, TimeUnit.NANOSECONDS);
                results.put(name, status == null ? HealthStatus.unhealthy("the check returned nothing") : status);
            } catch (TimeoutException e) {
                future.cancel(true);
                results.put(name, HealthStatus.unhealthy("timed out after " + timeout.toMillis() + " ms"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                results.put(name, HealthStatus.unhealthy("interrupted"));
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause();
                results.put(name, HealthStatus.unhealthy(cause.getMessage() == null ? cause.getClass().getSimpleName()
                        : firstLine(cause.getMessage())));
            }
        });
        Map<String, Boolean> up = new LinkedHashMap<>();
        results.forEach((name, status) -> up.put(name, status.up()));
        onReport.accept(up);
        return new Report(results, System.nanoTime());
    }

    private static String firstLine(String message) {
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
