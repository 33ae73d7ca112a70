package io.shepherd.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.testing.ChildProcess;
import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One correlation id follows a job across processes: the client's id on the submission is kept
 * on the job, the runtime's JSON log lines about the job carry it as a field (submitted, claimed,
 * completed, with the job's id, type, attempt and bot), the claim hands it to the bot, and the
 * echo bot's handler — Java or Python — logs with it in its log context.
 */
class FollowOneJobTest {
    @ParameterizedTest
    @EnumSource(BotLanguage.class)
    void oneCorrelationIdFindsTheSubmissionTheClaimTheBotsLineAndTheOutcome(BotLanguage language) throws Exception {
        try (Stack stack = new Stack()) {
            int port = ChildProcess.freePort();
            Http http = Stack.http(port);
            ChildProcess runtime = stack.runtime("rt", port,
                    Map.of("SHEPHERD_LOG_FORMAT", "json", "SHEPHERD_LOG_LEVELS", "io.shepherd.runtime.jobs=DEBUG"));
            runtime.awaitReady(http, Duration.ofSeconds(60));
            ChildProcess bot = stack.echoBot(language, "follow", http.base(),
                    Map.of("SHEPHERD_LOG_FORMAT", "json"));

            String trace = "trace-" + System.nanoTime();
            Http.Response submitted = http.send(http.builder("/v1/jobs", TestRuntime.CLIENT)
                    .header("Content-Type", "application/json").header("X-Correlation-ID", trace)
                    .POST(HttpRequest.BodyPublishers.ofString(Http.obj("type", "echo", "payload", Http.obj("n", 1)).toString())));
            assertEquals(201, submitted.status(), submitted.toString());
            String id = submitted.json().getString("id");
            assertEquals(trace, submitted.json().getString("correlationId"), "the job keeps its submitter's id");
            Stack.awaitStatus(http, id, "completed", Duration.ofSeconds(60));

            List<JsonObject> runtimeLines = awaitLines(runtime, trace, 3);
            List<String> kinds = runtimeLines.stream().filter(l -> id.equals(l.getString("jobId", null)))
                    .map(l -> l.getString("kind")).toList();
            assertTrue(kinds.containsAll(List.of("submitted", "claimed", "completed")), "runtime lines: " + runtimeLines);
            JsonObject claimed = runtimeLines.stream().filter(l -> "claimed".equals(l.getString("kind", null)))
                    .findFirst().orElseThrow();
            assertEquals("echo", claimed.getString("type"));
            assertEquals(1, claimed.getInt("attempt"));
            assertTrue(claimed.getString("botId", "").length() > 10, claimed.toString());
            assertTrue(claimed.containsKey("requestId"), "the claim request's own id is kept apart: " + claimed);

            List<JsonObject> botLines = awaitLines(bot, trace, 1);
            assertTrue(botLines.stream().anyMatch(l -> l.getString("message").contains("Echoing job " + id)
                    && id.equals(l.getString("jobId", null))), "the handler's line carries the id: " + botLines);
        }
    }

    /** The process's JSON log lines whose correlationId is the trace, once there are at least {@code min}. */
    static List<JsonObject> awaitLines(ChildProcess process, String trace, int min) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<JsonObject> lines = List.of();
        while (System.nanoTime() < deadline) {
            lines = jsonLines(process.output()).stream().filter(l -> trace.equals(l.getString("correlationId", null)))
                    .toList();
            if (lines.size() >= min) {
                return lines;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("fewer than " + min + " lines with correlationId " + trace + ": " + lines
                + "\n" + process.output());
    }

    static List<JsonObject> jsonLines(String output) {
        List<JsonObject> lines = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("{")) {
                try (var reader = Json.createReader(new StringReader(line))) {
                    lines.add(reader.readObject());
                } catch (RuntimeException notJson) {
                    // a line the JVM itself wrote
                }
            }
        }
        return lines;
    }
}
