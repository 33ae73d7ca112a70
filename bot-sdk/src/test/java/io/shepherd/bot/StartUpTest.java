package io.shepherd.bot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.shepherd.runtime.testing.TestRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** Start-up healing against a real runtime, on a clock the test moves. */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class StartUpTest extends Parts {
    @Test
    void aNewBotRegistersAndKeepsItsIdentityReadableOnlyByItself() throws Exception {
        BotSettings settings = builder((job, ctx) -> null).settings();
        StartUp.Session session = new StartUp(settings, api(settings), () -> false).run();

        assertEquals(session.identity(), Identity.load(stateDir).orElseThrow());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(stateDir.resolve(Identity.FILE))));
        assertEquals("idle", http.get("/v1/bots/" + session.identity().botId(), TestRuntime.ADMIN).json().getString("status"));
    }

    @Test
    void aRestartResumesTheIdentityAndGetsBackAtOnceWhatTheEarlierProcessHeld() {
        BotSettings settings = builder((job, ctx) -> null).settings();
        RuntimeApi api = api(settings);
        StartUp.Session first = new StartUp(settings, api, () -> false).run();
        String id = submit();
        assertEquals(1, api.claim(first.identity(), first.id(), 1, Duration.ZERO).jobs().size());

        // the process dies holding the job; the next one starts from the same state directory
        StartUp.Session second = new StartUp(settings, api, () -> false).run();

        assertEquals(first.identity().botId(), second.identity().botId());
        assertNotEquals(first.id(), second.id());
        assertEquals("pending", job(id).getString("status"), "released at once, no lease to wait out");
        assertEquals(List.of("submitted/submitted", "claimed/claimed", "released/bot-restarted"), events(id));
        assertNotNull(api.claim(first.identity(), first.id(), 1, Duration.ZERO).superseded(),
                "the old session is superseded");
    }

    @Test
    void anIdentityTheRuntimeDoesNotKnowIsReplacedByANewRegistration() throws Exception {
        new Identity("no-such-bot", "shb_unknown", 5000).save(stateDir);
        BotSettings settings = builder((job, ctx) -> null).settings();

        StartUp.Session session = new StartUp(settings, api(settings), () -> false).run();

        assertNotEquals("no-such-bot", session.identity().botId());
        assertEquals(session.identity(), Identity.load(stateDir).orElseThrow());
    }

    @Test
    void itWaitsWithBoundedBackoffUntilARuntimeIsReady() throws Exception {
        runtime.close(); // nothing answers on this port until the test starts a runtime there
        int port = Integer.parseInt(http.base().substring(http.base().lastIndexOf(':') + 1));
        AtomicReference<TestRuntime> later = new AtomicReference<>();
        clock.onSleep = () -> {
            if (clock.slept() >= 3000 && later.get() == null) {
                later.set(TestRuntime.start(db, Map.of("server.port", Integer.toString(port))));
            }
        };
        BotSettings settings = builder((job, ctx) -> null).startBackoffMax(Duration.ofSeconds(2)).settings();
        long realStart = System.nanoTime();
        try {
            StartUp.Session session = new StartUp(settings, api(settings), () -> false).run();

            assertTrue(session.identity().botId() != null);
            // the runtime appears at the first 100 ms step of a wait past 3 s; the next look comes at
            // the end of that wait, at most the longest backoff (2 s + 20 %) after it began
            assertTrue(clock.slept() >= 3000 && clock.slept() <= 3000 + 100 + 2400,
                    "it looked again within the longest backoff of the runtime appearing: " + clock.slept());
            assertTrue(System.nanoTime() - realStart < Duration.ofSeconds(20).toNanos(), "the clock was the test's");
        } finally {
            if (later.get() != null) {
                runtime = later.get(); // closed by the fixture
            }
        }
    }

    @Test
    void aStopWhileWaitingEndsTheStartUp() {
        runtime.close();
        AtomicBoolean stopping = new AtomicBoolean();
        clock.onSleep = () -> stopping.set(clock.slept() > 1500);
        BotSettings settings = builder((job, ctx) -> null).settings();

        assertThrows(StartUp.Stopped.class, () -> new StartUp(settings, api(settings), stopping::get).run());
        assertTrue(Identity.load(stateDir).isEmpty(), "nothing registered");
        runtime = TestRuntime.start(db); // for the fixture to close
    }
}
