package io.shepherd.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.testing.ChildProcess;

/**
 * The SDKs the scenarios run against, each through its example echo bot: the same environment
 * (SHEPHERD_URL, SHEPHERD_ENROLL_TOKEN, BOT_NAME, BOT_TYPES, BOT_STATE_DIR, BOT_CONCURRENCY, ...),
 * the same payloads ({@code sleepMs}, {@code steps}, {@code fail}), the same exit codes and the same
 * log sentences, so one scenario checks either.
 */
enum BotLanguage {
    JAVA {
        @Override
        ChildProcess start(Path home, Map<String, String> env) throws IOException {
            return ChildProcess.start(home, env, "io.shepherd.examples.echo.EchoBot");
        }

        @Override
        Map<String, String> handlerDebug() {
            return Map.of("SHEPHERD_LOG_LEVELS", "io.shepherd.examples.echo=DEBUG");
        }
    },
    PYTHON {
        @Override
        ChildProcess start(Path home, Map<String, String> env) throws IOException {
            Map<String, String> all = new java.util.HashMap<>(env);
            all.put("PYTHONPATH", root().resolve("bot-sdk/python/src").toString());
            all.put("PYTHONUNBUFFERED", "1");
            all.put("PYTHONDONTWRITEBYTECODE", "1");
            return ChildProcess.command(home, all, List.of(python(),
                    root().resolve("examples/echo-bot-python/echo_bot.py").toString()));
        }

        @Override
        Map<String, String> handlerDebug() {
            return Map.of("SHEPHERD_LOG_LEVELS", "echo_bot=DEBUG");
        }
    };

    /** The echo bot of this language as a child process in {@code home}. */
    abstract ChildProcess start(Path home, Map<String, String> env) throws IOException;

    /** The environment that makes the echo bot's handler log "Echoing job {id}" (DEBUG) as it starts. */
    abstract Map<String, String> handlerDebug();

    /** The repository's root (the conformance module's parent). */
    static Path root() {
        return Path.of(System.getProperty("shepherd.root", "..")).toAbsolutePath().normalize();
    }

    /**
     * The Python that runs the bots and the SDK's checks: {@code SHEPHERD_PYTHON}, else Debian's
     * {@code /usr/bin/python3} (where bin/test installs python3-aiohttp, pytest and mypy), else
     * {@code python3} on the PATH.
     */
    static String python() {
        String chosen = System.getenv("SHEPHERD_PYTHON");
        if (chosen != null && !chosen.isBlank()) {
            return chosen;
        }
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }
}
