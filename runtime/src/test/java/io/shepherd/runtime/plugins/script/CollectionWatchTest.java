package io.shepherd.runtime.plugins.script;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** A garbage collection is heard, with how full it left the heap as the JVM itself counts it. */
class CollectionWatchTest {
    @Test
    void hearsHowFullEachCollectionLeftTheHeap() throws Exception {
        BlockingQueue<Integer> heard = new LinkedBlockingQueue<>();
        long max = Runtime.getRuntime().maxMemory();
        // a twentieth of the heap, held through the collection
        byte[][] held = new byte[(int) (max / 20 / (1024 * 1024))][];
        for (int i = 0; i < held.length; i++) {
            held[i] = new byte[1024 * 1024];
        }
        try (CollectionWatch watch = new CollectionWatch(heard::add)) {
            System.gc();
            long usedAfter = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            Integer filled = heard.poll(10, TimeUnit.SECONDS);
            assertNotNull(filled, "the collection was heard");
            Integer later;
            while ((later = heard.poll(500, TimeUnit.MILLISECONDS)) != null) {
                filled = later; // System.gc() may be told as more than one collection: the last is the full one
            }
            int expected = (int) (100 * usedAfter / max);
            assertTrue(filled >= 4 && Math.abs(filled - expected) <= 2,
                    "heard " + filled + " %; the JVM says " + expected + " % (the held twentieth included)");
        }
        assertTrue(held[held.length - 1].length > 0);
    }
}
