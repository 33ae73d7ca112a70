package io.shepherd.runtime.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.shepherd.runtime.ShepherdServer;
import io.shepherd.runtime.config.ShepherdConfig;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A short real load on a throwaway runtime, so that a JVM started with
 * {@code -XX:AOTCacheOutput=FILE} (JDK 25) writes an AOT cache of what the work used as it exits:
 * the runtime's own JVM when this command runs under that flag, and the bot's when its command
 * line carries it. The runtime listens on a free loopback port with its embedded H2 in a temporary
 * folder, which is deleted after; the bot is started with {@code SHEPHERD_URL},
 * {@code SHEPHERD_ENROLL_TOKEN}, {@code BOT_STATE_DIR}, {@code BOT_CONCURRENCY} and stopped with
 * SIGTERM (it and every process under it) once every job is done (completed, or dead: a handler that failed exercised its paths
 * too). The images build their caches this way.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Work a short load through a throwaway runtime (embedded H2 in a temporary folder, a free "
                + "loopback port) and a bot started by BOT-COMMAND, so that JVMs run with -XX:AOTCacheOutput=FILE "
                + "write an AOT cache as they exit. The images build theirs this way:",
                "  java -XX:AOTCacheOutput=shepherd.aot -jar shepherd.jar train -- java -jar echo-bot.jar",
                "  java -jar shepherd.jar train -- java -XX:AOTCacheOutput=echo-bot.aot -jar echo-bot.jar",
                "Exit codes: 0 trained, 1 the bot did not do the work (its output is printed), 2 bad usage."})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--jobs", defaultValue = "2000", description = "Jobs the bot works (default: ${DEFAULT-VALUE})")
    int jobs;

    @Option(names = "--type", defaultValue = "echo", description = "Their type (default: ${DEFAULT-VALUE})")
    String type;

    @Option(names = "--payload", defaultValue = "{\"train\":true}",
            description = "Their payload, JSON, one your bot's handler takes (default: ${DEFAULT-VALUE})")
    String payload;

    @Option(names = "--concurrency", defaultValue = "8", description = "BOT_CONCURRENCY for the bot (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--timeout", defaultValue = "PT3M", converter = DurationConverter.class,
            description = "How long the work and the bot's exit may take, ISO-8601 (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Parameters(arity = "1..*", paramLabel = "BOT-COMMAND", description = "The bot to start, after --")
    List<String> botCommand;

    /** Batches of this size go in through {@code /v1/jobs/batch}; a few jobs go in one by one. */
    private static final int BATCH = 500;
    private static final int SINGLE = 20;
    /** A process that SIGTERM ended without handling it (a JVM's shutdown hooks still ran, its cache written). */
    private static final int SIGTERM_EXIT = 128 + 15;

    @Override
    public Integer call() throws Exception {
        if (jobs < SINGLE || jobs > 1_000_000 || concurrency < 1 || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("--jobs must be between " + SINGLE + " and 1000000, --concurrency at "
                    + "least 1, --timeout positive");
        }
        JsonValue jobPayload;
        try (var reader = Json.createReader(new java.io.StringReader(payload))) {
            jobPayload = reader.readValue();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--payload is not JSON: " + payload);
        }
        Path home = Files.createTempDirectory("shepherd-train-");
        try {
            return train(home, jobPayload);
        } finally {
            deleteTree(home);
        }
    }

    /** The throwaway runtime in {@code home}, the bot against it, the jobs; the exit code. */
    private int train(Path home, JsonValue jobPayload) throws Exception {
        String client = UUID.randomUUID().toString();
        String enroll = UUID.randomUUID().toString();
        ShepherdServer server = ShepherdServer.start(ShepherdConfig.from(Config.builder()
                .disableEnvironmentVariablesSource().disableSystemPropertiesSource()
                .sources(ConfigSources.create(Map.of(
                                "server.port", "0", "server.host", "127.0.0.1",
                                "data.dir", home.resolve("data").toString(),
                                "plugins.dir", home.resolve("plugins").toString(),
                                "scripts.dir", home.resolve("scripts").toString(),
                                "auth.admin-tokens", UUID.randomUUID().toString(),
                                "auth.client-tokens", client, "auth.enroll-tokens", enroll)).build(),
                        ConfigSources.classpath("shepherd-defaults.yaml").build())
                .build()));
        Process bot = null;
        try {
            Remote remote = new Remote();
            remote.url = "http://127.0.0.1:" + server.port();
            remote.token = client;
            Path botLog = home.resolve("bot.log");
            ProcessBuilder builder = new ProcessBuilder(botCommand).redirectErrorStream(true).redirectOutput(botLog.toFile());
            builder.environment().putAll(Map.of("SHEPHERD_URL", remote.url, "SHEPHERD_ENROLL_TOKEN", enroll,
                    "BOT_STATE_DIR", home.resolve("bot").toString(), "BOT_NAME", "trainer",
                    "BOT_TYPES", type, "BOT_CONCURRENCY", Integer.toString(concurrency)));
            long started = System.nanoTime();
            bot = builder.start();
            submit(remote, jobPayload);
            long deadline = started + timeout.toNanos();
            JsonObject counts;
            while (finished(counts = remote.read("/v1/stats").asJsonObject().getJsonObject("jobs")) < jobs) {
                if (!bot.isAlive() || System.nanoTime() > deadline) {
                    return failed(bot, botLog, (bot.isAlive() ? "the jobs were not done in " + timeout
                            : "the bot exited (" + bot.exitValue() + ")") + " with " + finished(counts) + " of " + jobs
                            + " finished");
                }
                Thread.sleep(100);
            }
            System.out.printf("train: %d jobs finished in %.1f s (%d completed, %d dead); stopping the bot%n", jobs,
                    (System.nanoTime() - started) / 1e9, count(counts, "completed"), count(counts, "dead"));
            reads(remote);
            stop(bot, false); // SIGTERM: the bot stops as it would in production, and its JVM writes its cache
            if (!bot.waitFor(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS)) {
                return failed(bot, botLog, "the bot did not exit within " + timeout + " of its start");
            }
            if (bot.exitValue() != 0 && bot.exitValue() != SIGTERM_EXIT) {
                return failed(bot, botLog, "the bot exited with " + bot.exitValue());
            }
            System.out.println("train: done");
            return 0;
        } finally {
            if (bot != null) {
                stop(bot, true);
            }
            server.close();
        }
    }

    /**
     * SIGTERM ({@code force}: SIGKILL) to the bot's process and every process under it, so that a
     * bot started through a wrapper (a shell, a launcher script) is stopped too and none is left.
     */
    private static void stop(Process bot, boolean force) {
        List<ProcessHandle> all = new ArrayList<>(bot.descendants().toList());
        all.add(bot.toHandle());
        for (ProcessHandle p : all) {
            if (force) {
                p.destroyForcibly();
            } else {
                p.destroy();
            }
        }
    }

    /** The jobs, in batches and a few one by one, due now. */
    private void submit(Remote remote, JsonValue payload) throws IOException, InterruptedException {
        for (int i = 0; i < SINGLE; i++) {
            remote.write("POST", "/v1/jobs", Json.createObjectBuilder().add("type", type).add("payload", payload).build());
        }
        for (int done = SINGLE; done < jobs; done += BATCH) {
            JsonArrayBuilder batch = Json.createArrayBuilder();
            for (int i = done; i < Math.min(jobs, done + BATCH); i++) {
                batch.add(Json.createObjectBuilder().add("type", type).add("payload", payload));
            }
            remote.write("POST", "/v1/jobs/batch", Json.createObjectBuilder().add("jobs", batch).build());
        }
    }

    /** Completed or dead: a job the bot failed for good exercised its paths as well. */
    private static long finished(JsonObject jobsByStatus) {
        return count(jobsByStatus, "completed") + count(jobsByStatus, "dead");
    }

    private static long count(JsonObject jobsByStatus, String status) {
        return jobsByStatus.containsKey(status) ? jobsByStatus.getJsonNumber(status).longValue() : 0;
    }

    /** What clients read often, so that their paths are in the cache too. */
    private static void reads(Remote remote) throws IOException, InterruptedException {
        for (String path : List.of("/v1/jobs?limit=50", "/v1/jobs?status=completed&limit=50&order=desc", "/v1/stats",
                "/v1/stats?maxAgeMs=5000", "/v1/stats/recent", "/v1/whoami")) {
            remote.read(path);
        }
        for (String path : List.of("/ready", "/livez", "/healthz", "/metrics", "/openapi")) {
            remote.get(path, false);
        }
    }

    private static int failed(Process bot, Path botLog, String why) throws IOException {
        stop(bot, true);
        System.err.println("shepherd train: " + why + "; the bot's output:");
        System.err.println(Files.exists(botLog) ? Files.readString(botLog) : "(none)");
        return 1;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            List<Path> all = new ArrayList<>(paths.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** ISO-8601 durations for {@code --timeout}. */
    static final class DurationConverter implements picocli.CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Duration.parse(value);
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("not an ISO-8601 duration (e.g. PT3M): " + value);
            }
        }
    }
}
