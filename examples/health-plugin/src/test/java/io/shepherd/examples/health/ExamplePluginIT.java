package io.shepherd.examples.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestDatabase;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * The packaged example jar, dropped into a running runtime's plugins directory: its check appears
 * within 5 s, disappears when the jar is removed; a corrupt jar is listed with its error while
 * everything else keeps working.
 */
class ExamplePluginIT {
    static final Path JAR = Path.of("target", "example-health-plugin.jar");

    static JsonObject checks(Http http) {
        return http.get("/healthz?fresh=true", TestRuntime.ADMIN).json().getJsonObject("checks");
    }

    static JsonObject plugin(Http http, String name) {
        return http.get("/v1/admin/plugins", TestRuntime.ADMIN).json().getJsonArray("plugins")
                .getValuesAs(JsonObject.class).stream().filter(p -> p.getString("name").equals(name))
                .findFirst().orElse(null);
    }

    static long within(String what, long limitMs, BooleanSupplier condition) throws InterruptedException {
        long start = System.nanoTime();
        while (!condition.getAsBoolean()) {
            if ((System.nanoTime() - start) / 1_000_000 > limitMs) {
                throw new AssertionError(what + " did not happen within " + limitMs + " ms");
            }
            Thread.sleep(100);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void droppedJarAddsItsCheckAndRemovingItRemovesIt() throws Exception {
        assertTrue(Files.exists(JAR), "the example jar is built first");
        try (TestDatabase db = TestDatabase.create("h2")) {
            Path plugins = Files.createDirectories(db.dataDir().resolve("plugins"));
            try (TestRuntime runtime = TestRuntime.start(db, Map.of("plugins.dir", plugins.toString(),
                    "scripts.dir", db.dataDir().resolve("scripts").toString()))) {
                Http http = runtime.http();
                assertTrue(!checks(http).containsKey("example"));

                Files.copy(JAR, plugins.resolve("example-health-plugin.jar"));
                long added = within("check added", 5000, () -> checks(http).containsKey("example"));
                JsonObject example = checks(http).getJsonObject("example");
                assertEquals("UP", example.getString("status"));
                assertEquals(10_000, example.getJsonObject("details").getInt("limit"));
                assertEquals("loaded", plugin(http, "example").getString("status"));

                // a corrupt jar beside it: listed with its error, the rest keeps working
                Files.write(plugins.resolve("corrupt.jar"), "this is not a zip file".getBytes());
                within("corrupt jar listed", 5000, () -> plugin(http, "corrupt.jar") != null);
                JsonObject corrupt = plugin(http, "corrupt.jar");
                assertEquals("failed", corrupt.getString("status"));
                assertTrue(corrupt.getString("error").length() > 0, corrupt.toString());
                assertEquals("UP", checks(http).getJsonObject("example").getString("status"));
                assertEquals(201, http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t")).status());

                // replaced: reloaded (a new copy, a new class loader), still one check
                Files.copy(JAR, plugins.resolve("example-health-plugin.jar"), StandardCopyOption.REPLACE_EXISTING);
                Files.setLastModifiedTime(plugins.resolve("example-health-plugin.jar"),
                        java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
                Thread.sleep(2500);
                assertEquals("UP", checks(http).getJsonObject("example").getString("status"));

                Files.delete(plugins.resolve("example-health-plugin.jar"));
                long removed = within("check removed", 5000, () -> !checks(http).containsKey("example"));
                assertEquals(null, plugin(http, "example"));
                System.out.printf("example plugin: added %d ms after the drop, removed %d ms after the delete%n",
                        added, removed);
            }
        }
    }

    @Test
    void withSumsConfiguredOnlyTheApprovedJarIsLoaded() throws Exception {
        String sum = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(JAR)));
        String other = "0".repeat(64);
        for (String trusted : new String[]{other, other + "," + sum.toUpperCase(java.util.Locale.ROOT)}) {
            try (TestDatabase db = TestDatabase.create("h2")) {
                Path plugins = Files.createDirectories(db.dataDir().resolve("plugins"));
                Files.copy(JAR, plugins.resolve("example-health-plugin.jar"));
                try (TestRuntime runtime = TestRuntime.start(db, Map.of("plugins.dir", plugins.toString(),
                        "scripts.dir", db.dataDir().resolve("scripts").toString(), "plugins.sha256", trusted))) {
                    Http http = runtime.http();
                    within("jar looked at", 5000, () -> plugin(http, "example") != null
                            || plugin(http, "example-health-plugin.jar") != null);
                    if (trusted.equals(other)) {
                        JsonObject refused = plugin(http, "example-health-plugin.jar");
                        assertEquals("failed", refused.getString("status"), refused.toString());
                        assertTrue(refused.getString("error").contains("not trusted") && refused.getString("error")
                                .contains(sum), refused.toString());
                        assertTrue(!checks(http).containsKey("example"), "nothing of it was loaded");
                    } else {
                        assertEquals("loaded", plugin(http, "example").getString("status"));
                        assertEquals("UP", checks(http).getJsonObject("example").getString("status"));
                    }
                }
            }
        }
    }
}
