package io.shepherd.runtime.plugins.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.shepherd.runtime.core.PluginLimits;
import org.graalvm.polyglot.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each way a script can misbehave is stopped by the limit it runs into, and the failure names
 * that limit: memory (fast and slow allocation, huge strings), time, statements; a script's own
 * exceptions and a full pool of runners say so too.
 */
class ScriptSandboxTest {
    static final Duration LIMIT = Duration.ofSeconds(3);
    static ScriptSandbox sandbox;

    @BeforeAll
    static void start() {
        sandbox = new ScriptSandbox(new PluginLimits(16L * 1024 * 1024, 2, 70, 16, List.of()));
        run("function go() { return 1; }"); // warm the engine
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    static String run(String script) {
        return run(script, LIMIT);
    }

    static String run(String script, Duration limit) {
        return run(sandbox, script, limit);
    }

    static String run(ScriptSandbox in, String script, Duration limit) {
        Source source = Source.newBuilder("js", script, "test.js").buildLiteral();
        return in.run(source, limit, ctx -> ctx.getBindings("js").getMember("go").execute().toString());
    }

    static String failure(String script) {
        return failure(sandbox, script);
    }

    static String failure(ScriptSandbox in, String script) {
        return assertThrows(ScriptSandbox.ScriptFailure.class, () -> run(in, script, LIMIT)).getMessage();
    }

    /** A runtime without scripts keeps no listener on the JVM's collections; a sandbox's first run starts it. */
    @Test
    void collectionsAreWatchedFromTheFirstRunOn() {
        try (ScriptSandbox fresh = new ScriptSandbox(new PluginLimits(16L * 1024 * 1024, 2, 70, 16, List.of()))) {
            assertFalse(fresh.watchingCollections(), "no script has run");
            assertEquals("1", run(fresh, "function go() { return 1; }", LIMIT));
            assertTrue(fresh.watchingCollections());
        }
    }

    @Test
    void fastAllocationIsStoppedByTheMemoryLimitAndSaysSo() {
        String why = failure("function go() { const kept = []; for (;;) { kept.push(new Float64Array(1 << 16)); } }");
        assertTrue(why.contains("memory limit 16 MiB"), why);
    }

    @Test
    void slowSteadyAllocationIsStoppedByTheMemoryLimitBeforeTheTimeLimit() {
        // a little at a time, with work between: a statement budget and 3 s would let it hold far more
        String why = failure("""
                function go() {
                  const kept = [];
                  for (let i = 0; ; i++) {
                    kept.push('x'.repeat(1000) + i);
                  }
                }""");
        assertTrue(why.contains("memory limit") || why.contains("statement limit"), why);
    }

    @Test
    void hugeStringsAreStoppedOrRefused() {
        String why = failure("function go() { let s = 'ab'; for (;;) { s = s + s; s.charAt(s.length - 1); s = s.split('').join(''); } }");
        assertTrue(why.contains("memory limit") || why.contains("Invalid string length") || why.contains("ran out"), why);
    }

    @Test
    void aCollectionThatLeavesTheHeapTooFullStopsEveryRunAndHoldsNewOnesBack() throws Exception {
        // told of collections by the test alone: this JVM's own would tell it its heap has room
        try (ScriptSandbox told = new ScriptSandbox(new PluginLimits(16L * 1024 * 1024, 2, 70, 16, List.of()), false)) {
            // searches a string over and over: no allocation, a statement every ~50 µs, so only the time limit ends it
            CompletableFuture<String> busy = CompletableFuture.supplyAsync(() -> failure(told,
                    "function go() { const s = 'x'.repeat(100000); for (;;) { s.indexOf('y'); } }"));
            long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (told.running() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(1, told.running(), "the run began");

            told.collected(70);
            Thread.sleep(200);
            assertFalse(busy.isDone(), "a heap as full as the guard allows stops nothing");

            told.collected(93);
            assertEquals("stopped: a garbage collection left the heap 93 % full (scripts.heap-guard 70 %): "
                    + "scripts give way to the runtime", busy.get(2, TimeUnit.SECONDS));
            assertEquals("not run: a garbage collection left the heap 93 % full (scripts.heap-guard 70 %): "
                    + "scripts wait until it has room", failure(told, "function go() { return 1; }"));

            told.collected(40);
            assertEquals("1", run(told, "function go() { return 1; }", LIMIT), "a collection that found room lets runs begin");
        }
    }

    @Test
    void anEndlessLoopIsStoppedByTheStatementLimit() {
        assertEquals("stopped after 1000000 statements (statement limit)", failure("function go() { for (;;) {} }"));
    }

    @Test
    void catchingWhatStopsItDoesNotKeepAScriptRunning() {
        String why = failure("""
                function go() {
                  for (;;) { try { for (;;) {} } catch (e) { /* and on */ } finally { continue; } }
                }""");
        assertEquals("stopped after 1000000 statements (statement limit)", why);
    }

    @Test
    void deepRecursionAndThrowingAreTheScriptsOwnErrors() {
        assertTrue(failure("function go() { return go() + 1; }").startsWith("threw: RangeError"),
                failure("function go() { return go() + 1; }"));
        assertEquals("threw: Error: no", failure("function go() { throw new Error('no'); }"));
    }

    @Test
    void aSlowScriptUnderTheOtherLimitsIsStoppedByTheTimeLimit() {
        String why = assertThrows(ScriptSandbox.ScriptFailure.class,
                () -> run("function go() { let n = 0; for (let i = 0; i < 900000; i++) { n += i % 7; } return n; }",
                        Duration.ofMillis(5))).getMessage();
        assertEquals("stopped after 5 ms (time limit)", why);
    }

    @Test
    void aFullPoolRefusesAtOnceInsteadOfQueueingForEver() throws Exception {
        List<CompletableFuture<String>> busy = new ArrayList<>();
        var callers = java.util.concurrent.Executors.newFixedThreadPool(2 + 16 + 4);
        for (int i = 0; i < 2 + 16 + 4; i++) {
            busy.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return run("function go() { for (;;) {} }");
                } catch (ScriptSandbox.ScriptFailure e) {
                    return e.getMessage();
                }
            }, callers));
        }
        callers.shutdown();
        List<String> answers = busy.stream().map(CompletableFuture::join).toList();
        assertTrue(answers.stream().anyMatch(a -> a.startsWith("not run: all 2 script runners are busy")), answers.toString());
        assertEquals("1", run("function go() { return 1; }"), "the pool serves again once the runs are over");
    }
}
