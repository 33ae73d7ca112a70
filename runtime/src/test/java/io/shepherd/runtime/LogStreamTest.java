package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.shepherd.runtime.testing.ChildProcess;
import io.shepherd.runtime.testing.Http;
import jakarta.json.Json;
import org.junit.jupiter.api.Test;

/**
 * {@code serve}'s output as a log collector and as a person see it. Started with the JVM flags
 * the launcher uses ({@code bin/jvm-flags}, mirrored in the Dockerfiles), with scripts loaded so
 * that GraalVM's Truffle is at work: stdout is JSON from its first line to its last, and stderr
 * is empty. On a terminal (a pseudo-terminal here, through {@code script}) the same command logs
 * text.
 */
class LogStreamTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theJsonStreamIsOnlyJsonFromTheFirstLineAndStderrStaysEmpty() throws Exception {
        Path work = Files.createTempDirectory("shepherd-logs-");
        int port = ChildProcess.freePort();
        Path scripts = Files.createDirectories(work.resolve("scripts"));
        for (Path example : Files.list(ROOT.resolve("examples/scripts")).filter(p -> p.toString().endsWith(".js")).toList()) {
            Files.copy(example, scripts.resolve(example.getFileName()));
        }
        Path config = work.resolve("shepherd.yaml");
        Files.writeString(config, "server:\n  port: " + port + "\n  host: 127.0.0.1\ndata:\n  dir: " + work.resolve("data")
                + "\nscripts:\n  dir: " + scripts + "\n");
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(jvmFlags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.shepherd.runtime.cli.Main", "serve",
                "--config", config.toString()));
        Path out = work.resolve("stdout");
        Path err = work.resolve("stderr");
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().remove("SHEPHERD_LOG_FORMAT");
        Process serve = builder.start();
        try {
            Http http = new Http("http://127.0.0.1:" + port);
            awaitReady(serve, http, out);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!http.get("/healthz", null).body().contains("\"backlog\"") && System.nanoTime() < deadline) {
                Thread.sleep(200); // the script is picked up once its file held still for a look
            }
            assertTrue(http.get("/healthz", null).body().contains("\"backlog\""), "the script check ran");
            serve.destroy(); // SIGTERM: the shutdown lines too
            assertTrue(serve.waitFor(30, TimeUnit.SECONDS));
        } finally {
            serve.destroyForcibly();
        }
        List<String> lines = Files.readAllLines(out);
        assertTrue(lines.size() > 3, "it logged: " + lines);
        for (String line : lines) {
            try (var reader = Json.createReader(new StringReader(line))) {
                assertTrue(reader.readObject().containsKey("message"), line);
            } catch (RuntimeException e) {
                throw new AssertionError("not a JSON object: " + line, e);
            }
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("backlog.check.js")), "the scripts were loaded");
        assertEquals("", Files.readString(err), "nothing on stderr, JVM warnings included");
    }

    @Test
    void onATerminalItLogsText() throws Exception {
        Path work = Files.createTempDirectory("shepherd-tty-");
        int port = ChildProcess.freePort();
        Path config = work.resolve("shepherd.yaml");
        Files.writeString(config, "server:\n  port: " + port + "\n  host: 127.0.0.1\ndata:\n  dir: " + work.resolve("data") + "\n");
        String javaCommand = String.join(" ", java(), String.join(" ", jvmFlags()), "-cp", System.getProperty("java.class.path"),
                "io.shepherd.runtime.cli.Main", "serve", "--config", config.toString());
        Path out = work.resolve("typescript");
        // script(1) runs the command on a pseudo-terminal, as a person's shell would
        ProcessBuilder builder = new ProcessBuilder("script", "-qfec", javaCommand, out.toString())
                .redirectOutput(work.resolve("script.out").toFile()).redirectErrorStream(true);
        builder.environment().remove("SHEPHERD_LOG_FORMAT");
        Process serve = builder.start();
        try {
            awaitReady(serve, new Http("http://127.0.0.1:" + port), out);
        } finally {
            serve.descendants().forEach(ProcessHandle::destroy);
            serve.destroy();
            serve.waitFor(30, TimeUnit.SECONDS);
            serve.destroyForcibly();
        }
        String first = Files.readAllLines(out).stream().filter(l -> l.contains("Shepherd listening")).findFirst().orElseThrow();
        assertFalse(first.strip().startsWith("{"), "text, not JSON: " + first);
        assertTrue(first.matches(".*\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO .*ShepherdServer: Shepherd listening.*"), first);
    }

    @Test
    void theLauncherAndTheImagesRunWithTheseFlags() throws Exception {
        assertTrue(Files.readString(ROOT.resolve("shepherd")).contains("bin/jvm-flags"), "./shepherd uses bin/jvm-flags");
        for (String dockerfile : List.of("runtime/Dockerfile", "examples/echo-bot/Dockerfile")) {
            String entrypoint = Files.readAllLines(ROOT.resolve(dockerfile)).stream()
                    .filter(l -> l.startsWith("ENTRYPOINT")).findFirst().orElseThrow();
            for (String flag : jvmFlags()) {
                assertTrue(entrypoint.contains("\"" + flag + "\""), dockerfile + " passes " + flag + ": " + entrypoint);
            }
        }
    }

    static void awaitReady(Process process, Http http, Path output) throws Exception {
        ChildProcess.awaitReady(process, http, Duration.ofSeconds(60), () -> {
            try {
                return Files.readString(output);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** What {@code bin/jvm-flags} prints for this JVM: the launcher's flags. */
    static List<String> jvmFlags() throws Exception {
        Process p = new ProcessBuilder(ROOT.resolve("bin/jvm-flags").toString(), System.getProperty("java.home"))
                .redirectErrorStream(true).start();
        String flags = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.waitFor(), flags);
        return Arrays.asList(flags.split("\\s+"));
    }
}
