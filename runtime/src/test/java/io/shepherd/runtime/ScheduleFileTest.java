package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** The schedules file is edited under a running runtime: good edits apply within seconds, a bad one is refused. */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class ScheduleFileTest extends ApiTestBase {
    Path file;

    @Override
    Map<String, String> overrides() {
        try {
            file = Files.createTempFile("schedules", ".yaml");
            Files.writeString(file, "first:\n  type: t\n  every: PT1H\n");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Map.of("schedules", file.toString(), "scheduler.enabled", "false");
    }

    @AfterEach
    void cleanUp() throws Exception {
        Files.deleteIfExists(file);
    }

    List<String> names() {
        runtime.server().scheduler().runOnce(); // writes what the file declares
        return http.get("/v1/schedules", TestRuntime.CLIENT).json().getJsonArray("schedules")
                .getValuesAs(JsonObject.class).stream().map(s -> s.getString("name")).toList();
    }

    List<String> awaitNames(List<String> expected) throws InterruptedException {
        long deadline = System.nanoTime() + 8_000_000_000L;
        List<String> names = names();
        while (!names.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            names = names();
        }
        return names;
    }

    @Test
    void editsApplyAndABadEditKeepsTheLastGoodSchedules() throws Exception {
        assertEquals(List.of("first"), names());
        assertEquals("config", http.get("/v1/schedules/first", TestRuntime.CLIENT).json().getString("source"));

        Files.writeString(file, "first:\n  type: t\n  every: PT1H\nsecond:\n  type: u\n  cron: \"*/5 * * * *\"\n");
        assertEquals(List.of("first", "second"), awaitNames(List.of("first", "second")));

        Files.writeString(file, "first:\n  type: t\n  every: soon\n");
        Thread.sleep(3000);
        assertEquals(List.of("first", "second"), names(), "a bad edit is refused; the last good schedules stay");

        Files.writeString(file, "second:\n  type: u\n  cron: \"*/5 * * * *\"\n");
        assertEquals(List.of("second"), awaitNames(List.of("second")), "a schedule taken out of the file goes");
        assertTrue(http.put("/v1/schedules/second", TestRuntime.ADMIN, io.shepherd.runtime.testing.Http.obj(
                "type", "x", "everyMs", 1000)).status() == 409, "declared in the file: changed only there");
    }
}
