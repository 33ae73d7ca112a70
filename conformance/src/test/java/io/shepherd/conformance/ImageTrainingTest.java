package io.shepherd.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.shepherd.runtime.db.DatabaseSettings;
import io.shepherd.runtime.testing.ChildProcess;
import io.shepherd.runtime.testing.EchoBots;
import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.Json;
import jakarta.json.JsonString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.io.TempDir;

/**
 * The images train a JDK AOT cache as they are built ({@code shepherd train}, issue 17). This
 * machine builds no images, so each Dockerfile's own lines are carried out here as the build would
 * carry them out in its final stage: the files its {@code COPY --from=build} lines take are put in
 * a working directory, the build output its {@code RUN --mount} binds is linked where the mount
 * puts it, and the RUN's command runs through {@code sh} with this JDK's {@code java} first on the
 * PATH (only its job count is smaller). The command ends by starting the ENTRYPOINT's JVM over the
 * cache with {@code -XX:AOTMode=on}, which fails when that JVM could not use it. Then the
 * ENTRYPOINT itself runs: the runtime serves and the bot works a job, over their caches, and every
 * line they print is JSON (the JVM's notes about the cache stay off the log stream).
 */
@Isolated // JIT training runs that load both cores: never beside a timed scenario (see junit-platform.properties)
class ImageTrainingTest {
    private static final Pattern MOUNT = Pattern.compile("^RUN --mount=type=bind,from=build,source=/src/(\\S+),target=(\\S+) (.*)$");
    private static final Pattern COPY = Pattern.compile("^COPY --from=build /src/(\\S+) (\\S+)$");
    private static final Pattern CACHE = Pattern.compile("-XX:AOTCacheOutput=(\\S+)");

    @TempDir
    Path dir;

    @Test
    void theRuntimeImageTrainsItsCacheAndServesOverIt() throws Exception {
        Image image = Image.of("runtime/Dockerfile", dir.resolve("runtime"));
        Path cache = image.train(dir.resolve("mount"));

        int port = ChildProcess.freePort();
        Map<String, String> env = new HashMap<>(Map.of("SERVER_PORT", Integer.toString(port), "SERVER_HOST", "127.0.0.1",
                "SHEPHERD_DATA_DIR", dir.resolve("data").toString(), "SHEPHERD_CLIENT_TOKENS", TestRuntime.CLIENT,
                "SHEPHERD_ADMIN_TOKENS", TestRuntime.ADMIN, "SHEPHERD_LOG_FORMAT", "json"));
        ChildProcess runtime = image.entrypoint(env, "serve");
        try {
            Http http = Stack.http(port);
            runtime.awaitReady(http, Duration.ofSeconds(60));
            Http.Response jobs = http.get("/v1/jobs", TestRuntime.CLIENT);
            assertEquals(200, jobs.status(), jobs.toString());
            onlyJson(runtime.output());
        } finally {
            runtime.terminate(Duration.ofSeconds(30));
        }
        assertTrue(Files.size(cache) > 10 << 20, "a cache of some size: " + Files.size(cache));
    }

    @Test
    void theEchoBotImageTrainsItsCacheAndWorksOverIt() throws Exception {
        Image image = Image.of("examples/echo-bot/Dockerfile", dir.resolve("echo-bot"));
        image.train(dir.resolve("mount"));

        int port = ChildProcess.freePort();
        try (ChildProcess runtime = ChildProcess.serve(dir.resolve("runtime"),
                DatabaseSettings.h2Url(dir.resolve("runtime-data")), port, Map.of())) {
            Http http = Stack.http(port);
            runtime.awaitReady(http, Duration.ofSeconds(60));
            String id = Stack.submit(http, Http.obj("hello", "cache"));
            ChildProcess bot = image.entrypoint(Map.of("SHEPHERD_URL", "http://127.0.0.1:" + port,
                    "SHEPHERD_ENROLL_TOKEN", TestRuntime.ENROLL, "BOT_STATE_DIR", dir.resolve("bot-state").toString(),
                    "SHEPHERD_LOG_FORMAT", "json"));
            try {
                Stack.awaitStatus(http, id, "completed", Duration.ofSeconds(60));
            } finally {
                assertEquals(0, bot.terminate(Duration.ofSeconds(30)), bot.output());
            }
            onlyJson(bot.output());
        }
    }

    /** Every line a process printed is a JSON object. */
    private static void onlyJson(String output) {
        for (String line : output.lines().toList()) {
            try (var reader = Json.createReader(new StringReader(line))) {
                reader.readObject();
            } catch (RuntimeException notJson) {
                throw new AssertionError("a line that is not JSON: " + line + "\nin:\n" + output);
            }
        }
    }

    /** A Dockerfile's final stage, staged into {@code workDir} as its COPY lines build it. */
    private record Image(Path workDir, String run, String mountSource, String mountTarget, List<String> entrypoint) {
        static Image of(String dockerfile, Path workDir) throws Exception {
            Path root = EchoBots.root();
            String text = Files.readString(root.resolve(dockerfile)).replace("\\\n", " ");
            String finalStage = text.substring(text.lastIndexOf("\nFROM "));
            Files.createDirectories(workDir);
            String run = null;
            String source = null;
            String target = null;
            List<String> entrypoint = null;
            for (String line : finalStage.lines().map(l -> l.replaceAll("\\s+", " ").trim()).toList()) {
                Matcher copy = COPY.matcher(line);
                Matcher mount = MOUNT.matcher(line);
                if (copy.matches()) {
                    Path from = root.resolve(copy.group(1));
                    Path to = workDir.resolve(copy.group(2).equals("./") ? from.getFileName().toString() : copy.group(2));
                    copyTree(from, to);
                } else if (mount.matches()) {
                    source = mount.group(1);
                    target = mount.group(2);
                    run = mount.group(3);
                } else if (line.startsWith("ENTRYPOINT ")) {
                    try (var reader = Json.createReader(new StringReader(line.substring("ENTRYPOINT ".length())))) {
                        entrypoint = reader.readArray().getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
                    }
                }
            }
            assertTrue(run != null && entrypoint != null, dockerfile + ": no RUN --mount training step or no ENTRYPOINT");
            return new Image(workDir, run, source, target, entrypoint);
        }

        /** The training step, its mount linked under {@code mounts}; answers the cache it wrote. */
        Path train(Path mounts) throws Exception {
            Path mount = mounts.resolve(Path.of(mountTarget).getFileName());
            Files.createDirectories(mounts);
            Files.createSymbolicLink(mount, EchoBots.root().resolve(mountSource));
            String command = run.replace(mountTarget, mount.toString()).replace("--jobs 2000", "--jobs 300");
            Matcher cache = CACHE.matcher(command);
            assertTrue(cache.find(), "no -XX:AOTCacheOutput in " + command);
            Path log = workDir.resolve("train.log");
            ProcessBuilder pb = new ProcessBuilder("sh", "-c", command).directory(workDir.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
            Process p = pb.start();
            if (!p.waitFor(3, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("training took over 3 minutes:\n" + Files.readString(log));
            }
            assertEquals(0, p.exitValue(), "the training step failed:\n" + command + "\n" + Files.readString(log));
            Path written = workDir.resolve(cache.group(1));
            assertTrue(Files.exists(written), "no cache at " + written + ":\n" + Files.readString(log));
            return written;
        }

        /** The ENTRYPOINT (its {@code java} this JDK's) with {@code args}, in the working directory. */
        ChildProcess entrypoint(Map<String, String> env, String... args) throws Exception {
            List<String> command = new ArrayList<>(entrypoint);
            command.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(List.of(args));
            return ChildProcess.command(workDir, env, command);
        }

        private static void copyTree(Path from, Path to) throws Exception {
            if (Files.isDirectory(from)) {
                try (var paths = Files.walk(from)) {
                    for (Path p : paths.toList()) {
                        Path dest = to.resolve(from.relativize(p).toString());
                        if (Files.isDirectory(p)) {
                            Files.createDirectories(dest);
                        } else {
                            Files.copy(p, dest);
                        }
                    }
                }
            } else {
                Files.copy(from, to);
            }
        }
    }
}
