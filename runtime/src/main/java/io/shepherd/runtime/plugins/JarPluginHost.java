package io.shepherd.runtime.plugins;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.shepherd.plugins.api.HealthCheck;
import io.shepherd.plugins.api.HealthCheckProvider;
import io.shepherd.plugins.api.RecoveryPolicyProvider;
import io.shepherd.runtime.health.HealthRegistry;
import io.shepherd.runtime.lifecycle.Background;
import io.shepherd.runtime.policy.PluginVersion;
import io.shepherd.runtime.policy.PolicyProviders;

/**
 * Plugin jars in {@code plugins.dir}, loaded without a restart: each jar in a class loader of its
 * own (over a private copy, so that replacing the file never pulls the ground from under a loaded
 * plugin), its health checks and recovery policies found through {@link ServiceLoader}. A jar is
 * loaded within a second or two of appearing, unloaded when it disappears and reloaded when it is
 * replaced. A jar that cannot be loaded is listed with its error; the runtime runs on.
 *
 * <p>A plugin jar is trusted code: it runs with the runtime's rights (its loader's parent is the
 * runtime's), so whoever may write to {@code plugins.dir} may run code in the runtime, as with a
 * JDBC driver folder. {@code plugins.sha256} narrows that to jars an operator approved: when it
 * lists sums, a jar whose private copy has another SHA-256 is listed as refused and never loaded.
 */
public final class JarPluginHost implements Background, FolderWatch.Host {
    private static final System.Logger LOG = System.getLogger(JarPluginHost.class.getName());

    private final Path copies;
    private final HealthRegistry health;
    private final PolicyProviders policies;
    private final Map<Path, Loaded> loaded = new ConcurrentHashMap<>();
    private final FolderWatch folder;

    /** A jar as loaded: what it looked like, its loader, and what it provided (or why it failed). */
    private record Loaded(URLClassLoader loader, Path copy, List<String> checks,
                          List<String> policyNames, List<PluginInfo> infos) {
    }

    private final Set<String> trusted;

    /** {@code trusted}: SHA-256 sums (lower-case hex) of the only jars to load; empty: every jar. */
    public JarPluginHost(Path dir, Path copies, List<String> trusted, HealthRegistry health, PolicyProviders policies,
                         long periodMillis) {
        this.copies = copies;
        this.trusted = Set.copyOf(trusted);
        this.health = health;
        this.policies = policies;
        this.folder = new FolderWatch(name(), dir, f -> f.getFileName().toString().endsWith(".jar"), periodMillis,
                this);
    }

    @Override
    public String name() {
        return "plugin-jars";
    }

    /** Loads the jars in the folder now, then follows the folder. */
    @Override
    public void start() {
        folder.start();
    }

    @Override
    public void removed(Path jar) {
        Loaded was = loaded.get(jar);
        if (was != null) {
            unload(jar, was);
            LOG.log(System.Logger.Level.INFO, "Plugin jar " + jar.getFileName() + " removed or replaced; unloaded");
        }
    }

    @Override
    public void added(Path jar) {
        load(jar);
    }

    private void load(Path jar) {
        String source = jar.toString();
        List<String> checkNames = new ArrayList<>();
        List<String> policyNames = new ArrayList<>();
        List<PluginInfo> infos = new ArrayList<>();
        URLClassLoader loader = null;
        Path copy = null;
        try {
            Files.createDirectories(copies);
            copy = Files.createTempFile(copies, jar.getFileName().toString().replace(".jar", "") + "-", ".jar");
            Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
            if (!trusted.isEmpty()) {
                String sum = sha256(copy); // of the copy that is loaded, not of a file that may change after
                if (!trusted.contains(sum)) {
                    throw new SecurityException("not trusted: its SHA-256 is " + sum + ", which plugins.sha256 does "
                            + "not list");
                }
            }
            loader = new URLClassLoader("plugin:" + jar.getFileName(), new URL[]{copy.toUri().toURL()},
                    JarPluginHost.class.getClassLoader());
            for (HealthCheckProvider provider : ServiceLoader.load(HealthCheckProvider.class, loader)) {
                if (provider.getClass().getClassLoader() != loader) {
                    continue; // the runtime's own providers, seen through the parent
                }
                PluginVersion.require(provider.apiVersion(), "health check provider " + provider.getClass().getName());
                for (HealthCheck check : provider.checks()) {
                    try {
                        health.add(check, source);
                        checkNames.add(check.name());
                        infos.add(PluginInfo.loaded(check.name(), PluginInfo.HEALTH_CHECK, source));
                    } catch (IllegalArgumentException e) {
                        infos.add(PluginInfo.failed(check.name(), PluginInfo.HEALTH_CHECK, source, e.getMessage()));
                    }
                }
            }
            for (RecoveryPolicyProvider provider : ServiceLoader.load(RecoveryPolicyProvider.class, loader)) {
                if (provider.getClass().getClassLoader() != loader) {
                    continue;
                }
                try {
                    policies.add(provider);
                    policyNames.add(provider.name());
                    infos.add(PluginInfo.loaded(provider.name(), PluginInfo.RECOVERY_POLICY, source));
                } catch (IllegalArgumentException e) {
                    infos.add(PluginInfo.failed(provider.name(), PluginInfo.RECOVERY_POLICY, source, e.getMessage()));
                }
            }
            if (infos.isEmpty()) {
                infos.add(PluginInfo.failed(jar.getFileName().toString(), "jar", source,
                        "provides no health check or recovery policy (META-INF/services)"));
            }
            LOG.log(System.Logger.Level.INFO, "Plugin jar " + jar.getFileName() + " loaded: checks " + checkNames
                    + ", policies " + policyNames);
        } catch (IOException | RuntimeException | ServiceConfigurationError | LinkageError e) {
            // a corrupt or incompatible jar: listed with its error, nothing of it in force
            checkNames.forEach(name -> health.remove(name, source));
            policyNames.forEach(policies::remove);
            checkNames.clear();
            policyNames.clear();
            infos.clear();
            String error = e instanceof SecurityException ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
            if (loader != null) {
                try {
                    loader.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
            infos.add(PluginInfo.failed(jar.getFileName().toString(), "jar", source, error));
            LOG.log(System.Logger.Level.WARNING, "Plugin jar " + jar.getFileName() + " could not be loaded: " + error);
        }
        loaded.put(jar, new Loaded(loader, copy, checkNames, policyNames, infos));
    }

    static String sha256(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private void unload(Path jar, Loaded was) {
        loaded.remove(jar);
        was.checks().forEach(name -> health.remove(name, jar.toString()));
        was.policyNames().forEach(policies::remove);
        if (was.loader() != null) {
            try {
                was.loader().close();
            } catch (IOException ignored) {
                // best effort
            }
        }
        if (was.copy() != null) {
            try {
                Files.deleteIfExists(was.copy());
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    public List<PluginInfo> list() {
        List<PluginInfo> all = new ArrayList<>();
        loaded.values().forEach(l -> all.addAll(l.infos()));
        return all;
    }

    @Override
    public void close() {
        folder.close();
        synchronized (folder) {
            new ArrayList<>(loaded.keySet()).forEach(jar -> unload(jar, loaded.get(jar)));
        }
    }
}
