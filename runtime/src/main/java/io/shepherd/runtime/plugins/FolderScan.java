package io.shepherd.runtime.plugins;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Notices what appeared in, changed in or disappeared from a folder since the last look, by
 * size and modification time. Looking (not file-system events) also catches Kubernetes ConfigMap
 * updates, which swap a symlink. A changed file is reported as removed, then added once it has
 * held still for one look, so a file being written or copied is never read half-way.
 */
final class FolderScan {
    private static final System.Logger LOG = System.getLogger(FolderScan.class.getName());

    private record Stat(long size, long modified) {
    }

    /** What a look found. */
    interface Changes {
        void removed(Path file);

        void added(Path file);
    }

    private final Path dir;
    private final Predicate<Path> wanted;
    private final Map<Path, Stat> seen = new HashMap<>();
    /** New or changed files seen once: reported when they hold still (a copy may be under way). */
    private final Map<Path, Stat> settling = new HashMap<>();

    FolderScan(Path dir, Predicate<Path> wanted) {
        this.dir = dir;
        this.wanted = wanted;
    }

    synchronized void look(Changes changes) {
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
                changes.removed(file);
            }
        }
        settling.keySet().retainAll(present.keySet());
        present.forEach((file, stat) -> {
            if (!seen.containsKey(file)) {
                if (stat.equals(settling.get(file))) {
                    settling.remove(file);
                    seen.put(file, stat);
                    changes.added(file);
                } else {
                    settling.put(file, stat);
                }
            }
        });
    }
}
