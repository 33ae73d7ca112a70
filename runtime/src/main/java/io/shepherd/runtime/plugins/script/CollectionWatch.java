package io.shepherd.runtime.plugins.script;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;

/**
 * Tells after every garbage collection the JVM reports (young ones included) how full it left the
 * heap, in percent of the largest heap: the heap's pools summed as the collection left them.
 *
 * <p>The script sandbox looks at its runs then, besides on its timer: a timer can be late on a
 * busy machine while a script allocates gigabytes a second, but collections come as often as
 * allocation fills the heap's young part — the faster a script allocates, the more often it is
 * looked at — and a collection that cannot empty the heap is what running out of it looks like first.
 */
final class CollectionWatch implements AutoCloseable {
    private final IntConsumer collected;
    private final Set<String> heapPools;
    private final long maxHeap;
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::collected;

    /** {@code collected} hears, on the JVM's notification thread, how full each collection left the heap. */
    CollectionWatch(IntConsumer collected) {
        this.collected = collected;
        this.heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP)
                .map(MemoryPoolMXBean::getName)
                .collect(Collectors.toUnmodifiableSet());
        this.maxHeap = Runtime.getRuntime().maxMemory();
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (collector instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(listener, null, null);
                emitters.add(emitter);
            }
        }
    }

    private void collected(Notification notification, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            return;
        }
        var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        collected.accept(filledPercent(info.getGcInfo().getMemoryUsageAfterGc()));
    }

    private int filledPercent(Map<String, MemoryUsage> afterCollection) {
        long used = 0;
        for (var pool : afterCollection.entrySet()) {
            if (heapPools.contains(pool.getKey())) {
                used += pool.getValue().getUsed();
            }
        }
        return (int) (100 * used / maxHeap);
    }

    @Override
    public void close() {
        for (NotificationEmitter emitter : emitters) {
            try {
                emitter.removeNotificationListener(listener);
            } catch (ListenerNotFoundException e) {
                // already gone
            }
        }
    }
}
