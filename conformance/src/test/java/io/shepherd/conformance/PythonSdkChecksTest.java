package io.shepherd.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The Python SDK's own checks, run by the build so that they can fail it: its unit tests
 * (pytest) and its type check (mypy, strict, over the SDK and the example bot), with Debian's
 * Python and packages (bin/test installs them when missing).
 */
class PythonSdkChecksTest {
    static final Path SDK = BotLanguage.root().resolve("bot-sdk/python");

    @Test
    void thePythonHasWhatTheSdkNeeds() throws Exception {
        run(SDK, List.of(BotLanguage.python(), "-c",
                "import sys, aiohttp; assert sys.version_info >= (3, 10), sys.version"));
    }

    @Test
    void unitTestsPass() throws Exception {
        run(SDK, List.of(BotLanguage.python(), "-m", "pytest", "-q", "-p", "no:cacheprovider"));
    }

    @Test
    void theSdkAndTheExampleBotTypeCheckStrictly() throws Exception {
        run(SDK, List.of(BotLanguage.python(), "-m", "mypy", "--no-incremental", "--cache-dir=/dev/null"));
        run(BotLanguage.root(), List.of(BotLanguage.python(), "-m", "mypy", "--strict", "--no-incremental",
                "--cache-dir=/dev/null", "--python-version", "3.10", "examples/echo-bot-python/echo_bot.py"));
    }

    private static void run(Path dir, List<String> command) throws Exception {
        Path out = Files.createTempFile("python-check", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().putAll(Map.of("PYTHONDONTWRITEBYTECODE", "1",
                    "MYPYPATH", SDK.resolve("src").toString()));
            Process process = pb.start();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
            }
            String output = Files.readString(out);
            System.out.println(String.join(" ", command) + "\n" + output);
            assertEquals(0, process.exitValue(), String.join(" ", command) + " failed in " + dir + ":\n" + output);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
