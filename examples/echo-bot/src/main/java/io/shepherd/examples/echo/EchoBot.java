package io.shepherd.examples.echo;

import java.nio.file.Path;
import java.util.Map;

import io.shepherd.bot.Bot;
import io.shepherd.bot.BotState;
import io.shepherd.logging.Logging;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * The example bot: completes each job with its payload as the result. A payload
 * {@code {"sleepMs": N}} makes it work N ms first (in {@code "steps": S} steps, reporting progress
 * after each); {@code {"fail": true}} makes it fail the attempt. Configured by environment:
 * SHEPHERD_URL (comma-separated for failover), SHEPHERD_ENROLL_TOKEN, BOT_NAME, BOT_TYPES (default
 * echo), BOT_STATE_DIR, BOT_CONCURRENCY (default 1), BOT_SHUTDOWN_GRACE_MS, BOT_ON_DRAIN (idle or
 * exit), BOT_LABELS (k=v,k=v). Exits 0 when it stopped, 3 when an admin revoked it.
 */
public final class EchoBot {
    private static final System.Logger LOG = System.getLogger(EchoBot.class.getName());

    private EchoBot() {
    }

    public static void main(String[] args) {
        Logging.configure(null);
        Map<String, String> env = System.getenv();
        Bot.Builder builder = Bot.builder()
                .servers(env.getOrDefault("SHEPHERD_URL", "http://localhost:8080"))
                .enrollToken(env.get("SHEPHERD_ENROLL_TOKEN"))
                .name(env.getOrDefault("BOT_NAME", "echo-bot"))
                .stateDir(Path.of(env.getOrDefault("BOT_STATE_DIR", "bot-state")))
                .concurrency(Integer.parseInt(env.getOrDefault("BOT_CONCURRENCY", "1")));
        optionalMillis(env, "BOT_SHUTDOWN_GRACE_MS").ifPresent(ms -> builder.shutdownGrace(java.time.Duration.ofMillis(ms)));
        builder.onDrain(Bot.OnDrain.valueOf(env.getOrDefault("BOT_ON_DRAIN", "idle").trim().toUpperCase(java.util.Locale.ROOT)));
        for (String label : env.getOrDefault("BOT_LABELS", "").split(",")) {
            int eq = label.indexOf('=');
            if (eq > 0) {
                builder.label(label.substring(0, eq).trim(), label.substring(eq + 1).trim());
            }
        }
        for (String type : env.getOrDefault("BOT_TYPES", "echo").split(",")) {
            if (!type.isBlank()) {
                builder.handler(type.trim(), EchoBot::echo);
            }
        }
        Bot bot = builder.build();
        bot.run();
        System.exit(bot.state().phase() == BotState.Phase.REVOKED ? 3 : 0);
    }

    static JsonValue echo(io.shepherd.bot.Job job, io.shepherd.bot.JobContext context) throws Exception {
        // DEBUG (SHEPHERD_LOG_LEVELS=io.shepherd.examples.echo=DEBUG): the line carries the job's
        // correlation id, which the SDK put in this thread's log context
        LOG.log(System.Logger.Level.DEBUG, "Echoing job " + job.id() + " (attempt " + job.attempt() + ")");
        if (job.payload() instanceof JsonObject payload) {
            if (payload.containsKey("sleepMs")) {
                long sleepMs = payload.getJsonNumber("sleepMs").longValue();
                int steps = Math.max(1, payload.getInt("steps", 1));
                for (int step = 1; step <= steps; step++) {
                    Thread.sleep(sleepMs / steps);
                    if (steps > 1) {
                        context.progress(Json.createObjectBuilder().add("done", step).add("of", steps).build());
                    }
                }
            }
            if (payload.getBoolean("fail", false)) {
                throw new IllegalStateException("the payload asked to fail");
            }
        }
        return job.payload();
    }

    private static java.util.Optional<Long> optionalMillis(Map<String, String> env, String key) {
        String value = env.get(key);
        return value == null || value.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(Long.parseLong(value));
    }
}
