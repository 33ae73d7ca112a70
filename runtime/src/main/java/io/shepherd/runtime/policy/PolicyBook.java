package io.shepherd.runtime.policy;

import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.helidon.config.Config;
import io.shepherd.plugins.api.PolicySettings;
import io.shepherd.plugins.policies.BackoffPolicy;
import io.shepherd.runtime.core.JobStatus;
import io.shepherd.runtime.core.Retention;

/**
 * The operator's recovery policies, as read from YAML: a {@code default}, per-type entries that
 * override any of its keys, and the bot {@code quarantine} rule.
 *
 * <pre>
 * default:
 *   policy: backoff          # a recovery policy by name (built-in: backoff, immediate, dead-letter)
 *   max-attempts: 5
 *   backoff: {initial: PT1S, multiplier: 2.0, max: PT5M, jitter: 0.2}
 *   on-exhausted: dead       # or retry
 *   timeout: PT1H            # an attempt running longer is taken back (reason timed-out); 0 = none
 *   retention: {completed: P1D, cancelled: P1D, dead: P14D}   # over the runtime's retention.*
 * quarantine:
 *   consecutive-failures: 10 # a bot whose last N attempts all failed stops claiming; 0 = never
 * email:                     # a job type
 *   max-attempts: 3
 * </pre>
 */
public record PolicyBook(TypePolicy defaults, Map<String, TypePolicy> byType, int quarantineAfter) {
    public static final String DEFAULT = "default";
    public static final String QUARANTINE = "quarantine";
    private static final Set<String> TYPE_KEYS = Set.of("policy", "max-attempts", "backoff", "on-exhausted", "timeout",
            "retention");
    private static final Set<String> BACKOFF_KEYS = Set.of("initial", "multiplier", "max", "jitter");

    /**
     * One job type's policy: which policy by name, with which settings; how long one attempt may
     * run (null: as long as its bot heartbeats); how long its finished jobs are kept, by status,
     * where it says (the runtime's {@code retention.*} otherwise).
     */
    public record TypePolicy(String policy, PolicySettings settings, Duration timeout,
                             Map<JobStatus, Duration> retention) {
        public TypePolicy {
            retention = Map.copyOf(retention);
        }
    }

    public PolicyBook {
        byType = Map.copyOf(byType);
        if (quarantineAfter < 0) {
            throw new IllegalArgumentException("quarantine.consecutive-failures must be 0 (never) or more, was "
                    + quarantineAfter);
        }
    }

    public static PolicyBook builtIn() {
        return new PolicyBook(new TypePolicy(BackoffPolicy.NAME, PolicySettings.defaults(), null, Map.of()), Map.of(), 10);
    }

    public TypePolicy forType(String type) {
        return byType.getOrDefault(type, defaults);
    }

    /** The longest one attempt of a job of this type may run; empty when there is no ceiling. */
    public Optional<Duration> timeoutFor(String type) {
        return Optional.ofNullable(forType(type).timeout());
    }

    /**
     * Reads and validates a policies node; throws {@link IllegalArgumentException} naming the
     * offending key, so an invalid edit can be refused as a whole.
     */
    public static PolicyBook parse(Config node) {
        PolicyBook base = builtIn();
        if (!node.exists()) {
            return base;
        }
        TypePolicy defaults = node.get(DEFAULT).exists()
                ? typePolicy(node.get(DEFAULT), base.defaults(), DEFAULT)
                : base.defaults();
        int quarantineAfter = base.quarantineAfter();
        Config quarantine = node.get(QUARANTINE);
        if (quarantine.exists()) {
            for (Config key : quarantine.asNodeList().orElse(java.util.List.of())) {
                if (!key.name().equals("consecutive-failures")) {
                    throw new IllegalArgumentException("unknown key quarantine." + key.name()
                            + " (known: consecutive-failures)");
                }
            }
            quarantineAfter = integer(quarantine.get("consecutive-failures"), "quarantine.consecutive-failures",
                    quarantineAfter);
        }
        Map<String, TypePolicy> byType = new LinkedHashMap<>();
        for (Config child : node.asNodeList().orElse(java.util.List.of())) {
            String name = child.name();
            if (name.equals(DEFAULT) || name.equals(QUARANTINE)) {
                continue;
            }
            if (!child.isObject()) {
                throw new IllegalArgumentException(name + " must be a mapping of policy settings for job type " + name);
            }
            byType.put(name, typePolicy(child, defaults, name));
        }
        return new PolicyBook(defaults, byType, quarantineAfter);
    }

    private static TypePolicy typePolicy(Config node, TypePolicy inherited, String where) {
        Map<String, String> options = new HashMap<>();
        for (Config key : node.asNodeList().orElse(java.util.List.of())) {
            if (!TYPE_KEYS.contains(key.name())) {
                if (key.isLeaf()) {
                    options.put(key.name(), key.asString().get());
                } else {
                    throw new IllegalArgumentException("unknown key " + where + "." + key.name() + " (known: "
                            + new java.util.TreeSet<>(TYPE_KEYS) + ", plus plain options for plugin policies)");
                }
            }
        }
        PolicySettings base = inherited.settings();
        String policy = node.get("policy").asString().orElse(inherited.policy());
        if (policy.isBlank()) {
            throw new IllegalArgumentException(where + ".policy must name a recovery policy");
        }
        int maxAttempts = integer(node.get("max-attempts"), where + ".max-attempts", base.maxAttempts());
        PolicySettings.Backoff backoff = base.backoff();
        Config b = node.get("backoff");
        if (b.exists()) {
            for (Config key : b.asNodeList().orElse(java.util.List.of())) {
                if (!BACKOFF_KEYS.contains(key.name())) {
                    throw new IllegalArgumentException("unknown key " + where + ".backoff." + key.name()
                            + " (known: " + new java.util.TreeSet<>(BACKOFF_KEYS) + ")");
                }
            }
            try {
                backoff = new PolicySettings.Backoff(
                        duration(b.get("initial"), where + ".backoff.initial", backoff.initial()),
                        decimal(b.get("multiplier"), where + ".backoff.multiplier", backoff.multiplier()),
                        duration(b.get("max"), where + ".backoff.max", backoff.max()),
                        decimal(b.get("jitter"), where + ".backoff.jitter", backoff.jitter()));
            } catch (IllegalArgumentException e) {
                throw e.getMessage().startsWith(where) ? e
                        : new IllegalArgumentException(where + ".backoff: " + e.getMessage());
            }
        }
        Duration timeout = inherited.timeout();
        if (node.get("timeout").exists()) {
            Duration t = Retention.parsePeriod(where + ".timeout", node.get("timeout").asString().get());
            if (t.isNegative()) {
                throw new IllegalArgumentException(where + ".timeout must not be negative, was " + t);
            }
            timeout = t.isZero() ? null : t;
        }
        Map<JobStatus, Duration> retention = new EnumMap<>(JobStatus.class);
        retention.putAll(inherited.retention());
        Config r = node.get("retention");
        if (r.exists()) {
            for (Config key : r.asNodeList().orElse(java.util.List.of())) {
                JobStatus status = Retention.FINISHED.stream().filter(s -> s.wire().equals(key.name())).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("unknown key " + where + ".retention." + key.name()
                                + " (known: completed, cancelled, dead)"));
                Duration period = Retention.parsePeriod(where + ".retention." + key.name(), key.asString().orElse(""));
                if (period.isNegative()) {
                    throw new IllegalArgumentException(where + ".retention." + key.name() + " must not be negative");
                }
                retention.put(status, period);
            }
        }
        String onExhausted = node.get("on-exhausted").asString().orElse(base.onExhausted());
        Map<String, String> allOptions = new HashMap<>(base.options());
        allOptions.putAll(options);
        try {
            return new TypePolicy(policy, new PolicySettings(maxAttempts, backoff, onExhausted, allOptions), timeout,
                    retention);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
    }

    private static int integer(Config node, String key, int fallback) {
        if (!node.exists()) {
            return fallback;
        }
        String text = node.asString().get().trim();
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, was " + text);
        }
    }

    private static double decimal(Config node, String key, double fallback) {
        if (!node.exists()) {
            return fallback;
        }
        String text = node.asString().get().trim();
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, was " + text);
        }
    }

    private static Duration duration(Config node, String key, Duration fallback) {
        if (!node.exists()) {
            return fallback;
        }
        String text = node.asString().get().trim();
        try {
            return Duration.parse(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + " must be an ISO-8601 duration such as PT1S, was " + text);
        }
    }
}
