package io.shepherd.runtime.cli;

import java.io.StringReader;
import java.util.concurrent.Callable;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code submit}: POST /v1/jobs. */
@Command(name = "submit", mixinStandardHelpOptions = true, description = "Submit a job.")
public final class SubmitCommand implements Callable<Integer> {
    @Mixin
    Remote remote;

    @Option(names = {"-t", "--type"}, required = true, description = "Job type, e.g. echo")
    String type;

    @Option(names = {"-p", "--payload"}, description = "Payload as JSON, e.g. '{\"sleepMs\": 500}'")
    String payload;

    @Option(names = {"-q", "--queue"}, description = "Queue (default: default)")
    String queue;

    @Option(names = "--priority", description = "Higher runs first (default 0)")
    Integer priority;

    @Option(names = "--max-attempts", description = "Attempts before the job is dead")
    Integer maxAttempts;

    @Option(names = "--idempotency-key", description = "Submitting the same key again returns the first job")
    String idempotencyKey;

    @Override
    public Integer call() throws Exception {
        JsonObjectBuilder body = Json.createObjectBuilder().add("type", type);
        if (payload != null) {
            try (var reader = Json.createReader(new StringReader(payload))) {
                body.add("payload", reader.readValue());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("--payload is not valid JSON: " + e.getMessage());
            }
        }
        if (queue != null) {
            body.add("queue", queue);
        }
        if (priority != null) {
            body.add("priority", priority);
        }
        if (maxAttempts != null) {
            body.add("maxAttempts", maxAttempts);
        }
        if (idempotencyKey != null) {
            body.add("idempotencyKey", idempotencyKey);
        }
        JsonObject job = remote.write("POST", "/v1/jobs", body.build()).asJsonObject();
        return remote.show(job, j -> System.out.println("submitted " + j.getString("id") + " (" + j.getString("type")
                + ", queue " + j.getString("queue") + ", " + j.getString("status") + ")"));
    }
}
