package io.shepherd.runtime.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code queues}, {@code pause}, {@code resume}, {@code limit}: the queues and an operator's levers on them. */
public final class QueueCommands {
    private QueueCommands() {
    }

    static void print(Remote remote, List<JsonObject> queues) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonObject q : queues) {
            JsonObject jobs = q.getJsonObject("jobs");
            rows.add(Arrays.asList(q.getString("name"), q.getBoolean("paused") ? "paused" : "running",
                    q.isNull("maxClaimed") ? "-" : q.getJsonNumber("maxClaimed").toString(),
                    jobs.getJsonNumber("pending").toString(), jobs.getJsonNumber("claimed").toString(),
                    jobs.getJsonNumber("completed").toString(), jobs.getJsonNumber("dead").toString(),
                    jobs.getJsonNumber("cancelled").toString()));
        }
        Out.table(System.out, Arrays.asList("QUEUE", "STATE", "LIMIT", "PENDING", "CLAIMED", "COMPLETED", "DEAD", "CANCELLED"),
                rows);
    }

    static int lever(Remote remote, String method, String queue, String action, JsonObject body) throws Exception {
        JsonObject q = remote.write(method, "/v1/queues/" + URLEncoder.encode(queue, StandardCharsets.UTF_8) + "/"
                + action, body).asJsonObject();
        return remote.show(q, one -> print(remote, Arrays.asList(one)));
    }

    @Command(name = "queues", mixinStandardHelpOptions = true,
            description = "List queues with their jobs by status, state and limit (client).")
    public static final class Queues implements Callable<Integer> {
        @Mixin
        Remote remote;

        @Override
        public Integer call() throws Exception {
            JsonObject answer = remote.read("/v1/queues").asJsonObject();
            return remote.show(answer, a -> print(remote, a.getJsonArray("queues").getValuesAs(JsonObject.class)));
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = "Pause a queue: no replica hands out its jobs until it is resumed (admin).")
    public static final class Pause implements Callable<Integer> {
        @Mixin
        Remote remote;

        @Parameters(paramLabel = "QUEUE")
        String queue;

        @Override
        public Integer call() throws Exception {
            return lever(remote, "POST", queue, "pause", null);
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a paused queue (admin).")
    public static final class Resume implements Callable<Integer> {
        @Mixin
        Remote remote;

        @Parameters(paramLabel = "QUEUE")
        String queue;

        @Override
        public Integer call() throws Exception {
            return lever(remote, "POST", queue, "resume", null);
        }
    }

    @Command(name = "limit", mixinStandardHelpOptions = true,
            description = "Limit how many of a queue's jobs are claimed at once across every bot, or 'none' (admin).")
    public static final class Limit implements Callable<Integer> {
        @Mixin
        Remote remote;

        @Parameters(index = "0", paramLabel = "QUEUE")
        String queue;

        @Parameters(index = "1", paramLabel = "MAX", description = "A number, or none")
        String max;

        @Override
        public Integer call() throws Exception {
            var body = Json.createObjectBuilder();
            if (max.equalsIgnoreCase("none")) {
                body.addNull("maxClaimed");
            } else {
                try {
                    body.add("maxClaimed", Integer.parseInt(max));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("MAX must be a number or none, was " + max);
                }
            }
            return lever(remote, "PUT", queue, "limit", body.build());
        }
    }
}
