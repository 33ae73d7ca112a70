package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.shepherd.runtime.testing.EchoBots;
import org.junit.jupiter.api.Test;

/**
 * {@code shepherd train}, which the images run to train their AOT caches: a real bot process works
 * the jobs through a throwaway runtime, and a bot that does not is a clear failure with its output.
 * (The images' own training steps, with the JVM writing the caches: conformance's ImageTrainingTest.)
 */
class TrainCommandTest {
    @Test
    void aBotWorksTheJobsAndIsStoppedAndNothingIsLeftBehind() throws Exception {
        List<Path> before = trainFolders();
        String python = "PYTHONPATH=" + EchoBots.root().resolve("bot-sdk/python/src") + " exec " + EchoBots.python() + " "
                + EchoBots.root().resolve("examples/echo-bot-python/echo_bot.py");
        ServeCommandTest.Cli train = ServeCommandTest.cli("train", "--jobs", "60", "--", "sh", "-c", python);
        assertEquals(0, train.code(), train.err() + train.out());
        assertTrue(train.out().contains("train: 60 jobs finished"), train.out());
        assertTrue(train.out().contains("(60 completed, 0 dead)"), train.out());
        assertTrue(train.out().contains("train: done"), train.out());
        assertEquals(before, trainFolders(), "the throwaway runtime's folder is deleted");
    }

    @Test
    void aBotThatExitsFailsTheTrainingAndItsOutputIsShown() {
        ServeCommandTest.Cli train = ServeCommandTest.cli("train", "--jobs", "50", "--", "sh", "-c", "echo no bot here; exit 3");
        assertEquals(1, train.code(), train.out());
        assertTrue(train.err().contains("the bot exited (3) with 0 of 50 finished"), train.err());
        assertTrue(train.err().contains("no bot here"), train.err());
    }

    @Test
    void aBotBehindAWrapperIsStoppedWithItAndOnlyAFailingExitFails() throws Exception {
        List<Path> before = trainFolders();
        String marker = "train-test-" + java.util.UUID.randomUUID(); // names this test's bot processes
        String python = "PYTHONPATH=" + EchoBots.root().resolve("bot-sdk/python/src") + " " + EchoBots.python()
                + " -X pycache_prefix=/tmp/" + marker + " " + EchoBots.root().resolve("examples/echo-bot-python/echo_bot.py");
        // the shell is what train started, the bot its child: both get SIGTERM; the shell dies of it (143), a stop
        ServeCommandTest.Cli wrapped = ServeCommandTest.cli("train", "--jobs", "20", "--", "sh", "-c", python + "; exit 9");
        assertEquals(0, wrapped.code(), wrapped.err() + wrapped.out());
        ServeCommandTest.Cli failing = ServeCommandTest.cli("train", "--jobs", "20", "--", "sh", "-c",
                "trap 'exit 4' TERM; " + python + " & wait");
        assertEquals(1, failing.code(), failing.out());
        assertTrue(failing.err().contains("the bot exited with 4"), failing.err());
        assertEquals(before, trainFolders(), "the throwaway runtimes' folders are deleted");
        Thread.sleep(2000);
        List<ProcessHandle> left = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(marker)).toList();
        left.forEach(ProcessHandle::destroyForcibly); // ours, named by the marker
        assertEquals(List.of(), left.stream().map(p -> p.info().commandLine().orElse("")).toList(), "no bot is left running");
    }

    @Test
    void badUsageIsExitCodeTwo() {
        ServeCommandTest.Cli noBot = ServeCommandTest.cli("train");
        assertEquals(2, noBot.code(), noBot.err());
        assertTrue(noBot.err().contains("BOT-COMMAND"), noBot.err());
        ServeCommandTest.Cli tooFew = ServeCommandTest.cli("train", "--jobs", "5", "--", "true");
        assertEquals(2, tooFew.code(), tooFew.err());
        assertTrue(tooFew.err().contains("--jobs must be between 20"), tooFew.err());
        ServeCommandTest.Cli badPayload = ServeCommandTest.cli("train", "--payload", "{nope", "--", "true");
        assertEquals(2, badPayload.code(), badPayload.err());
        assertTrue(badPayload.err().contains("--payload is not JSON"), badPayload.err());
        ServeCommandTest.Cli badTimeout = ServeCommandTest.cli("train", "--timeout", "3m", "--", "true");
        assertEquals(2, badTimeout.code(), badTimeout.err());
        assertTrue(badTimeout.err().contains("ISO-8601"), badTimeout.err());
    }

    private static List<Path> trainFolders() throws Exception {
        try (var entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return entries.filter(p -> p.getFileName().toString().startsWith("shepherd-train-")).sorted().toList();
        }
    }
}
