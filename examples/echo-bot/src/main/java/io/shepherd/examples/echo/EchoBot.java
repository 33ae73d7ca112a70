package io.shepherd.examples.echo;

import java.nio.file.Path;
import java.util.Map;

import io.shepherd.bot.Bot;
import io.shepherd.logging.Logging;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * The example bot: completes each job with its payload as the result. A payload
 * {@code {"sleepMs": N}} makes it work N ms first; {@code {"fail": true}} makes it fail the attempt.
 * Configured by environment: SHEPHERD_URL (comma-separated for failover), SHEPHERD_ENROLL_TOKEN,
 * BOT_NAME, BOT_TYPES (default echo), BOT_STATE_DIR, BOT_CONCURRENCY (default 1).
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
        for (String type : env.getOrDefault("BOT_TYPES", "echo").split(",")) {
            if (!type.isBlank()) {
                builder.handler(type.trim(), EchoBot::echo);
            }
        }
        builder.build().run();
        System.exit(0);
    }

    static JsonValue echo(io.shepherd.bot.Job job, io.shepherd.bot.JobContext context) throws Exception {
        // DEBUG (SHEPHERD_LOG_LEVELS=io.shepherd.examples.echo=DEBUG): the line carries the job's
        // correlation id, which the SDK put in this thread's log context
        LOG.log(System.Logger.Level.DEBUG, "Echoing job " + job.id() + " (attempt " + job.attempt() + ")");
        if (job.payload() instanceof JsonObject payload) {
            if (payload.containsKey("sleepMs")) {
                Thread.sleep(payload.getJsonNumber("sleepMs").longValue());
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
