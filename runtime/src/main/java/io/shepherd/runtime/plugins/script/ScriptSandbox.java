package io.shepherd.runtime.plugins.script;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.shepherd.runtime.core.PluginLimits;
import io.shepherd.runtime.lifecycle.Threads;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.ResourceLimits;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;

/**
 * Where scripts run: GraalVM polyglot JavaScript under {@link SandboxPolicy#CONSTRAINED} — no host
 * I/O, no threads, no Java class lookup — in a fresh context of one shared engine per run (so
 * contexts are cheap), on a bounded pool of platform threads ({@code scripts.runners}, a short
 * queue behind them, refused beyond), with three limits: a statement limit, a time limit, and a
 * memory budget. The community sandbox has no memory limit of its own, so a watchdog reads what
 * each run's thread has allocated (the JVM's per-thread allocation counter) every millisecond
 * and cancels the run past {@code scripts.memory-limit}. What a run could not finish
 * is a {@link ScriptFailure} whose message says which limit stopped it.
 *
 * <p>A run overshoots its budget by what it allocates between two looks, and a script that fills
 * typed arrays allocates gigabytes a second: where the watchdog's thread waits for a core while
 * the script has one (about one look in a hundred came 10 ms late or more on this 2-core machine
 * under load), runs with a 16 MiB budget were seen at 50 MiB, and the heap holds more than that
 * (G1 gives each array of half a region or more whole regions). So runs are
 * also looked at after every garbage collection ({@link CollectionWatch}), and one that leaves the
 * heap fuller than {@code scripts.heap-guard} stops every run in progress, whoever allocated, and
 * holds new ones back for up to {@link #HEAP_FULL_PAUSE}: scripts give way to the runtime they run
 * in. A stop never holds the watchdog up: cancelling a context waits until its thread has left the
 * script, so that happens on a thread of its own. Collections are watched from the first run on: a
 * runtime with no scripts keeps no listener, and the JVM then builds no notification per collection
 * (2.3 % of a busy runtime's Java samples in the benchmark's languages scenario).
 *
 * <p>What this does not guarantee: a single allocation larger than the free heap is not
 * prevented (it fails the script with an out-of-memory answer, and the heap is not kept).
 */
final class ScriptSandbox implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ScriptSandbox.class.getName());
    static final long STATEMENT_LIMIT = 1_000_000;
    /**
     * How often the watchdog reads what a running script has allocated: a script filling typed
     * arrays allocated 20–40 MiB between two looks 5 ms apart (HostileScriptsTest), 4–8 MiB at 1 ms.
     */
    static final long MEMORY_LOOK_MILLIS = 1;
    /** How long new runs wait after a collection found the heap fuller than {@code scripts.heap-guard}, at most. */
    static final Duration HEAP_FULL_PAUSE = Duration.ofSeconds(1);

    private final Engine engine;
    private final ResourceLimits limits;
    private final long memoryLimit;
    private final int runnerCount;
    private final ThreadPoolExecutor runners;
    private final ScheduledExecutorService watchdogs = Threads.timer("script-watchdog");
    /** Where contexts are cancelled: closing one waits until its thread has left the script. */
    private final ExecutorService stoppers = Executors.newCachedThreadPool(Threads.daemons("script-stop"));
    private final Set<Run> running = ConcurrentHashMap.newKeySet();
    private final int heapGuard;
    private final boolean watchCollections;
    /** Made at the first run ({@link #watchCollections()}); null until then, or when a test tells of collections itself. */
    private volatile CollectionWatch collections;
    /** Set while new runs are held back: a collection found the heap too full. */
    private volatile HeapFull heapFull;
    private final com.sun.management.ThreadMXBean allocations;

    ScriptSandbox(PluginLimits pluginLimits) {
        this(pluginLimits, true);
    }

    /** {@code watchCollections}: false only where a test tells the sandbox of collections itself ({@link #collected}). */
    ScriptSandbox(PluginLimits pluginLimits, boolean watchCollections) {
        this.engine = Engine.newBuilder("js")
                .sandbox(SandboxPolicy.CONSTRAINED)
                .out(OutputStream.nullOutputStream())
                .err(OutputStream.nullOutputStream())
                // a handler of our own: the engine's default one over err is closed with the engine,
                // and GraalVM's own shutdown hook, running beside the runtime's, then flushed it and
                // printed "The log handler is closed" to stderr (seen once in LogStreamTest)
                .logHandler(new QuietLogHandler())
                .option("engine.WarnInterpreterOnly", "false")
                .build();
        this.limits = ResourceLimits.newBuilder().statementLimit(STATEMENT_LIMIT, null).build();
        this.memoryLimit = pluginLimits.scriptMemory();
        this.runnerCount = pluginLimits.scriptRunners();
        this.runners = new ThreadPoolExecutor(runnerCount, runnerCount, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(runnerCount * 8), Threads.daemons("script"));
        this.allocations = allocationCounter();
        this.heapGuard = pluginLimits.scriptHeapGuard();
        this.watchCollections = watchCollections;
        if (allocations == null) {
            LOG.log(System.Logger.Level.WARNING, "This JVM does not count allocations per thread: scripts run "
                    + "without a memory limit (statement and time limits still hold)");
        }
    }

    private static com.sun.management.ThreadMXBean allocationCounter() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
                && bean.isThreadAllocatedMemorySupported()) {
            if (!bean.isThreadAllocatedMemoryEnabled()) {
                bean.setThreadAllocatedMemoryEnabled(true);
            }
            return bean;
        }
        return null;
    }

    /** A script run that did not produce an answer; its message says why. */
    static final class ScriptFailure extends RuntimeException {
        ScriptFailure(String message) {
            super(message, null, false, false);
        }
    }

    /** How full a collection found the heap, and until when (nanoTime) new runs wait for room. */
    private record HeapFull(int percent, long untilNanos) {
    }

    /** One run in progress: its thread, its context, what it had allocated when it began, and why it was stopped. */
    private final class Run {
        final Thread thread = Thread.currentThread();
        final long allocatedAtStart;
        final Context context;
        volatile String stoppedBecause;

        Run(Context context, long allocatedAtStart) {
            this.context = context;
            this.allocatedAtStart = allocatedAtStart;
        }

        synchronized void stop(String why) {
            if (stoppedBecause == null) {
                stoppedBecause = why;
                try {
                    stoppers.execute(() -> context.close(true));
                } catch (RejectedExecutionException e) {
                    // the sandbox is closing: its engine cancels what still runs
                }
            }
        }
    }

    /**
     * Evaluates the script in a fresh context, then {@code body} while the context is open; it is
     * stopped past {@code limit}, past the memory budget, or past the statement limit.
     */
    <T> T run(Source source, Duration limit, Function<Context, T> body) {
        watchCollections();
        long queuedAt = System.nanoTime();
        Future<T> future;
        try {
            future = runners.submit(() -> runHere(source, limit, body));
        } catch (RejectedExecutionException e) {
            throw new ScriptFailure("not run: all " + runnerCount + " script runners are busy and "
                    + runners.getQueue().size() + " runs are waiting (scripts.runners)");
        }
        // a run may wait for a runner as long as it may run; then it runs under its own limit
        long waitMillis = 2 * limit.toMillis() + 500;
        try {
            return future.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - queuedAt);
            throw new ScriptFailure("did not finish within " + waited + " ms (waiting for a script runner included)");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new ScriptFailure("interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ScriptFailure failure) {
                throw failure;
            }
            throw new ScriptFailure(describe(cause, null));
        }
    }

    private <T> T runHere(Source source, Duration limit, Function<Context, T> body) {
        HeapFull full = heapFull;
        if (full != null && System.nanoTime() - full.untilNanos() < 0) {
            throw new ScriptFailure("not run: a garbage collection left the heap " + full.percent()
                    + " % full (scripts.heap-guard " + heapGuard + " %): scripts wait until it has room");
        }
        try (Context context = Context.newBuilder("js")
                .engine(engine)
                .sandbox(SandboxPolicy.CONSTRAINED)
                .out(OutputStream.nullOutputStream())
                .err(OutputStream.nullOutputStream())
                .resourceLimits(limits)
                .build()) {
            // what setting up JavaScript itself allocates is the runtime's, not the script's
            context.initialize("js");
            long start = allocations == null ? 0 : allocations.getThreadAllocatedBytes(Thread.currentThread().threadId());
            Run run = new Run(context, start);
            running.add(run);
            var watchdog = watchdogs.schedule(() -> run.stop("stopped after " + limit.toMillis() + " ms (time limit)"),
                    limit.toMillis(), TimeUnit.MILLISECONDS);
            // the memory look runs while a script does, not all the time (an idle runtime would wake for it 1,000 times a second)
            var memoryWatch = allocations == null ? null : watchdogs.scheduleWithFixedDelay(() -> lookAtMemory(run),
                    MEMORY_LOOK_MILLIS, MEMORY_LOOK_MILLIS, TimeUnit.MILLISECONDS);
            try {
                context.eval(source);
                return body.apply(context);
            } catch (RuntimeException | Error e) {
                throw new ScriptFailure(describe(e, run.stoppedBecause));
            } finally {
                running.remove(run);
                watchdog.cancel(false);
                if (memoryWatch != null) {
                    memoryWatch.cancel(false);
                }
            }
        } catch (PolyglotException e) {
            // closing a cancelled context says it was cancelled: the reason is already known
            throw new ScriptFailure(describe(e, null));
        }
    }

    /**
     * After a garbage collection: every run is looked at; when the heap was left too full, none goes
     * on, and none begins for {@link #HEAP_FULL_PAUSE} or until a collection finds room again.
     */
    void collected(int filledPercent) {
        boolean tooFull = filledPercent > heapGuard;
        heapFull = tooFull ? new HeapFull(filledPercent, System.nanoTime() + HEAP_FULL_PAUSE.toNanos()) : null;
        for (Run run : running) {
            if (tooFull) {
                run.stop("stopped: a garbage collection left the heap " + filledPercent + " % full (scripts.heap-guard "
                        + heapGuard + " %): scripts give way to the runtime");
            } else if (allocations != null) {
                lookAtMemory(run);
            }
        }
    }

    /** Runs in progress now. */
    int running() {
        return running.size();
    }

    private void lookAtMemory(Run run) {
        long used = allocations.getThreadAllocatedBytes(run.thread.threadId()) - run.allocatedAtStart;
        if (used > memoryLimit) {
            run.stop("stopped after allocating " + mib(used) + " MiB (memory limit " + mib(memoryLimit)
                    + " MiB, scripts.memory-limit)");
        }
    }

    private static long mib(long bytes) {
        return bytes / (1024 * 1024);
    }

    private static String describe(Throwable failure, String stoppedBecause) {
        if (stoppedBecause != null) {
            return stoppedBecause;
        }
        if (failure instanceof ScriptFailure f) {
            return f.getMessage();
        }
        if (failure instanceof PolyglotException p) {
            if (p.isResourceExhausted()) {
                // the same flag for a statement limit and for a heap or stack the host ran out of
                String message = String.valueOf(p.getMessage());
                if (message.toLowerCase(java.util.Locale.ROOT).contains("statement")) {
                    return "stopped after " + STATEMENT_LIMIT + " statements (statement limit)";
                }
                return "stopped: the runtime ran out of a resource (" + firstLine(message) + ")";
            }
            if (p.isCancelled()) {
                return "stopped (cancelled)";
            }
            if (p.isSyntaxError()) {
                return "does not parse: " + firstLine(p.getMessage());
            }
            return (p.isHostException() ? "failed: " : "threw: ") + firstLine(p.getMessage());
        }
        if (failure instanceof OutOfMemoryError || failure instanceof StackOverflowError) {
            return "stopped: the runtime ran out of a resource (" + failure + ")";
        }
        return failure.getClass().getSimpleName() + ": " + firstLine(failure.getMessage());
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    /** Drops the engine's log records, as its null err stream did, and is never "closed" to a late flush. */
    private static final class QuietLogHandler extends java.util.logging.Handler {
        @Override
        public void publish(java.util.logging.LogRecord record) {
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    /**
     * Starts listening to the JVM's collections, once, when this sandbox first runs a script (never
     * once closed); later runs only read the field.
     */
    private void watchCollections() {
        if (!watchCollections || collections != null) {
            return;
        }
        synchronized (this) {
            if (collections == null && !runners.isShutdown()) {
                collections = new CollectionWatch(this::collected);
            }
        }
    }

    /** Whether this sandbox listens to the JVM's collections. */
    boolean watchingCollections() {
        return collections != null;
    }

    @Override
    public void close() {
        synchronized (this) {
            runners.shutdownNow(); // first: a run after this starts no watch
            if (collections != null) {
                collections.close();
            }
        }
        watchdogs.shutdownNow();
        stoppers.shutdownNow();
        engine.close(true);
    }
}
