package io.shepherd.runtime.plugins;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.shepherd.plugins.api.Decision;
import io.shepherd.plugins.api.HealthCheck;
import io.shepherd.plugins.api.HealthContext;
import io.shepherd.plugins.api.HealthStatus;
import io.shepherd.plugins.api.JobFacts;
import io.shepherd.plugins.api.PolicyContext;
import io.shepherd.plugins.api.PolicySettings;
import io.shepherd.plugins.api.RecoveryPolicy;
import io.shepherd.plugins.api.RecoveryPolicyProvider;
import io.shepherd.plugins.api.RuntimeView;
import io.shepherd.runtime.recovery.PolicyProviders;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.ResourceLimits;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/**
 * JavaScript health checks ({@code NAME.check.js}: {@code function check(ctx)}) and recovery
 * policies ({@code NAME.policy.js}: {@code function decide(job, ctx)}) in {@code scripts.dir},
 * run through GraalVM polyglot under {@link SandboxPolicy#CONSTRAINED}: no host I/O, no threads,
 * no Java class lookup; they see only a read-only copy of the runtime view. Every run has a
 * statement limit and a watchdog that cancels it past the timeout. One engine is shared so that
 * contexts are cheap; scripts run on platform threads. Edits are picked up without a restart; a
 * script that does not parse is listed with its error.
 */
public final class ScriptHost implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ScriptHost.class.getName());
    static final long STATEMENT_LIMIT = 1_000_000;
    static final Duration LOAD_TIMEOUT = Duration.ofSeconds(10);

    private final Path dir;
    private final Duration timeout;
    private final HealthRegistry health;
    private final PolicyProviders policies;
    private final Engine engine;
    private final ResourceLimits limits;
    private final ExecutorService runners;
    private final ScheduledExecutorService timers;
    private final Map<Path, Script> scripts = new ConcurrentHashMap<>();
    private final FolderScan folder;

    private record Script(String name, String kind, Source source, String error) {
    }

    public ScriptHost(Path dir, Duration timeout, HealthRegistry health, PolicyProviders policies) {
        this.dir = dir;
        this.timeout = timeout;
        this.health = health;
        this.policies = policies;
        this.folder = new FolderScan(dir, f -> kindOf(f) != null);
        this.engine = Engine.newBuilder("js")
                .sandbox(SandboxPolicy.CONSTRAINED)
                .out(OutputStream.nullOutputStream())
                .err(OutputStream.nullOutputStream())
                .option("engine.WarnInterpreterOnly", "false")
                .build();
        this.limits = ResourceLimits.newBuilder().statementLimit(STATEMENT_LIMIT, null).build();
        this.runners = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "shepherd-script");
            t.setDaemon(true);
            return t;
        });
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "shepherd-script-watch");
            t.setDaemon(true);
            return t;
        });
    }

    public void start(long periodMillis) {
        scan();
        timers.scheduleWithFixedDelay(() -> {
            try {
                scan();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Scanning " + dir + " failed: " + e);
            }
        }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    synchronized void scan() {
        folder.look(new FolderScan.Changes() {
            @Override
            public void removed(Path file) {
                Script was = scripts.get(file);
                if (was != null) {
                    unregister(file, was);
                    LOG.log(System.Logger.Level.INFO, "Script " + file.getFileName() + " removed or changed");
                }
            }

            @Override
            public void added(Path file) {
                load(file);
            }
        });
    }

    private static String kindOf(Path file) {
        String name = file.getFileName().toString();
        if (name.endsWith(".check.js")) {
            return PluginInfo.HEALTH_CHECK;
        }
        if (name.endsWith(".policy.js")) {
            return PluginInfo.RECOVERY_POLICY;
        }
        return null;
    }

    private static String nameOf(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.indexOf('.'));
    }

    private void load(Path file) {
        String kind = kindOf(file);
        String name = nameOf(file);
        String function = PluginInfo.HEALTH_CHECK.equals(kind) ? "check" : "decide";
        Source source;
        String error = null;
        try {
            source = Source.newBuilder("js", Files.readString(file), file.getFileName().toString()).cached(true).build();
            // checked off the request path: a cold engine gets more time than a probe would, so
            // a slow first start does not leave a good script refused until its file changes
            evaluate(source, LOAD_TIMEOUT.compareTo(timeout) > 0 ? LOAD_TIMEOUT : timeout, context -> {
                Value fn = context.getBindings("js").getMember(function);
                if (fn == null || !fn.canExecute()) {
                    throw new IllegalArgumentException("it defines no function " + function + "(...)");
                }
                return null;
            });
        } catch (IOException e) {
            source = null;
            error = "cannot read: " + e.getMessage();
        } catch (ScriptFailure e) {
            source = null;
            error = e.getMessage();
        }
        if (error == null) {
            try {
                if (PluginInfo.HEALTH_CHECK.equals(kind)) {
                    health.add(new ScriptCheck(name, source), file.toString());
                } else {
                    policies.add(new ScriptPolicy(name, source));
                }
                LOG.log(System.Logger.Level.INFO, "Script " + file.getFileName() + " loaded as " + kind + " " + name);
            } catch (IllegalArgumentException e) {
                error = e.getMessage();
            }
        }
        if (error != null) {
            LOG.log(System.Logger.Level.WARNING, "Script " + file.getFileName() + " refused: " + error);
        }
        scripts.put(file, new Script(name, kind, error == null ? source : null, error));
    }

    private void unregister(Path file, Script was) {
        scripts.remove(file);
        if (was.error() != null) {
            return;
        }
        if (PluginInfo.HEALTH_CHECK.equals(was.kind())) {
            health.remove(was.name(), file.toString());
        } else {
            policies.remove(was.name());
        }
    }

    public List<PluginInfo> list() {
        List<PluginInfo> all = new ArrayList<>();
        scripts.forEach((file, s) -> all.add(s.error() == null
                ? PluginInfo.loaded(s.name(), s.kind(), file.toString())
                : PluginInfo.failed(s.name(), s.kind(), file.toString(), s.error())));
        return all;
    }

    /** A script run that did not produce an answer; its message says why. */
    static final class ScriptFailure extends RuntimeException {
        ScriptFailure(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Runs the script in a fresh context of the shared engine on a platform thread, then
     * {@code body} while the context is open; a watchdog cancels it past the timeout.
     */
    <T> T evaluate(Source source, Function<Context, T> body) {
        return evaluate(source, timeout, body);
    }

    private <T> T evaluate(Source source, Duration limit, Function<Context, T> body) {
        Future<T> future = runners.submit(() -> {
            try (Context context = Context.newBuilder("js")
                    .engine(engine)
                    .sandbox(SandboxPolicy.CONSTRAINED)
                    .out(OutputStream.nullOutputStream())
                    .err(OutputStream.nullOutputStream())
                    .resourceLimits(limits)
                    .build()) {
                ScheduledFuture<?> watchdog = timers.schedule(() -> context.close(true), limit.toMillis(),
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

    /** The runtime view as scripts see it: plain data, read-only. */
    static ReadOnlyProxy view(RuntimeView view) {
        Map<String, Object> members = new LinkedHashMap<>();
        members.put("now", view.nowMillis());
        members.put("jobs", view.jobsByStatus());
        members.put("bots", view.botsByStatus());
        members.put("oldestPendingAgeMs", view.oldestPendingAgeMs());
        members.put("lastSweepAt", view.lastSweepAtMillis());
        return new ReadOnlyProxy(members);
    }

    /** {@code NAME.check.js}: a health check named NAME. */
    private final class ScriptCheck implements HealthCheck {
        private final String name;
        private final Source source;

        ScriptCheck(String name, Source source) {
            this.name = name;
            this.source = source;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public HealthStatus check(HealthContext context) {
            ReadOnlyProxy view = view(context);
            return evaluate(source, ctx -> {
                Value result = ctx.getBindings("js").getMember("check").execute(view);
                if (result == null || !result.hasMember("status")) {
                    throw new IllegalStateException("check(ctx) must return {status: \"UP\" | \"DOWN\", details?}");
                }
                String status = result.getMember("status").asString();
                Map<String, Object> details = new LinkedHashMap<>();
                Value d = result.getMember("details");
                if (d != null && d.hasMembers()) {
                    for (String key : d.getMemberKeys()) {
                        details.put(key, plain(d.getMember(key)));
                    }
                }
                if ("UP".equals(status)) {
                    return HealthStatus.healthy(details);
                }
                if ("DOWN".equals(status)) {
                    return HealthStatus.unhealthy(details.isEmpty() ? Map.of("reason", "the script says DOWN") : details);
                }
                throw new IllegalStateException("status must be UP or DOWN, was " + status);
            });
        }
    }

    private static Object plain(Value v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isNumber()) {
            return v.fitsInLong() ? (Object) v.asLong() : (Object) v.asDouble();
        }
        return v.toString();
    }

    /** {@code NAME.policy.js}: a recovery policy named NAME. */
    private final class ScriptPolicy implements RecoveryPolicyProvider {
        private final String name;
        private final Source source;

        ScriptPolicy(String name, Source source) {
            this.name = name;
            this.source = source;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public RecoveryPolicy create(PolicySettings settings) {
            return (JobFacts job, PolicyContext context) -> {
                Map<String, Object> facts = new LinkedHashMap<>();
                facts.put("id", job.id());
                facts.put("type", job.type());
                facts.put("queue", job.queue());
                facts.put("attempt", job.attempt());
                facts.put("maxAttempts", job.maxAttempts());
                facts.put("reason", job.reason());
                ReadOnlyProxy jobView = new ReadOnlyProxy(facts);
                ReadOnlyProxy view = view(context);
                return evaluate(source, ctx -> {
                    Value result = ctx.getBindings("js").getMember("decide").execute(jobView, view);
                    if (result == null || !result.hasMember("action")) {
                        throw new IllegalStateException("decide(job, ctx) must return {action: \"requeue\" | \"dead\", delayMs?}");
                    }
                    String action = result.getMember("action").asString();
                    return switch (action) {
                        case "dead" -> Decision.dead();
                        case "requeue" -> {
                            Value delay = result.getMember("delayMs");
                            yield Decision.requeue(delay == null || delay.isNull() ? 0 : Math.max(0, delay.asLong()));
                        }
                        default -> throw new IllegalStateException("action must be requeue or dead, was " + action);
                    };
                });
            };
        }
    }

    @Override
    public void close() {
        timers.shutdownNow();
        runners.shutdownNow();
        engine.close(true);
    }
}
