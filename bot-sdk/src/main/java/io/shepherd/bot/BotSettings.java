package io.shepherd.bot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bot's configuration as its parts use it, validated once when the bot is built. Every
 * setting but the runtime URLs, the name and a handler has a default ({@link Bot.Builder}).
 *
 * @param claimWait         how long a claim waits for work; null to take the runtime's longest long poll
 * @param heartbeatInterval overrides what the runtime asks for; null to take the runtime's
 */
record BotSettings(List<String> servers,
                   Map<String, JobHandler> handlers,
                   Map<String, String> labels,
                   String enrollToken,
                   String name,
                   Path stateDir,
                   int concurrency,
                   Duration shutdownGrace,
                   Duration claimWait,
                   Duration heartbeatInterval,
                   Duration connectTimeout,
                   int breakerFailures,
                   Duration breakerDelay,
                   Duration retryInitial,
                   Duration retryMax,
                   int retryCalls,
                   Duration startBackoffMax,
                   boolean handleSignals,
                   Bot.OnDrain onDrain,
                   BotClock clock) {

    BotSettings {
        servers = List.copyOf(servers);
        handlers = Collections.unmodifiableMap(new LinkedHashMap<>(handlers)); // registered in the order given
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("at least one runtime URL is required (servers)");
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is required");
        }
        if (handlers.isEmpty()) {
            throw new IllegalArgumentException("at least one handler is required");
        }
        if (concurrency < 1 || concurrency > 100) {
            throw new IllegalArgumentException("concurrency must be between 1 and 100, was " + concurrency);
        }
        if (shutdownGrace.isNegative() || claimWait != null && (claimWait.isNegative() || claimWait.toMillis() > 30_000)) {
            throw new IllegalArgumentException("shutdownGrace must not be negative and claimWait must be 0..30 s");
        }
        if (breakerFailures < 1 || retryCalls < 1) {
            throw new IllegalArgumentException("breakerFailures and retry calls must be at least 1");
        }
        if (onDrain == null) {
            onDrain = Bot.OnDrain.IDLE;
        }
        if (stateDir == null) {
            stateDir = Path.of("bot-state");
        }
    }

    RuntimeClient.Settings client() {
        return new RuntimeClient.Settings(connectTimeout, breakerFailures, breakerDelay, retryInitial, retryMax,
                retryCalls);
    }
}
