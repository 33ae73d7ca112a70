package io.shepherd.runtime.plugins;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import io.shepherd.runtime.lifecycle.Background;
import io.shepherd.runtime.lifecycle.Threads;

/**
 * Keeps what a host loaded in step with a folder: looks at once when started, then every period,
 * and hands each change to the host — a file removed or changed is {@code removed}, a new or
 * changed file that held still for one look is {@code added} (so a file being written or copied
 * is never read half-way). Changes are noticed by size and modification time; looking, rather
 * than file-system events, also catches Kubernetes ConfigMap updates, which swap a symlink. A
 * look that fails is logged and the next one tries again. Both plugin hosts (jars and scripts)
 * are one of these plus what they do with a file.
 */
public final class FolderWatch implements Background {
    private static final System.Logger LOG = System.getLogger(FolderWatch.class.getName());

    /** What a host does with the files of its folder. */
    public interface Host {
        void removed(Path file);

        void added(Path file);
    }

    private record Stat(long size, long modified) {
    }

    private final String name;
    private final Path dir;
    private final long periodMillis;
    private final Predicate<Path> wanted;
    private final Map<Path, Stat> seen = new HashMap<>();
    /** New or changed files seen once: reported when they hold still (a copy may be under way). */
    private final Map<Path, Stat> settling = new HashMap<>();
    private final Host host;
    private final ScheduledExecutorService timer;

    public FolderWatch(String name, Path dir, Predicate<Path> wanted, long periodMillis, Host host) {
        this.name = name;
        this.dir = dir;
        this.periodMillis = periodMillis;
        this.wanted = wanted;
        this.host = host;
        this.timer = Threads.timer(name);
    }

    @Override
    public String name() {
        return name;
    }

    /** Loads what the folder holds now, then keeps looking. */
    @Override
    public void start() {
        look();
        timer.scheduleWithFixedDelay(this::lookQuietly, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** One look now; what changed is handed to the host before it returns. */
    public synchronized void look() {
        Map<Path, Stat> present = new HashMap<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> wanted.test(f) && Files.isRegularFile(f)).forEach(f -> {
                    try {
                        present.put(f, new Stat(Files.size(f), Files.getLastModifiedTime(f).toMillis()));
                    } catch (IOException ignored) {
                        // vanished between list and stat
                    }
                });
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "Cannot list " + dir + ": " + e.getMessage());
                return;
            }
        }
        for (Path file : Map.copyOf(seen).keySet()) {
            Stat now = present.get(file);
            if (now == null || !now.equals(seen.get(file))) {
                seen.remove(file);
                host.removed(file);
            }
        }
        settling.keySet().retainAll(present.keySet());
        present.forEach((file, stat) -> {
            if (!seen.containsKey(file)) {
                if (stat.equals(settling.get(file))) {
                    settling.remove(file);
                    seen.put(file, stat);
                    host.added(file);
                } else {
                    settling.put(file, stat);
                }
            }
        });
    }

    private void lookQuietly() {
        try {
            look();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Scanning " + dir + " failed: " + e);
        }
    }

    /** Stops looking; what was loaded stays until its host lets go of it. */
    @Override
    public void close() {
        Threads.stop(timer);
    }
}
