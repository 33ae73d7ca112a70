package io.shepherd.runtime.plugins;

import java.util.ArrayList;
import java.util.List;

import io.shepherd.runtime.health.HealthRegistry;
import io.shepherd.runtime.plugins.script.ScriptHost;
import io.shepherd.runtime.policy.Policies;

/** {@code GET /v1/admin/plugins}: every health check and recovery policy in force or refused — built-in, jar, script. */
public final class PluginCatalog {
    private final HealthRegistry checks;
    private final Policies policies;
    private final JarPluginHost jars;
    private final ScriptHost scripts;

    public PluginCatalog(HealthRegistry checks, Policies policies, JarPluginHost jars, ScriptHost scripts) {
        this.checks = checks;
        this.policies = policies;
        this.jars = jars;
        this.scripts = scripts;
    }

    public List<PluginInfo> list() {
        List<PluginInfo> all = new ArrayList<>();
        checks.all().stream().filter(e -> HealthRegistry.BUILT_IN.equals(e.source()))
                .forEach(e -> all.add(PluginInfo.loaded(e.check().name(), PluginInfo.HEALTH_CHECK, HealthRegistry.BUILT_IN)));
        policies.providers().builtInNames().forEach(name ->
                all.add(PluginInfo.loaded(name, PluginInfo.RECOVERY_POLICY, HealthRegistry.BUILT_IN)));
        all.addAll(jars.list());
        all.addAll(scripts.list());
        // a policy that keeps failing is loaded but not called for now: say so, and why
        all.replaceAll(p -> {
            String open = PluginInfo.RECOVERY_POLICY.equals(p.kind()) && "loaded".equals(p.status())
                    ? policies.openCircuit(p.name()) : null;
            return open == null ? p : new PluginInfo(p.name(), p.kind(), p.source(), PluginInfo.CIRCUIT_OPEN, open);
        });
        return all;
    }
}
