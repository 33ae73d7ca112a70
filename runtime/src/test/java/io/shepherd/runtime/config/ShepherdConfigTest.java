package io.shepherd.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ShepherdConfigTest {
    @Test
    void defaultsAreTheDocumentedOnesOnEmbeddedH2() {
        ShepherdConfig c = ShepherdConfig.load(Optional.empty(), Map.of());
        assertEquals(Duration.ofSeconds(30), c.settings().leaseTtl());
        assertEquals(Duration.ofSeconds(5), c.settings().heartbeatInterval());
        assertEquals(Duration.ofSeconds(5), c.recoveryInterval());
        assertEquals(Duration.ofSeconds(30), c.botsLostAfter());
        assertEquals(5, c.policies().defaults().settings().maxAttempts());
        assertEquals(1024 * 1024, c.maxBody());
        assertEquals(Duration.ofDays(1), c.retention().period(io.shepherd.runtime.core.JobStatus.COMPLETED).orElseThrow());
        assertEquals(Duration.ofDays(14), c.retention().period(io.shepherd.runtime.core.JobStatus.DEAD).orElseThrow());
        assertEquals(Duration.ofDays(7), c.retention().botPeriod().orElseThrow());
        assertEquals(2000, c.retention().batch());
        assertEquals(io.shepherd.runtime.core.Limits.defaults(), c.limits());
        assertTrue(c.database().url().startsWith("jdbc:h2:file:"), c.database().url());
        assertTrue(c.database().url().contains("MODE=PostgreSQL"));
        assertTrue(c.tokens().isEmpty());
        assertEquals(io.shepherd.runtime.core.PluginLimits.defaults(), c.pluginLimits());
        assertEquals(70, c.pluginLimits().scriptHeapGuard());
    }

    @Test
    void fileIsMergedOverDefaultsAndEnvironmentOverridesTheFile() throws Exception {
        Path file = Files.createTempFile("shepherd", ".yaml");
        Files.writeString(file, "lease:\n  ttl: PT3S\nheartbeat:\n  interval: PT1S\n"
                + "db:\n  url: jdbc:postgresql://file-host/db\nauth:\n  admin-tokens: [a1, a2]\n");
        ShepherdConfig c = ShepherdConfig.load(Optional.of(file), Map.of(
                "SHEPHERD_DB_URL", "jdbc:postgresql://env-host:5432/shepherd",
                "SHEPHERD_CLIENT_TOKENS", "c1, c2"));
        assertEquals(Duration.ofSeconds(3), c.settings().leaseTtl());
        assertEquals("jdbc:postgresql://env-host:5432/shepherd", c.database().url());
        assertEquals(List.of("a1", "a2"), c.tokens().admin());
        assertEquals(List.of("c1", "c2"), c.tokens().client());
        Files.delete(file);
    }

    @Test
    void platformStyleDatabaseUrlIsTurnedIntoJdbc() {
        ShepherdConfig c = ShepherdConfig.load(Optional.empty(),
                Map.of("DATABASE_URL", "postgres://shep:secret@db.internal:6543/jobs?sslmode=require"));
        assertEquals("jdbc:postgresql://db.internal:6543/jobs?sslmode=require", c.database().url());
        assertEquals("shep", c.database().username());
        assertEquals("secret", c.database().password());
    }

    @Test
    void retentionZeroKeepsForEverAndBadPeriodsAreRefused() throws Exception {
        Path file = Files.createTempFile("shepherd", ".yaml");
        Files.writeString(file, "retention:\n  completed: PT1H\n  cancelled: 0\n");
        ShepherdConfig c = ShepherdConfig.load(Optional.of(file), Map.of());
        assertEquals(Duration.ofHours(1), c.retention().period(io.shepherd.runtime.core.JobStatus.COMPLETED).orElseThrow());
        assertTrue(c.retention().period(io.shepherd.runtime.core.JobStatus.CANCELLED).isEmpty());
        for (String bad : new String[]{"retention:\n  dead: two weeks\n", "retention:\n  bots: -P1D\n",
                "retention:\n  batch: 0\n", "limits:\n  max-progress: 1\n"}) {
            Files.writeString(file, bad);
            var e = assertThrows(IllegalArgumentException.class, () -> ShepherdConfig.load(Optional.of(file), Map.of()));
            String key = bad.substring(0, bad.indexOf(':')) + "." + bad.substring(bad.indexOf("  ") + 2, bad.lastIndexOf(':'));
            assertTrue(e.getMessage().contains(key), key + ": " + e.getMessage());
        }
    }

    @Test
    void invalidValuesAreRefusedWithTheKeyNamed() throws Exception {
        Path file = Files.createTempFile("shepherd", ".yaml");
        Files.writeString(file, "heartbeat:\n  interval: PT40S\n");
        var e = assertThrows(IllegalArgumentException.class, () -> ShepherdConfig.load(Optional.of(file), Map.of()));
        assertTrue(e.getMessage().contains("heartbeat.interval"), e.getMessage());
        Files.writeString(file, "lease:\n  ttl: 30\n");
        e = assertThrows(IllegalArgumentException.class, () -> ShepherdConfig.load(Optional.of(file), Map.of()));
        assertTrue(e.getMessage().contains("lease.ttl"), e.getMessage());
        for (String guard : new String[]{"five", "5%", "101"}) {
            Files.writeString(file, "scripts:\n  heap-guard: " + guard + "\n");
            e = assertThrows(IllegalArgumentException.class, () -> ShepherdConfig.load(Optional.of(file), Map.of()));
            assertTrue(e.getMessage().contains("scripts.heap-guard"), e.getMessage());
        }
        Files.writeString(file, "scripts:\n  heap-guard: 85%\n");
        assertEquals(85, ShepherdConfig.load(Optional.of(file), Map.of()).pluginLimits().scriptHeapGuard());
        Files.delete(file);
        assertThrows(IllegalArgumentException.class, () -> ShepherdConfig.load(Optional.of(Path.of("/no/such.yaml")), Map.of()));
    }

    @Test
    void theLongestPollLeavesSlackInsideLostAfter() {
        assertEquals(Duration.ofSeconds(25), io.shepherd.runtime.core.Settings.defaults().longestPoll(),
                "lost-after 30 s less a heartbeat interval of 5 s");
        assertEquals(Duration.ofSeconds(25), settings(30, 1, 30, 30).longestPoll(),
                "a fast heartbeat still leaves a sixth of lost-after for the next poll to arrive");
        assertEquals(Duration.ofSeconds(2), settings(3, 1, 30, 30).longestPoll());
        assertEquals(Duration.ofSeconds(10), settings(30, 5, 10, 30).longestPoll(), "never beyond max-wait");
        assertEquals(Duration.ofSeconds(5), settings(10, 8, 30, 30).longestPoll(), "at most half of lost-after held back");
    }

    private static io.shepherd.runtime.core.Settings settings(int lostAfter, int heartbeat, int maxWait, int leaseTtl) {
        return new io.shepherd.runtime.core.Settings(Duration.ofSeconds(leaseTtl), Duration.ofSeconds(heartbeat),
                Duration.ofSeconds(maxWait), Duration.ofSeconds(lostAfter));
    }
}
