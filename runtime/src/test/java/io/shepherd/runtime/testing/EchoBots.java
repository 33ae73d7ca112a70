package io.shepherd.runtime.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The example echo bots as child processes, for the modules whose tests run real bots (the
 * conformance suite, the benchmark): the Java one from the test JVM's class path (the module must
 * have {@code shepherd-echo-bot} on it), the Python one from the repository's source
 * ({@code examples/echo-bot-python} on {@code bot-sdk/python/src}). Both read the same environment.
 */
public final class EchoBots {
    private EchoBots() {
    }

    /** The Java echo bot in {@code home}. */
    public static ChildProcess java(Path home, Map<String, String> env) throws IOException {
        return ChildProcess.start(home, env, "io.shepherd.examples.echo.EchoBot");
    }

    /** The Python echo bot in {@code home}; {@code extraFlags} go to the interpreter (e.g. {@code -X dev}). */
    public static ChildProcess python(Path home, Map<String, String> env, String... extraFlags) throws IOException {
        Map<String, String> all = new HashMap<>(env);
        all.put("PYTHONPATH", root().resolve("bot-sdk/python/src").toString());
        all.put("PYTHONUNBUFFERED", "1");
        all.put("PYTHONDONTWRITEBYTECODE", "1");
        List<String> command = new java.util.ArrayList<>();
        command.add(python());
        command.addAll(List.of(extraFlags));
        command.add(root().resolve("examples/echo-bot-python/echo_bot.py").toString());
        return ChildProcess.command(home, all, command);
    }

    /**
     * The Python that runs the bots and the SDK's checks: {@code SHEPHERD_PYTHON}, else Debian's
     * {@code /usr/bin/python3} (where bin/test installs python3-aiohttp, pytest and mypy), else
     * {@code python3} on the PATH.
     */
    public static String python() {
        String chosen = System.getenv("SHEPHERD_PYTHON");
        if (chosen != null && !chosen.isBlank()) {
            return chosen;
        }
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /** The repository's root: the nearest directory up from here that holds {@code bot-sdk/python}. */
    public static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("bot-sdk/python"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no bot-sdk/python above " + Path.of("").toAbsolutePath());
    }
}
