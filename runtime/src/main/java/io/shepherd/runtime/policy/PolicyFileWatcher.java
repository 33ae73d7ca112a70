package io.shepherd.runtime.policy;

import java.nio.file.Path;

import io.shepherd.runtime.lifecycle.WatchedFile;

/**
 * The recovery policies' file: watched, and reloaded when it changes (a valid edit is in force
 * within a second or two; an invalid one is refused with a log line naming the key, and the
 * last good policies stay). See {@link WatchedFile}.
 */
public final class PolicyFileWatcher {
    private PolicyFileWatcher() {
    }

    /** The background part that keeps {@code policies} in step with the file. */
    public static WatchedFile<PolicyBook> watch(Path file, Policies policies, long periodMillis) {
        return new WatchedFile<>("policy-watch", "recovery policies", file, content -> parse(file, content),
                policies::replace, PolicyFileWatcher::summary, periodMillis);
    }

    /** Parses and validates a policies YAML (the file name only labels the errors). */
    public static PolicyBook parse(Path file, byte[] content) {
        try {
            return PolicyBook.parse(WatchedFile.yaml(content));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static String summary(PolicyBook book) {
        return "default " + book.defaults().policy() + " (max-attempts " + book.defaults().settings().maxAttempts()
                + "), types " + book.byType().keySet() + ", quarantine after " + book.quarantineAfter()
                + " consecutive failures";
    }
}
