package io.shepherd.runtime.plugins.script;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.shepherd.runtime.core.PluginLimits;
import io.shepherd.runtime.health.HealthRegistry;
import io.shepherd.runtime.lifecycle.Background;
import io.shepherd.runtime.plugins.FolderWatch;
import io.shepherd.runtime.plugins.PluginInfo;
import io.shepherd.runtime.policy.PolicyProviders;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/**
 * JavaScript health checks ({@code NAME.check.js}: {@code function check(ctx)}) and recovery
 * policies ({@code NAME.policy.js}: {@code function decide(job, ctx)}) in {@code scripts.dir},
 * run in the {@link ScriptSandbox}; they see only a read-only copy of the runtime view. Edits are
 * picked up without a restart; a script that does not parse, or defines no such function, is
 * listed with its error.
 */
public final class ScriptHost implements Background, FolderWatch.Host {
    private static final System.Logger LOG = System.getLogger(ScriptHost.class.getName());
    /** A script is tried once when it is loaded, off the request path, with at least this long. */
    static final Duration LOAD_TIMEOUT = Duration.ofSeconds(10);

    private final Duration timeout;
    private final HealthRegistry health;
    private final PolicyProviders policies;
    private final ScriptSandbox sandbox;
    private final Map<Path, Script> scripts = new ConcurrentHashMap<>();
    private final FolderWatch folder;

    private record Script(String name, String kind, String error) {
    }

    /** {@code timeout}: how long one run of a check or a policy may take; {@code limits}: what it may use. */
    public ScriptHost(Path dir, Duration timeout, PluginLimits limits, HealthRegistry health, PolicyProviders policies,
                      long periodMillis) {
        this.timeout = timeout;
        this.sandbox = new ScriptSandbox(limits);
        this.health = health;
        this.policies = policies;
        this.folder = new FolderWatch(name(), dir, f -> kindOf(f) != null, periodMillis, this);
    }

    @Override
    public String name() {
        return "plugin-scripts";
    }

    /** Loads the scripts in the folder now, then follows the folder. */
    @Override
    public void start() {
        folder.start();
    }

    @Override
    public void removed(Path file) {
        Script was = scripts.remove(file);
        if (was != null) {
            if (was.error() == null) {
                if (PluginInfo.HEALTH_CHECK.equals(was.kind())) {
                    health.remove(was.name(), file.toString());
                } else {
                    policies.remove(was.name());
                }
            }
            LOG.log(System.Logger.Level.INFO, "Script " + file.getFileName() + " removed or changed");
        }
    }

    @Override
    public void added(Path file) {
        String kind = kindOf(file);
        String name = nameOf(file);
        String error = null;
        try {
            Source source = Source.newBuilder("js", Files.readString(file), file.getFileName().toString())
                    .cached(true).build();
            tryOnce(source, PluginInfo.HEALTH_CHECK.equals(kind) ? ScriptCheck.FUNCTION : ScriptPolicy.FUNCTION);
            if (PluginInfo.HEALTH_CHECK.equals(kind)) {
                health.add(new ScriptCheck(name, source, sandbox, timeout), file.toString());
            } else {
                policies.add(new ScriptPolicy(name, source, sandbox, timeout));
            }
            LOG.log(System.Logger.Level.INFO, "Script " + file.getFileName() + " loaded as " + kind + " " + name);
        } catch (IOException e) {
            error = "cannot read: " + e.getMessage();
        } catch (ScriptSandbox.ScriptFailure | IllegalArgumentException e) {
            error = e.getMessage();
        }
        if (error != null) {
            LOG.log(System.Logger.Level.WARNING, "Script " + file.getFileName() + " refused: " + error);
        }
        scripts.put(file, new Script(name, kind, error));
    }

    /**
     * Evaluates the script and checks that it defines the function. Off the request path, a cold
     * engine gets more time than a probe would, so a slow first start does not leave a good script
     * refused until its file changes.
     */
    private void tryOnce(Source source, String function) {
        sandbox.run(source, LOAD_TIMEOUT.compareTo(timeout) > 0 ? LOAD_TIMEOUT : timeout, context -> {
            Value fn = context.getBindings("js").getMember(function);
            if (fn == null || !fn.canExecute()) {
                throw new IllegalArgumentException("it defines no function " + function + "(...)");
            }
            return null;
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

    public List<PluginInfo> list() {
        List<PluginInfo> all = new ArrayList<>();
        scripts.forEach((file, s) -> all.add(s.error() == null
                ? PluginInfo.loaded(s.name(), s.kind(), file.toString())
                : PluginInfo.failed(s.name(), s.kind(), file.toString(), s.error())));
        return all;
    }

    @Override
    public void close() {
        folder.close();
        sandbox.close();
    }
}
