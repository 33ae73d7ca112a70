package io.shepherd.runtime.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.shepherd.runtime.auth.Authenticator;
import io.shepherd.runtime.core.JobStatus;
import io.shepherd.runtime.core.Limits;
import io.shepherd.runtime.core.PluginLimits;
import io.shepherd.runtime.core.Retention;
import io.shepherd.runtime.core.Settings;
import io.shepherd.runtime.db.DatabaseSettings;
import io.shepherd.runtime.db.Dialect;
import io.shepherd.runtime.db.Dialects;
import io.shepherd.runtime.policy.PolicyBook;
import io.shepherd.runtime.schedule.ScheduleBook;

/**
 * The runtime's configuration: built-in defaults, then the {@code --config} YAML file, then the
 * environment (Helidon's mapping, e.g. {@code SERVER_PORT}, plus {@code SHEPHERD_DB_URL} /
 * {@code DATABASE_URL} and {@code SHEPHERD_*_TOKENS}), then system properties. Validated here,
 * once, when the runtime is built.
 */
public record ShepherdConfig(Config config,
                             Path dataDir,
                             DatabaseSettings database,
                             Settings settings,
                             boolean recoveryEnabled,
                             Duration recoveryInterval,
                             Duration botsLostAfter,
                             long maxBody,
                             Authenticator.TokenSet tokens,
                             Optional<Path> policiesFile,
                             PolicyBook policies,
                             Path pluginsDir,
                             Path scriptsDir,
                             Duration checkTimeout,
                             Duration healthInterval,
                             Duration metricsInterval,
                             Duration finishedCountsInterval,
                             Retention retention,
                             Limits limits,
                             ScheduleBook schedules,
                             Optional<Path> schedulesFile,
                             Duration schedulesTick,
                             boolean schedulerEnabled,
                             PluginLimits pluginLimits,
                             int authFailuresPerMinute) {

    public static ShepherdConfig load(Optional<Path> file, Map<String, String> env) {
        var builder = Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource();
        List<io.helidon.config.spi.ConfigSource> sources = new ArrayList<>();
        sources.add(ConfigSources.systemProperties().build());
        sources.add(ConfigSources.create(explicitEnv(env)).build());
        sources.add(ConfigSources.environmentVariables());
        file.ifPresent(f -> {
            if (!f.toFile().isFile()) {
                throw new IllegalArgumentException("Config file not found: " + f);
            }
            sources.add(ConfigSources.file(f).build());
        });
        sources.add(ConfigSources.classpath("shepherd-defaults.yaml").build());
        sources.forEach(builder::addSource);
        return from(builder.build());
    }

    /** The few environment variables whose names do not follow Helidon's mapping. */
    private static Map<String, String> explicitEnv(Map<String, String> env) {
        Map<String, String> map = new HashMap<>();
        String url = env.getOrDefault("SHEPHERD_DB_URL", env.get("DATABASE_URL"));
        if (url != null && !url.isBlank()) {
            map.put("db.url", url);
        }
        put(map, "db.username", env.get("SHEPHERD_DB_USERNAME"));
        put(map, "db.password", env.get("SHEPHERD_DB_PASSWORD"));
        put(map, "data.dir", env.get("SHEPHERD_DATA_DIR"));
        put(map, "auth.admin-tokens", env.get("SHEPHERD_ADMIN_TOKENS"));
        put(map, "auth.client-tokens", env.get("SHEPHERD_CLIENT_TOKENS"));
        put(map, "auth.enroll-tokens", env.get("SHEPHERD_ENROLL_TOKENS"));
        put(map, "auth.viewer-tokens", env.get("SHEPHERD_VIEWER_TOKENS"));
        put(map, "policies", env.get("SHEPHERD_POLICIES"));
        put(map, "schedules", env.get("SHEPHERD_SCHEDULES"));
        put(map, "db.replicas", env.get("SHEPHERD_DB_REPLICAS"));
        put(map, "plugins.dir", env.get("SHEPHERD_PLUGINS_DIR"));
        put(map, "scripts.dir", env.get("SHEPHERD_SCRIPTS_DIR"));
        put(map, "plugins.sha256", env.get("SHEPHERD_PLUGINS_SHA256"));
        return map;
    }

    private static void put(Map<String, String> map, String key, String value) {
        if (value != null && !value.isBlank()) {
            map.put(key, value);
        }
    }

    public static ShepherdConfig from(Config config) {
        Path dataDir = Path.of(config.get("data.dir").asString().orElse("./data")).toAbsolutePath().normalize();
        String url = config.get("db.url").asString().filter(s -> !s.isBlank())
                .orElseGet(() -> DatabaseSettings.h2Url(dataDir));
        DatabaseSettings db = DatabaseSettings.normalize(new DatabaseSettings(url,
                config.get("db.username").asString().orElse(null),
                config.get("db.password").asString().orElse(null),
                config.get("db.pool-size").asInt().orElse(10),
                duration(config, "db.connect-timeout", Duration.ofSeconds(2)),
                tokens(config, "db.replicas")));
        Dialect dialect = Dialects.forUrl(db.url());
        for (String replica : db.replicas()) {
            if (!dialect.servesReadReplicas() || !dialect.accepts(replica)) {
                throw new IllegalArgumentException("db.replicas takes URLs of read replicas of the primary database ("
                        + "jdbc:postgresql:), was " + replica);
            }
        }
        Settings defaults = Settings.defaults();
        Duration lostAfter = duration(config, "bots.lost-after", defaults.lostAfter());
        Settings settings = new Settings(
                duration(config, "lease.ttl", defaults.leaseTtl()),
                duration(config, "heartbeat.interval", defaults.heartbeatInterval()),
                duration(config, "claim.max-wait", defaults.maxWait()), lostAfter);
        // policies: a path to a YAML file that is watched and reloaded, or the policies inline
        Config policiesNode = config.get("policies");
        Optional<Path> policiesFile = Optional.empty();
        PolicyBook policies;
        if (policiesNode.isLeaf() && policiesNode.exists()) {
            Path file = Path.of(policiesNode.asString().get()).toAbsolutePath().normalize();
            if (!file.toFile().isFile()) {
                throw new IllegalArgumentException("policies names a file that does not exist: " + file);
            }
            policiesFile = Optional.of(file);
            policies = PolicyBook.builtIn();
        } else {
            try {
                policies = PolicyBook.parse(policiesNode);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("policies." + e.getMessage(), e);
            }
        }
        var schedules = schedules(config);
        Duration recoveryInterval = duration(config, "recovery.interval", Duration.ofSeconds(5));
        if (recoveryInterval.isNegative() || recoveryInterval.isZero()) {
            throw new IllegalArgumentException("recovery.interval must be positive, was " + recoveryInterval);
        }
        long maxBody = config.get("limits.max-body").asLong().orElse(1024 * 1024L);
        if (maxBody < 1024) {
            throw new IllegalArgumentException("limits.max-body must be at least 1024 bytes, was " + maxBody);
        }
        Authenticator.TokenSet tokens = new Authenticator.TokenSet(tokens(config, "auth.admin-tokens"),
                tokens(config, "auth.client-tokens"), tokens(config, "auth.enroll-tokens"),
                tokens(config, "auth.viewer-tokens"));
        Duration checkTimeout = duration(config, "health.check-timeout", Duration.ofSeconds(2));
        if (checkTimeout.isNegative() || checkTimeout.isZero()) {
            throw new IllegalArgumentException("health.check-timeout must be positive, was " + checkTimeout);
        }
        return new ShepherdConfig(config, dataDir, db, settings,
                config.get("recovery.enabled").asBoolean().orElse(true), recoveryInterval, lostAfter, maxBody, tokens,
                policiesFile, policies,
                Path.of(config.get("plugins.dir").asString().orElse("./plugins")).toAbsolutePath().normalize(),
                Path.of(config.get("scripts.dir").asString().orElse("./scripts")).toAbsolutePath().normalize(),
                checkTimeout, positive(config, "health.interval", Duration.ofSeconds(2)),
                positive(config, "metrics.interval", Duration.ofSeconds(5)),
                positive(config, "metrics.finished-interval", Duration.ofMinutes(1)), retention(config), limits(config),
                schedules.getKey(), schedules.getValue(), positive(config, "scheduler.tick", Duration.ofSeconds(1)),
                config.get("scheduler.enabled").asBoolean().orElse(true), pluginLimits(config),
                authFailuresPerMinute(config));
    }

    private static int authFailuresPerMinute(Config config) {
        int perMinute = config.get("auth.failures-per-minute").asInt().orElse(30);
        if (perMinute < 1) {
            throw new IllegalArgumentException("auth.failures-per-minute must be at least 1, was " + perMinute);
        }
        return perMinute;
    }

    /**
     * {@code scripts.memory-limit}, {@code scripts.runners}, {@code scripts.heap-guard},
     * {@code health.check-runners}, {@code plugins.sha256}.
     */
    private static PluginLimits pluginLimits(Config config) {
        PluginLimits defaults = PluginLimits.defaults();
        return new PluginLimits(
                config.get("scripts.memory-limit").asString().map(t -> PluginLimits.parseBytes("scripts.memory-limit", t))
                        .orElse(defaults.scriptMemory()),
                config.get("scripts.runners").asInt().orElse(defaults.scriptRunners()),
                config.get("scripts.heap-guard").asString().map(t -> PluginLimits.parsePercent("scripts.heap-guard", t))
                        .orElse(defaults.scriptHeapGuard()),
                config.get("health.check-runners").asInt().orElse(defaults.checkRunners()),
                tokens(config, "plugins.sha256"));
    }

    /** {@code schedules}: inline, or the path of a YAML file that is watched and reloaded. */
    private static Map.Entry<ScheduleBook, Optional<Path>> schedules(Config config) {
        Config node = config.get("schedules");
        if (node.isLeaf() && node.exists()) {
            Path file = Path.of(node.asString().get()).toAbsolutePath().normalize();
            if (!file.toFile().isFile()) {
                throw new IllegalArgumentException("schedules names a file that does not exist: " + file);
            }
            return Map.entry(ScheduleBook.empty(), Optional.of(file));
        }
        try {
            return Map.entry(ScheduleBook.parse(node), Optional.empty());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("schedules." + e.getMessage(), e);
        }
    }

    /** {@code retention.*}: a period per finished status and for departed bots; {@code 0} keeps for ever. */
    private static Retention retention(Config config) {
        Retention defaults = Retention.defaults();
        Map<JobStatus, Duration> jobs = new java.util.EnumMap<>(JobStatus.class);
        for (JobStatus status : Retention.FINISHED) {
            String key = "retention." + status.wire();
            jobs.put(status, config.get(key).asString().map(t -> Retention.parsePeriod(key, t))
                    .orElse(defaults.jobs().get(status)));
        }
        Duration bots = config.get("retention.bots").asString().map(t -> Retention.parsePeriod("retention.bots", t))
                .orElse(defaults.bots());
        Duration actions = config.get("retention.actions").asString()
                .map(t -> Retention.parsePeriod("retention.actions", t)).orElse(defaults.actions());
        return new Retention(jobs, bots, actions, positive(config, "retention.interval", defaults.interval()),
                config.get("retention.batch").asInt().orElse(defaults.batch()));
    }

    private static Limits limits(Config config) {
        Limits defaults = Limits.defaults();
        return new Limits(config.get("limits.max-payload").asInt().orElse(defaults.payload()),
                config.get("limits.max-result").asInt().orElse(defaults.result()),
                config.get("limits.max-error").asInt().orElse(defaults.error()),
                config.get("limits.max-progress").asInt().orElse(defaults.progress()));
    }

    private static Duration positive(Config config, String key, Duration fallback) {
        Duration value = duration(config, key, fallback);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be positive, was " + value);
        }
        return value;
    }

    private static Duration duration(Config config, String key, Duration fallback) {
        Config node = config.get(key);
        if (!node.exists()) {
            return fallback;
        }
        String text = node.asString().get();
        try {
            return Duration.parse(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + " must be an ISO-8601 duration such as PT2S, was " + text);
        }
    }

    /** A list in YAML, or a comma-separated string (as environment variables give it): tokens, replica URLs. */
    private static List<String> tokens(Config config, String key) {
        Config node = config.get(key);
        if (!node.exists()) {
            return List.of();
        }
        if (node.isList()) {
            return node.asList(String.class).get().stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
        return Arrays.stream(node.asString().orElse("").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
