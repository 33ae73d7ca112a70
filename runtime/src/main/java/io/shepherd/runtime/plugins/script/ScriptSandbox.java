package io.shepherd.runtime.plugins.script;

import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

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
 * contexts are cheap), on a platform thread, with a statement limit and a watchdog that cancels
 * the run past its time limit. What a run could not finish is a {@link ScriptFailure} whose
 * message says why.
 */
final class ScriptSandbox implements AutoCloseable {
    static final long STATEMENT_LIMIT = 1_000_000;

    private final Engine engine;
    private final ResourceLimits limits;
    private final ExecutorService runners = Executors.newCachedThreadPool(Threads.daemons("script"));
    private final ScheduledExecutorService watchdogs = Threads.timer("script-watchdog");

    ScriptSandbox() {
        this.engine = Engine.newBuilder("js")
                .sandbox(SandboxPolicy.CONSTRAINED)
                .out(OutputStream.nullOutputStream())
                .err(OutputStream.nullOutputStream())
                .option("engine.WarnInterpreterOnly", "false")
                .build();
        this.limits = ResourceLimits.newBuilder().statementLimit(STATEMENT_LIMIT, null).build();
    }

    /** A script run that did not produce an answer; its message says why. */
    static final class ScriptFailure extends RuntimeException {
        ScriptFailure(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Evaluates the script in a fresh context, then {@code body} while the context is open; the
     * watchdog cancels it past {@code limit}.
     */
    <T> T run(Source source, Duration limit, Function<Context, T> body) {
        Future<T> future = runners.submit(() -> {
            try (Context context = Context.newBuilder("js")
                    .engine(engine)
                    .sandbox(SandboxPolicy.CONSTRAINED)
                    .out(OutputStream.nullOutputStream())
                    .err(OutputStream.nullOutputStream())
                    .resourceLimits(limits)
                    .build()) {
                ScheduledFuture<?> watchdog = watchdogs.schedule(() -> context.close(true), limit.toMillis(),
                        TimeUnit.MILLISECONDS);
                try {
                    context.eval(source);
                    return body.apply(context);
                } finally {
                    watchdog.cancel(false);
                }
            }
        });
        try {
            return future.get(limit.toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new ScriptFailure("did not finish within " + limit.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ScriptFailure("interrupted");
        } catch (ExecutionException e) {
            throw new ScriptFailure(describe(e.getCause(), limit));
        }
    }

    private static String describe(Throwable failure, Duration limit) {
        if (failure instanceof PolyglotException p) {
            if (p.isCancelled()) {
                return "stopped after " + limit.toMillis() + " ms (time limit)";
            }
            if (p.isResourceExhausted()) {
                return "stopped after " + STATEMENT_LIMIT + " statements (statement limit)";
            }
            if (p.isSyntaxError()) {
                return "does not parse: " + p.getMessage();
            }
            return (p.isHostException() ? "failed: " : "threw: ") + p.getMessage();
        }
        return failure.getClass().getSimpleName() + ": " + failure.getMessage();
    }

    @Override
    public void close() {
        watchdogs.shutdownNow();
        runners.shutdownNow();
        engine.close(true);
    }
}
