package io.shepherd.conformance;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.testing.ChildProcess;
import io.shepherd.runtime.testing.EchoBots;

/**
 * The SDKs the scenarios run against, each through its example echo bot (the Python one twice:
 * with an {@code async def} handler and with a plain function on a thread): the same environment
 * (SHEPHERD_URL, SHEPHERD_ENROLL_TOKEN, BOT_NAME, BOT_TYPES, BOT_STATE_DIR, BOT_CONCURRENCY, ...),
 * the same payloads ({@code sleepMs}, {@code steps}, {@code fail}), the same exit codes and the same
 * log sentences, so one scenario checks either.
 */
enum BotLanguage {
    JAVA {
        @Override
        ChildProcess start(Path home, Map<String, String> env) throws IOException {
            return EchoBots.java(home, env);
        }

        @Override
        Map<String, String> handlerDebug() {
            return Map.of("SHEPHERD_LOG_LEVELS", "io.shepherd.examples.echo=DEBUG");
        }

        @Override
        List<String> troubles() {
            return List.of("(?m)^Exception in thread");
        }
    },
    /** The Python echo bot with its {@code async def} handler (the default). */
    PYTHON {
        @Override
        ChildProcess start(Path home, Map<String, String> env) throws IOException {
            // development mode: asyncio's debug checks, and resource warnings printed (see troubles())
            return EchoBots.python(home, env, "-X", "dev");
        }

        @Override
        Map<String, String> handlerDebug() {
            return Map.of("SHEPHERD_LOG_LEVELS", "echo_bot=DEBUG");
        }

        @Override
        List<String> troubles() {
            return List.of("(?m)^Traceback", "Task exception was never retrieved", "Task was destroyed but it is pending",
                    "Unclosed client session", "Unclosed connector", "ResourceWarning", "Exception ignored in",
                    "was never awaited");
        }
    },
    /**
     * The Python echo bot with a plain-function handler, run on a thread of its own ({@code BOT_HANDLER=plain}):
     * in the scenarios where the handler's style plays a part (a handler stopped, drained, cancelled, run
     * side by side, outliving a signal); the others — start-up, identity, failover — take the same path
     * whatever the handler is, and run for {@link #JAVA} and {@link #PYTHON} only.
     */
    PYTHON_PLAIN {
        @Override
        ChildProcess start(Path home, Map<String, String> env) throws IOException {
            Map<String, String> plain = new java.util.HashMap<>(env);
            plain.put("BOT_HANDLER", "plain");
            return PYTHON.start(home, plain);
        }

        @Override
        Map<String, String> handlerDebug() {
            return PYTHON.handlerDebug();
        }

        @Override
        List<String> troubles() {
            return PYTHON.troubles();
        }
    };

    /** The echo bot of this language as a child process in {@code home}. */
    abstract ChildProcess start(Path home, Map<String, String> env) throws IOException;

    /** The environment that makes the echo bot's handler log "Echoing job {id}" (DEBUG) as it starts. */
    abstract Map<String, String> handlerDebug();

    /**
     * What must never be in a bot's output, whatever the scenario did to it: an exception nobody
     * caught, a task or connection left behind (the handlers' own failures are logged as log lines).
     */
    abstract List<String> troubles();

    /** The troubles found in a bot's output, each with the line it is on. */
    List<String> troublesIn(String output) {
        List<String> found = new java.util.ArrayList<>();
        for (String trouble : troubles()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(trouble).matcher(output);
            if (m.find()) {
                int end = output.indexOf('\n', m.start());
                found.add(output.substring(m.start(), end < 0 ? output.length() : Math.min(end, m.start() + 300)));
            }
        }
        return found;
    }
}
