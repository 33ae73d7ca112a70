package io.shepherd.runtime.lifecycle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Keeps something in force in step with a file an operator edits: it looks every period and,
 * when the content changed and then held still for one look (an editor may be halfway through
 * writing), parses it; a valid file is applied at once, an invalid one is refused with a log
 * line that says why, and the last good version stays in force. Looking at the content (not
 * file-system events) also catches Kubernetes ConfigMap updates, which swap a symlink.
 *
 * @param <T> what the file holds once parsed
 */
public final class WatchedFile<T> implements Background {
    private static final System.Logger LOG = System.getLogger(WatchedFile.class.getName());

    private final String name;
    private final String what;
    private final Path file;
    private final Function<byte[], T> parse;
    private final Consumer<T> apply;
    private final Function<T, String> summary;
    private final long periodMillis;
    private final ScheduledExecutorService timer;
    private byte[] lastDigest;
    /** The content seen at the previous look but not applied yet: an edit applies once it holds still. */
    private byte[] settlingDigest;

    /**
     * @param name    the part's name (its thread's)
     * @param what    what the file holds, for the log ("recovery policies")
     * @param parse   parses and validates the content; throws {@link IllegalArgumentException} naming what is wrong
     * @param apply   puts a parsed version in force
     * @param summary a line about a version, for the log
     */
    public WatchedFile(String name, String what, Path file, Function<byte[], T> parse, Consumer<T> apply,
                       Function<T, String> summary, long periodMillis) {
        this.name = name;
        this.what = what;
        this.file = file;
        this.parse = parse;
        this.apply = apply;
        this.summary = summary;
        this.periodMillis = periodMillis;
        this.timer = Threads.timer(name);
    }

    @Override
    public String name() {
        return name;
    }

    /** Loads the file now (a start with an invalid file fails) and watches it from then on. */
    @Override
    public void start() {
        byte[] content = read(file);
        T first = parse.apply(content);
        apply.accept(first);
        lastDigest = digest(content);
        LOG.log(System.Logger.Level.INFO, capitalized(what) + " loaded from " + file + ": " + summary.apply(first));
        timer.scheduleWithFixedDelay(this::check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** One look at the file. */
    public void check() {
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
                settlingDigest = digest;
                return;
            }
            settlingDigest = null;
            lastDigest = digest;
            try {
                T next = parse.apply(content);
                apply.accept(next);
                LOG.log(System.Logger.Level.INFO, capitalized(what) + " reloaded from " + file + ": " + summary.apply(next));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Rejected the edit of " + file + ": " + message(e)
                        + "; the last good " + what + " stay in force");
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Could not check " + file + ": " + e);
        }
    }

    /** A YAML file's content as Helidon configuration (nothing else merged in), for a parser. */
    public static io.helidon.config.Config yaml(byte[] content) {
        return io.helidon.config.Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(io.helidon.config.ConfigSources.create(new String(content,
                        java.nio.charset.StandardCharsets.UTF_8), io.helidon.common.media.type.MediaTypes.APPLICATION_YAML))
                .build();
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getMessage() != null && !t.getMessage().contains(":")) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    private byte[] read(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the " + what + " file " + path + ": " + e.getMessage(), e);
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
        Threads.stop(timer);
    }
}
