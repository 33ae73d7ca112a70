package io.shepherd.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.shepherd.runtime.testing.EchoBots;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The Python SDK's own checks, run by the build so that they can fail it: its unit tests
 * (pytest) and its type check (mypy, strict, over the SDK, the example bot and the benchmark's
 * SDK CPU tool), with Debian's Python and packages (bin/test installs them when missing).
 */
@Isolated // mypy and pytest load the machine: never beside a timed scenario (see junit-platform.properties)
class PythonSdkChecksTest {
    static final Path SDK = EchoBots.root().resolve("bot-sdk/python");

    @Test
    void thePythonHasWhatTheSdkNeeds() throws Exception {
        run(SDK, List.of(EchoBots.python(), "-c",
                "import sys, aiohttp; assert sys.version_info >= (3, 10), sys.version"));
    }

    @Test
    void unitTestsPass() throws Exception {
        run(SDK, List.of(EchoBots.python(), "-m", "pytest", "-q", "-p", "no:cacheprovider"));
    }

    @Test
    void theSdkAndTheExampleBotTypeCheckStrictly() throws Exception {
        run(SDK, List.of(EchoBots.python(), "-m", "mypy", "--no-incremental", "--cache-dir=/dev/null"));
        run(EchoBots.root(), List.of(EchoBots.python(), "-m", "mypy", "--strict", "--no-incremental",
                "--cache-dir=/dev/null", "--python-version", "3.10", "examples/echo-bot-python/echo_bot.py",
                "bench/python/bot_cpu.py"));
    }

    @Test
    void theSdkBuildsAndInstallsAsADistribution() throws Exception {
        Path work = Files.createTempDirectory("shepherd-bot-dist");
        try {
            // built from a copy, so the build leaves nothing in the source tree
            Path source = work.resolve("source");
            try (var files = Files.walk(SDK)) {
                for (Path from : files.filter(p -> !p.toString().contains("__pycache__")).toList()) {
                    Path to = source.resolve(SDK.relativize(from).toString());
                    if (Files.isDirectory(from)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(from, to);
                    }
                }
            }
            String python = EchoBots.python();
            run(work, List.of(python, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "--no-index",
                    "-w", "dist", "./source"));
            Path wheel;
            try (var dist = Files.list(work.resolve("dist"))) {
                wheel = dist.filter(p -> p.toString().endsWith(".whl")).findFirst().orElseThrow();
            }
            run(work, List.of(python, "-m", "pip", "install", "--no-deps", "--no-index", "--target", "site",
                    wheel.toString()));
            run(work, List.of(python, "-c", String.join("\n",
                    "import sys; sys.path.insert(0, 'site')",
                    "import importlib.resources as r, shepherd_bot",
                    "assert shepherd_bot.__file__.startswith('" + work.resolve("site") + "'), shepherd_bot.__file__",
                    "assert r.files('shepherd_bot').joinpath('py.typed').is_file(), 'typed for mypy users'",
                    "print('installed', shepherd_bot.__version__)")));
            String metadata = Files.readString(work.resolve("site/shepherd_bot-0.1.0.dist-info/METADATA"));
            assertTrue(metadata.contains("Requires-Dist: aiohttp"), metadata);
            assertTrue(metadata.contains("Requires-Python: >=3.10"), metadata);
        } finally {
            try (var walk = Files.walk(work)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
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
