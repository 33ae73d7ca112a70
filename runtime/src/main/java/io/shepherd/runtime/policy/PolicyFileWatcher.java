package io.shepherd.runtime.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.shepherd.runtime.lifecycle.Background;
import io.shepherd.runtime.lifecycle.Threads;

/**
 * Keeps the policies in force in step with a YAML file: it looks every second and, when the
 * content changed and then held still for one look (an editor may be halfway through writing),
 * parses it; a valid file replaces the policies at once, an invalid one is
 * refused with a log line that says why, and the last good policies stay in force. Looking at
 * the content (not file-system events) also catches Kubernetes ConfigMap updates, which swap
 * a symlink.
 */
public final class PolicyFileWatcher implements Background {
    private static final System.Logger LOG = System.getLogger(PolicyFileWatcher.class.getName());

    private final Path file;
    private final Policies policies;
    private final long periodMillis;
    private final ScheduledExecutorService timer = Threads.timer(name());
    private byte[] lastDigest;
    /** The content seen at the previous look but not applied yet: an edit applies once it holds still. */
    private byte[] settlingDigest;

    public PolicyFileWatcher(Path file, Policies policies, long periodMillis) {
        this.file = file;
        this.policies = policies;
        this.periodMillis = periodMillis;
    }

    @Override
    public String name() {
        return "policy-watch";
    }

    /** Loads the file now (a startup with an invalid file fails) and watches it from then on. */
    @Override
    public void start() {
        byte[] content = read(file);
        policies.replace(parse(file, content));
        lastDigest = digest(content);
        LOG.log(System.Logger.Level.INFO, "Recovery policies loaded from " + file + ": " + summary(policies.book()));
        timer.scheduleWithFixedDelay(this::check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    void check() {
        try {
            byte[] content;
            try {
                content = read(file);
            } catch (IllegalArgumentException missing) {
                return; // mid-replace, or removed: keep what is in force
            }
            byte[] digest = digest(content);
            if (Arrays.equals(digest, lastDigest)) {
                settlingDigest = null;
                return;
            }
            if (!Arrays.equals(digest, settlingDigest)) {
                // an editor may be halfway through writing: apply the content once it holds still
                settlingDigest = digest;
                return;
            }
            settlingDigest = null;
            lastDigest = digest;
            try {
                PolicyBook next = parse(file, content);
                policies.replace(next);
                LOG.log(System.Logger.Level.INFO, "Recovery policies reloaded from " + file + ": " + summary(next));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Rejected the edit of " + file + ": " + message(e)
                        + "; the last good policies stay in force");
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Could not check " + file + ": " + e);
        }
    }

    /** Parses and validates a policies YAML (the file name only labels the errors). */
    public static PolicyBook parse(Path file, byte[] content) {
        Config config = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(ConfigSources.create(new String(content, java.nio.charset.StandardCharsets.UTF_8),
                        io.helidon.common.media.type.MediaTypes.APPLICATION_YAML))
                .build();
        try {
            return PolicyBook.parse(config);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static String summary(PolicyBook book) {
        return "default " + book.defaults().policy() + " (max-attempts " + book.defaults().settings().maxAttempts()
                + "), types " + book.byType().keySet() + ", quarantine after " + book.quarantineAfter()
                + " consecutive failures";
    }

    private static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getMessage() != null && !t.getMessage().contains(":")) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read policies file " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] digest(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
