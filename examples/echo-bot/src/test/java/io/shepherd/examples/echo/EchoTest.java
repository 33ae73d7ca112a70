package io.shepherd.examples.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import io.shepherd.bot.Job;
import io.shepherd.bot.JobContext;
import jakarta.json.Json;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;

/**
 * The echo handler alone. The echo bot as a process, against real runtimes and next to its Python
 * twin, is tested by the conformance suite (conformance/).
 */
class EchoTest {
    final List<JsonValue> progress = new ArrayList<>();
    final JobContext context = new JobContext() {
        @Override
        public boolean cancelled() {
            return false;
        }

        @Override
        public String correlationId() {
            return "c";
        }

        @Override
        public void progress(JsonValue value) {
            progress.add(value);
        }
    };

    static Job job(JsonValue payload) {
        return new Job("j", "echo", "default", payload, 1);
    }

    @Test
    void thePayloadIsTheResultAfterItsStepsWithProgressAfterEach() throws Exception {
        JsonValue payload = Json.createObjectBuilder().add("sleepMs", 30).add("steps", 3).add("n", 7).build();
        assertEquals(payload, EchoBot.echo(job(payload), context));
        assertEquals(List.of(1, 2, 3), progress.stream().map(p -> p.asJsonObject().getInt("done")).toList());
        assertEquals(JsonValue.NULL, EchoBot.echo(job(JsonValue.NULL), context));
    }

    @Test
    void aPayloadAskingToFailFailsTheAttempt() {
        JsonValue payload = Json.createObjectBuilder().add("fail", true).build();
        assertEquals("the payload asked to fail",
                assertThrows(IllegalStateException.class, () -> EchoBot.echo(job(payload), context)).getMessage());
    }
}
